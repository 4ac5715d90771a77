"""Small article files for tests, written the way editors write them."""
from __future__ import annotations

from pathlib import Path

FAQ_BODY = {
    "en": "Freeze your card first.\n\n## I lost my card. What do I do?\nOpen the app and tap **Freeze card**.\n",
    "zh-Hant": "請先凍結卡片。\n\n## 卡片不見了怎麼辦？\n打開 App，點選「凍結卡片」，這張卡就無法刷卡消費。\n",
    "zh-Hans": "请先冻结银行卡。\n\n## 银行卡丢了怎么办？\n打开 App，点击“冻结银行卡”，这张卡就不能刷卡消费了。\n",
}
TITLE = {"en": "Lost card", "zh-Hant": "卡片遺失", "zh-Hans": "银行卡丢失"}


def front_matter(**fields) -> str:
    lines = ["---"]
    for key, value in fields.items():
        if value is not None:
            lines.append(f"{key}: {value}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def article_text(group="card-lost", lang="en", type="faq", category="cards", body=None,
                 **overrides) -> str:
    fields = dict(id=f"{group}.{lang}", title=f"\"{TITLE.get(lang, 'Lost card')}\"", lang=lang, type=type,
                  category=category, tags="[card]", translation_group=group, updated="2026-10-01")
    fields.update(overrides)
    return front_matter(**fields) + (FAQ_BODY.get(lang, FAQ_BODY["en"]) if body is None else body)


def write(root: Path, relative: str, text: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_topic(root: Path, group="card-lost", category="cards", **overrides) -> list[Path]:
    """One topic in all three languages, under ``root/articles``."""
    return [write(root, f"articles/{lang}/{category}/{group}.md",
                  article_text(group, lang, category=category, **overrides))
            for lang in ("en", "zh-Hant", "zh-Hans")]


CATEGORIES = """cards:\n  zh-Hant: 卡片\n  zh-Hans: 银行卡\n  en: Cards
loans:\n  zh-Hant: 貸款\n  zh-Hans: 贷款\n  en: Loans\n"""
