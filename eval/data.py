"""Labelled data files: corpus and query JSON lines, read with errors that name file and line."""
from __future__ import annotations

import difflib
import json
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
    relevant: tuple[str, ...]  # empty: no good answer exists, search should say it is unsure
    line: int


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


def read_queries(path: Path, known_ids: set[str] | None = None, skip_unknown: bool = False,
                 warnings: list[str] | None = None) -> list[Query]:
    """Queries of a labelled set. A relevant id missing from ``known_ids`` is an error, or with
    ``skip_unknown`` a warning and the query is left out."""
    queries: list[Query] = []
    for number, r in _records(path, {"id": str, "text": str, "lang": str, "relevant": list}, "query id"):
        relevant = tuple(str(x) for x in r["relevant"])
        unknown = [x for x in relevant if known_ids is not None and x not in known_ids]
        if unknown:
            hint = difflib.get_close_matches(unknown[0], sorted(known_ids), n=1, cutoff=0.6)
            message = (f"relevant id '{unknown[0]}' is not in the corpus"
                       + (f" (did you mean '{hint[0]}'?)" if hint else ""))
            if not skip_unknown:
                raise DataFileError(path, number, message + "; --skip-unknown leaves such queries out")
            if warnings is not None:
                warnings.append(f"{path}:{number}: {message}; query left out")
            continue
        queries.append(Query(r["id"], r["text"], r["lang"], relevant, number))
    if not queries:
        raise DataFileError(path, 0, "no queries to evaluate")
    return queries
