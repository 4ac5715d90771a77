"""New-article templates for ``python -m kb new``: every field present, text to replace."""
from __future__ import annotations

import re
import secrets
from datetime import date
from pathlib import Path


_TEXT = {
    "en": {
        "title": "New article: replace this title",
        "tags": "[replace, these, tags]",
        "intro": "Replace this with one or two sentences that say what this article helps with.",
        "faq": "## Write the question the way a customer would ask it?\n"
               "Write a complete answer that makes sense on its own. Name buttons in **bold**.\n",
        "tutorial": "## Before you start\n- What the customer needs first\n\n## Steps\n"
                    "1. Open the Lumina Bank app and tap **Menu**.\n2. Describe the next action.\n\n"
                    "## If something goes wrong\nSay what to do, and how to reach us.\n",
    },
    "zh-Hant": {
        "title": "新文章：請改成標題",
        "tags": "[請改成, 客戶會用的, 關鍵字]",
        "intro": "請用一兩句話說明這篇文章能幫客戶解決什麼問題。",
        "faq": "## 請用客戶的口吻寫下問題？\n請寫出完整、單獨閱讀也看得懂的回答，按鈕名稱用**粗體**標示。\n",
        "tutorial": "## 開始之前\n- 客戶需要先準備的東西\n\n## 操作步驟\n1. 打開曜光銀行 App，點選「**選單**」。\n"
                    "2. 說明下一個動作。\n\n## 遇到問題怎麼辦\n說明該怎麼處理，以及如何聯絡我們。\n",
    },
    "zh-Hans": {
        "title": "新文章：请改成标题",
        "tags": "[请改成, 客户会用的, 关键词]",
        "intro": "请用一两句话说明这篇文章能帮客户解决什么问题。",
        "faq": "## 请用客户的口吻写下问题？\n请写出完整、单独阅读也能看懂的回答，按钮名称用**粗体**标出。\n",
        "tutorial": "## 开始之前\n- 客户需要先准备的东西\n\n## 操作步骤\n1. 打开曜光银行 App，点击“**菜单**”。\n"
                    "2. 说明下一个操作。\n\n## 遇到问题怎么办\n说明该怎么处理，以及如何联系我们。\n",
    },
}


def fresh_group(category: str, title: str | None, taken: set[str]) -> str:
    """A new translation-group name: from an English title when given, else the category and a
    random suffix; never one already in use."""
    base = re.sub(r"[^a-z0-9]+", "-", (title or "").lower()).strip("-")[:48]
    while True:
        group = base if base and base not in taken else f"{base or category}-{secrets.token_hex(3)}"
        if group not in taken:
            return group


def render(group: str, lang: str, kind: str, category: str, today: date) -> str:
    text = _TEXT[lang]
    return (f"---\nid: {group}.{lang}\ntitle: \"{text['title']}\"\nlang: {lang}\ntype: {kind}\n"
            f"category: {category}\ntags: {text['tags']}\ntranslation_group: {group}\n"
            f"updated: {today.isoformat()}\n"
            f"# review_by: YYYY-MM-DD   (needed when the article states fees, rates or limits)\n"
            f"related: []\n---\n{text['intro']}\n\n{text[kind]}")


def article_path(root: Path, group: str, lang: str, category: str) -> Path:
    return root / "articles" / lang / category / f"{group}.md"

