"""Make a query (or any text) comparable: widths, case, invisible characters, script.

Customers type full-width letters (ＡＴＭ), paste zero-width characters, mix Traditional and
Simplified. What customers see keeps the original text; only matching uses the folded form.
"""
from __future__ import annotations

import re
import unicodedata

from kb.language import to_simplified

_SPACES = re.compile(r"\s+")


def clean(text: str, max_chars: int | None = None) -> str:
    """Text fit to search with: NFKC (full-width to half-width), no control or zero-width
    characters, single spaces, at most ``max_chars`` characters (cut at a space if one is near)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    text = _SPACES.sub(" ", text).strip()
    if max_chars is not None and len(text) > max_chars:
        cut = text.rfind(" ", max_chars - 40, max_chars)
        text = text[:cut if cut > 0 else max_chars].strip()
    return text


def fold(text: str) -> str:
    """Case- and script-insensitive form: lower case, Simplified Chinese. Keeps the length of
    ``clean`` text, so positions found in the folded text hold in the original."""
    folded = to_simplified(text.lower())
    return folded if len(folded) == len(text) else "".join(to_simplified(c) for c in text.lower())


def has_words(text: str) -> bool:
    """True when ``text`` has at least one letter or digit (emoji and punctuation alone do not)."""
    return any(c.isalnum() for c in text)


def for_models(text: str, simplified: bool) -> str:
    """What the embedding models see: Simplified Chinese when ``simplified`` (KB_TO_SIMPLIFIED),
    so Traditional and Simplified versions of a question land close together."""
    return to_simplified(text) if simplified else text
