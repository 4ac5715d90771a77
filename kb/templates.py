"""New-article templates for ``python -m kb new`` and the staff area: every field present, text to
replace. Until every piece of template text is replaced, an article is a draft: ``kb check``
names each placeholder, and the index leaves the file out (customers never see a draft)."""
from __future__ import annotations

import re
import secrets
from datetime import date
from pathlib import Path
from typing import Sequence


_TEXT = {
    "en": {
        "title": "New article: replace this title",
        "tags": "[replace, these, tags]",
        "intro": "Replace this with one or two sentences that say what this article helps with.",
        "question": "Write the question the way a customer would ask it?",
        "answer": "Write a complete answer that makes sense on its own. Name buttons in **bold**.",
        "tutorial": "## Before you start\n- What the customer needs first\n\n## Steps\n"
                    "1. Open the Lumina Bank app and tap **Menu**.\n2. Describe the next action.\n\n"
                    "## If something goes wrong\nSay what to do, and how to reach us.\n",
    },
    "zh-Hant": {
        "title": "新文章：請改成標題",
        "tags": "[請改成, 客戶會用的, 關鍵字]",
        "intro": "請用一兩句話說明這篇文章能幫客戶解決什麼問題。",
        "question": "請用客戶的口吻寫下問題？",
        "answer": "請寫出完整、單獨閱讀也看得懂的回答，按鈕名稱用**粗體**標示。",
        "tutorial": "## 開始之前\n- 客戶需要先準備的東西\n\n## 操作步驟\n1. 打開曜光銀行 App，點選「**選單**」。\n"
                    "2. 說明下一個動作。\n\n## 遇到問題怎麼辦\n說明該怎麼處理，以及如何聯絡我們。\n",
    },
    "zh-Hans": {
        "title": "新文章：请改成标题",
        "tags": "[请改成, 客户会用的, 关键词]",
        "intro": "请用一两句话说明这篇文章能帮客户解决什么问题。",
        "question": "请用客户的口吻写下问题？",
        "answer": "请写出完整、单独阅读也能看懂的回答，按钮名称用**粗体**标出。",
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


# Template text that marks an article as a draft: the title, intro, question and answer, and the
# tutorial's lines that only describe what to write (its headings and first step may well stay).
_TUTORIAL_PLACEHOLDERS = {"en": ("What the customer needs first", "Describe the next action.",
                                 "Say what to do, and how to reach us."),
                          "zh-Hant": ("客戶需要先準備的東西", "說明下一個動作。", "說明該怎麼處理，以及如何聯絡我們。"),
                          "zh-Hans": ("客户需要先准备的东西", "说明下一个操作。", "说明该怎么处理，以及如何联系我们。")}
PLACEHOLDERS = tuple(sorted({text[name] for text in _TEXT.values() for name in ("title", "intro", "question", "answer")}
                            | {line for lines in _TUTORIAL_PLACEHOLDERS.values() for line in lines},
                            key=len, reverse=True))
_TAG_PLACEHOLDERS = {text["tags"].strip("[]").split(",")[0].strip() for text in _TEXT.values()}


def placeholders(article) -> list[tuple[int, str]]:
    """(1-based file line, template text) of every placeholder left in ``article``: its title,
    tags and body lines. An article with any is a draft."""
    found = []
    if any(p in article.title for p in PLACEHOLDERS):
        found.append((article.line_of("title"), article.title))
    if _TAG_PLACEHOLDERS & set(article.tags):
        found.append((article.line_of("tags"), ", ".join(article.tags)))
    for number, line in enumerate(article.body.split("\n")):
        text = line.strip()
        if any(p in text for p in PLACEHOLDERS):
            found.append((article.body_line + number, text))
    return found


def render(group: str, lang: str, kind: str, category: str, today: date,
           questions: Sequence[str] = (), title: str | None = None, note: str = "") -> str:
    """A new article. ``questions`` (FAQ) become its question headings, each with the answer still
    to write; ``note`` (say, the customer questions it was started from) joins the intro's
    placeholder, which an editor replaces anyway."""
    text = _TEXT[lang]
    heading = title.replace('"', "'") if title else text["title"]
    intro = text["intro"] + (f" ({note})" if note else "")
    if kind == "faq":
        asked = [" ".join(q.split()) for q in questions if q.strip()] or [text["question"]]
        body = "".join(f"## {q}\n{text['answer']}\n\n" for q in dict.fromkeys(asked)).rstrip("\n") + "\n"
    else:
        body = text["tutorial"]
    return (f"---\nid: {group}.{lang}\ntitle: \"{heading}\"\nlang: {lang}\ntype: {kind}\n"
            f"category: {category}\ntags: {text['tags']}\ntranslation_group: {group}\n"
            f"updated: {today.isoformat()}\n"
            f"# review_by: YYYY-MM-DD   (needed when the article states fees, rates or limits)\n"
            f"related: []\n---\n{intro}\n\n{body}")


def article_path(root: Path, group: str, lang: str, category: str) -> Path:
    return root / "articles" / lang / category / f"{group}.md"


def plan_new(root: Path, content, *, kind: str, lang: str, category: str, title: str | None = None,
             group: str | None = None, all_langs: bool = False, questions: Sequence[str] = (),
             today: date, note: str = "") -> dict[Path, str]:
    """The files a new article needs, path -> text, written by nobody yet: ``lang`` alone, or
    with ``all_langs`` every language of a new topic (``lang`` first). ``group`` adds ``lang`` to
    an existing topic. Raises ``ValueError`` saying why it cannot be done."""
    if kind not in _KINDS:
        raise ValueError(f"unknown type '{kind}': use one of {', '.join(_KINDS)}")
    if lang not in _TEXT:
        raise ValueError(f"unknown language '{lang}': use one of {', '.join(_TEXT)}")
    if content.categories and category not in content.categories:
        raise ValueError(f"unknown category '{category}': use one of {', '.join(content.categories)}")
    if group and all_langs:
        raise ValueError("--all-langs starts a new topic; --group adds one language to an existing one")
    groups = {a.translation_group for a in content.articles.values()}
    drafts = {Path(path).stem for path in getattr(content, "failed_paths", ())}
    group = group or fresh_group(category, title, groups | drafts)
    existing = {a.lang for a in content.articles.values() if a.translation_group == group}
    if lang in existing:
        raise ValueError(f"translation group '{group}' already has a {lang} version")
    langs = [lang] + ([other for other in _TEXT if other != lang] if all_langs else [])
    planned = {}
    for each in langs:
        path = article_path(root, group, each, category)
        if path.exists():
            raise ValueError(f"{path} already exists")
        planned[path] = render(group, each, kind, category, today,
                               questions=questions if each == lang else (),
                               note=note if each == lang else "")
    return planned


_KINDS = ("faq", "tutorial")


def draft_problems(article) -> list:
    """One warning per placeholder left in ``article``: while there is any, it is a draft that
    the index leaves out (customers never see it; a published version stays as it was)."""
    from kb.errors import Problem
    return [Problem(article.path, line, "draft",
                    f"template text still to replace: '{text[:80]}'; until then this article is a "
                    "draft and customers do not see it", "warning")
            for line, text in placeholders(article)]
