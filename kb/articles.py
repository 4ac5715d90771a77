"""What an article and a passage are. Plain data, no behaviour beyond naming things."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

LANGS = ("zh-Hant", "zh-Hans", "en")
TYPES = ("faq", "tutorial")


@dataclass(frozen=True)
class Unit:
    """One structural piece of an article: the intro, a Q/A pair, a section, or a step.

    ``anchor`` is language-neutral and positional (``q2``, ``step3``), so the same place can be
    found in every translation of an article and deep links survive a change of language.
    """

    kind: str  # intro | question | section | step
    anchor: str
    heading_path: tuple[str, ...]  # article title, then headings down to this unit
    heading: str  # the question, section heading or step label; "" for the intro
    markdown: str  # the unit's own markdown source, shown as the answer
    text: str  # plain text of the body, for embedding and keywords
    line: int  # 1-based line of the unit in its file
    span: tuple[int, int] = (0, 0)  # file lines [start, end) of ``markdown``, 0-based
    # Other ways customers ask this unit's question (相似問法), from the article's ```similar
    # blocks and the learned-questions file; indexed as passages that resolve to this unit.
    similar: tuple[str, ...] = ()
    similar_lines: tuple[int, ...] = ()  # 1-based file line of each similar question (0: learned)


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    lang: str
    type: str
    category: str
    tags: tuple[str, ...]
    translation_group: str
    updated: date
    review_by: date | None
    related: tuple[str, ...]
    path: str  # relative to the content folder, with forward slashes
    body: str  # markdown after the front matter
    body_line: int  # 1-based line where the body starts
    units: tuple[Unit, ...]
    content_hash: str  # of the raw file bytes: the indexer re-embeds only what changed
    field_lines: tuple[tuple[str, int], ...] = ()  # front-matter field -> 1-based line
    links: tuple[tuple[str, int], ...] = ()  # (href, 1-based line) of every link in the body

    def line_of(self, field: str) -> int:
        return dict(self.field_lines).get(field, 1)


@dataclass(frozen=True)
class Passage:
    """What search indexes: a unit, or a sentence-bounded part of a long unit."""

    id: str  # "<article id>#<anchor>" or "<article id>#<anchor>/<part>"
    article_id: str
    lang: str
    kind: str
    anchor: str
    heading_path: tuple[str, ...]
    text: str  # plain text of this part
    ordinal: int  # position of the unit in its article: aligns translations
    part: int = 0

    @property
    def heading(self) -> str:
        return self.heading_path[-1] if len(self.heading_path) > 1 else ""


def article_to_dict(article: Article) -> dict:
    """A JSON-ready record of an article, for the index catalog. A unit's markdown is a slice of
    the body, so only its line span is stored: it keeps the catalog, read on every build, small."""
    record = dataclasses.asdict(article)
    record["updated"] = article.updated.isoformat()
    record["review_by"] = article.review_by.isoformat() if article.review_by else None
    for unit in record["units"]:
        del unit["markdown"]
    return record


def article_from_dict(record: dict) -> Article:
    record = dict(record)
    record["updated"] = date.fromisoformat(record["updated"])
    record["review_by"] = date.fromisoformat(record["review_by"]) if record.get("review_by") else None
    lines = record["body"].split("\n")
    offset = record["body_line"] - 1  # file line of the body's first line, 0-based

    def markdown(span) -> str:
        return "\n".join(lines[span[0] - offset:span[1] - offset]).strip()

    record["units"] = tuple(Unit(**{**u, "heading_path": tuple(u["heading_path"]), "span": tuple(u["span"]),
                                    "similar": tuple(u.get("similar", ())),
                                    "similar_lines": tuple(u.get("similar_lines", ())),
                                    "markdown": markdown(u["span"])}) for u in record["units"])
    for name in ("tags", "related"):
        record[name] = tuple(record[name])
    for name in ("field_lines", "links"):
        record[name] = tuple(tuple(pair) for pair in record.get(name, ()))
    return Article(**record)
