"""The portal's URL, read safely: every query parameter is checked before any page uses it.

A link can carry anything (``?from=²``, ``?at=<script>``, a 5,000-character id); a value that is
not what the portal itself writes is treated as absent, so a bad link opens the home page or a
"not found" page, never an error. Pure: no Streamlit, so it is tested as a table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from portal.i18n import LANGS

_ARTICLE = re.compile(r"[a-z0-9][a-z0-9_-]{0,119}\.(?:zh-Hant|zh-Hans|en)", re.ASCII)
_ANCHOR = re.compile(r"[a-z][a-z0-9_-]{0,39}", re.ASCII)
_CATEGORY = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}", re.ASCII)
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # ASCII digits only: "²".isdigit() is True; ids < 10**18


@dataclass(frozen=True)
class Params:
    """What a page may use from the URL; ``None`` for anything absent or invalid."""

    lang: str | None = None
    article: str | None = None
    at: str | None = None
    from_search: int | None = None
    category: str | None = None
    staff: bool = False
    article_invalid: bool = False  # an ``article`` was given but is not an id: show "not found"
    category_invalid: bool = False


def _match(pattern: re.Pattern, value: str | None) -> str | None:
    return value if isinstance(value, str) and pattern.fullmatch(value) else None


def parse(query: Mapping[str, str]) -> Params:
    """Check each parameter the portal reads. ``q``, ``elder_mode`` and ``high_contrast`` are
    bound to their widgets, which check them themselves (see ``question`` for ``q``)."""
    lang = query.get("lang")
    article, category = query.get("article"), query.get("category")
    from_search = _match(_ID, query.get("from"))
    return Params(
        lang=lang if lang in LANGS else None,
        article=_match(_ARTICLE, article),
        at=_match(_ANCHOR, query.get("at")),
        from_search=int(from_search) if from_search else None,
        category=_match(_CATEGORY, category),
        staff=query.get("staff") is not None,
        article_invalid=bool(article) and _match(_ARTICLE, article) is None,
        category_invalid=bool(category) and _match(_CATEGORY, category) is None,
    )


def question(raw: object, max_chars: int) -> str:
    """The question as typed, sliced to ``max_chars`` before anything else looks at it: the box
    has ``max_chars`` in the browser, but a hand-made websocket message can carry megabytes."""
    return raw[:max_chars] if isinstance(raw, str) else ""
