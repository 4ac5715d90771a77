"""Turn an article's units into search passages of bounded size, split only between sentences."""
from __future__ import annotations

import re
from typing import Iterator

from kb.articles import Article, Passage

SIMILAR = "similar"  # Passage.kind of a similar question

# A sentence ends at Chinese 。！？；, or at . ! ? ; followed by a space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[。！？；!?])|(?<=[.;])(?=\s)|\n+")


def sentences(text: str) -> list[str]:
    parts = (s.strip() for s in _SENTENCE_END.split(text))
    return [s for s in parts if s]


def pack(text: str, limit: int) -> list[str]:
    """Consecutive sentences grouped into parts of at most ``limit`` characters.

    A single sentence longer than the limit stays whole: cutting it would change its meaning.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for sentence in sentences(text):
        joiner = "" if not current or _is_cjk(current[-1]) else " "
        if current and len(current) + len(joiner) + len(sentence) > limit:
            parts.append(current)
            current = sentence
        else:
            current = current + joiner + sentence
    if current:
        parts.append(current)
    return parts


def _is_cjk(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def chunk(article: Article, limit: int = 500) -> Iterator[Passage]:
    """A unit's passages (one, or one per part of a long unit), then one per similar question:
    ``<article id>#<anchor>~<n>``, kind ``similar``, with its unit's anchor and ordinal, so search
    resolves it to the unit and shows the unit, never the variant."""
    for ordinal, unit in enumerate(article.units):
        texts = pack(unit.text, limit) if unit.text else [""]
        for part, text in enumerate(texts):
            suffix = f"/{part}" if len(texts) > 1 else ""
            yield Passage(id=f"{article.id}#{unit.anchor}{suffix}", article_id=article.id,
                          lang=article.lang, kind=unit.kind, anchor=unit.anchor,
                          heading_path=unit.heading_path, text=text, ordinal=ordinal, part=part)
        for number, question in enumerate(unit.similar, start=1):
            yield Passage(id=f"{article.id}#{unit.anchor}~{number}", article_id=article.id,
                          lang=article.lang, kind=SIMILAR, anchor=unit.anchor,
                          heading_path=unit.heading_path, text=question, ordinal=ordinal)


def index_text(passage: Passage) -> str:
    """What the models and the keyword index see for a passage: where it sits, then its words.

    A step or an answer alone ("Tap Confirm.") says little; its question or headings say what it
    is about. A similar question is a whole question on its own: it is indexed alone, so it
    matches the way customers ask, not the article's wording.
    """
    if passage.kind == SIMILAR:
        return passage.text
    context = " / ".join(h for h in passage.heading_path if h)
    return f"{context}\n{passage.text}".strip()
