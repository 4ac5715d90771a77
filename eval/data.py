"""Labelled data files: corpus and query JSON lines, read with errors that name file and line.

A relevant label names an article (``card-lost-freeze.en``: any passage of it answers) or a place
in it (``card-lost-freeze.en#q1``: the unit at that anchor answers). Anchors are language-neutral,
so a label is right in every language version of its topic.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from kb.errors import DataFileError


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str
    lang: str
    line: int


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    lang: str
    relevant: tuple[str, ...]  # labels; empty: no good answer exists, search should say it is unsure
    line: int
    kind: str = ""

    @property
    def articles(self) -> tuple[str, ...]:
        """The article ids of the labels, each once, in label order."""
        return tuple(dict.fromkeys(split_label(label)[0] for label in self.relevant))


_PASSAGE_SUFFIX = re.compile(r"(/\d+|~\d+)$")


def split_label(label: str) -> tuple[str, str | None]:
    """``"a.en#q1"`` -> ``("a.en", "q1")``; ``"a.en"`` -> ``("a.en", None)`` (any passage)."""
    article, _, anchor = label.partition("#")
    return article, (anchor or None)


def passage_anchor(passage_id: str) -> tuple[str, str]:
    """(article id, anchor) of a passage id: a part of a long unit (``a.en#q1/2``) and a similar
    question (``a.en#q1~3``) both resolve to the unit at their anchor (``q1``)."""
    article, _, anchor = passage_id.partition("#")
    return article, _PASSAGE_SUFFIX.sub("", anchor)


def _lines(path: Path):
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, line
    except FileNotFoundError:
        raise DataFileError(path, 0, "no such file") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(path, 0, f"not UTF-8 ({exc.reason})") from None


def _records(path: Path, fields: dict[str, type], what: str):
    """(line number, record) of every line, each checked for its fields and a unique id."""
    seen: dict[str, int] = {}
    for number, line in _lines(path):
        record = _record(path, number, line, fields)
        if record["id"] in seen:
            raise DataFileError(path, number, f"duplicate {what} '{record['id']}' (first on line {seen[record['id']]})")
        seen[record["id"]] = number
        yield number, record


def _record(path: Path, number: int, line: str, fields: dict[str, type]) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, number, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(record, dict):
        raise DataFileError(path, number, "each line must be a JSON object")
    for name, kind in fields.items():
        if name not in record:
            raise DataFileError(path, number, f"missing field '{name}'")
        if not isinstance(record[name], kind):
            raise DataFileError(path, number, f"field '{name}' must be {kind.__name__}")
    return record


def read_corpus(path: Path) -> list[Doc]:
    docs = [Doc(r["id"], r["title"], r["text"], r["lang"], number)
            for number, r in _records(path, {"id": str, "title": str, "text": str, "lang": str}, "id")]
    if not docs:
        raise DataFileError(path, 0, "the corpus is empty")
    return docs


def read_queries(path: Path, known_ids: Collection[str] | Mapping[str, Collection[str]] | None = None,
                 skip_unknown: bool = False, warnings: list[str] | None = None) -> list[Query]:
    """Queries of a labelled set. ``known_ids`` holds the article ids being evaluated, or maps
    each to its anchors: then a label's anchor is checked too. A label that names an unknown
    article or anchor is an error, or with ``skip_unknown`` a warning and the query is left out.
    A malformed label (not a string, an empty anchor, a passage part) is always an error."""
    queries: list[Query] = []
    for number, r in _records(path, {"id": str, "text": str, "lang": str, "relevant": list}, "query id"):
        relevant = tuple(_checked_label(path, number, x) for x in r["relevant"])
        if len(set(relevant)) < len(relevant):
            twice = next(x for x in relevant if relevant.count(x) > 1)
            raise DataFileError(path, number, f"relevant label '{twice}' is listed twice")
        message = None if known_ids is None else _unknown(relevant, known_ids)
        if message:
            if not skip_unknown:
                raise DataFileError(path, number, message + "; --skip-unknown leaves such queries out")
            if warnings is not None:
                warnings.append(f"{path}:{number}: {message}; query left out")
            continue
        kind = r.get("kind", "")
        queries.append(Query(r["id"], r["text"], r["lang"], relevant, number, kind if isinstance(kind, str) else ""))
    if not queries:
        raise DataFileError(path, 0, "no queries to evaluate")
    return queries


def _checked_label(path: Path, number: int, label) -> str:
    if not isinstance(label, str) or not label.strip():
        raise DataFileError(path, number, f"relevant label {json.dumps(label, ensure_ascii=False)} must be "
                                          "an article id or 'article-id#anchor'")
    article, anchor = split_label(label)
    if not article or (anchor is None and label.endswith("#")) or (anchor is not None and not anchor.strip()):
        raise DataFileError(path, number, f"relevant label '{label}' must be an article id or 'article-id#anchor'")
    if anchor is not None and _PASSAGE_SUFFIX.search(anchor):
        raise DataFileError(path, number, f"relevant label '{label}' names a part of a passage; name its "
                                          f"anchor '{article}#{_PASSAGE_SUFFIX.sub('', anchor)}'")
    return label


def _unknown(relevant: tuple[str, ...], known: Collection[str] | Mapping[str, Collection[str]]) -> str | None:
    """Why the first label that is not in ``known`` is not, with a suggestion; None if all are."""
    for label in relevant:
        article, anchor = split_label(label)
        if article not in known:
            hint = difflib.get_close_matches(article, sorted(known), n=1, cutoff=0.6)
            return (f"relevant id '{article}' is not in the corpus"
                    + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        if anchor is not None and isinstance(known, Mapping) and anchor not in known[article]:
            anchors = list(known[article])
            return (f"relevant label '{label}': article '{article}' has no anchor '{anchor}' "
                    f"(its anchors: {', '.join(anchors) if anchors else 'none'})")
    return None
