"""Labelled questions as an external corpus's similar questions (``eval run --examples FILE``).

A bank that has labelled customer questions (a question and the answer it should get) can give
them to search the way editors give similar questions (相似問法): each becomes a similar question
of the entry it names, written into that entry's article as a ```similar block, so it goes
through exactly what bundled similar questions go through (``Unit.similar`` -> passages
``<entry>#q1~<n>`` -> the ranker's features). This measures what learning from questions buys.

The file has the query line format, ``{"id", "text", "lang", "relevant": [one corpus id]}``.
Every line is checked before anything is indexed, and problems name the file and line:

- a label that names no corpus entry (or anchor) is an error, or with ``--skip-unknown`` a
  counted warning and the example left out;
- an example names exactly one entry, in the entry's language, in one line of sensible text;
- the same phrasing under two entries is an error (search could not tell which answer is meant);
- an example that is also a query being evaluated (the same words, ignoring case, width, spaces
  and punctuation) is refused: it is left out with a warning naming both lines, because a query
  whose own words were handed to search measures nothing.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from kb.errors import DataFileError
from kb.similar import key, language_problem
from eval.corpus import ENTRY_ANCHOR
from eval.data import Doc, Query, read_corpus, read_queries, split_label


@dataclass
class Examples:
    """The similar questions to attach, per corpus id, and what was left out and why."""

    similar: dict[str, list[str]] = field(default_factory=dict)  # corpus id -> questions, file order
    read: int = 0  # lines in the file
    unknown: int = 0  # left out: their label names no corpus entry (--skip-unknown)
    leaked: int = 0  # refused: also a query being evaluated
    repeated: int = 0  # the same phrasing listed twice for one entry: kept once

    @property
    def attached(self) -> int:
        return sum(len(questions) for questions in self.similar.values())

    def summary(self) -> dict[str, int]:
        return {"read": self.read, "attached": self.attached, "entries": len(self.similar),
                "left_out_unknown": self.unknown, "refused_also_a_query": self.leaked,
                "repeated": self.repeated}


def attach(examples: Path | None, corpus: Path, queries_path: Path, skip_unknown: bool,
           warnings: list[str]) -> Examples | None:
    """``read_examples`` for an evaluation's files (``eval run``, ``eval calibrate --corpus``):
    the corpus's entries and the queries evaluated read from their paths; None without examples."""
    if examples is None:
        return None
    return read_examples(examples, read_corpus(corpus), read_queries(queries_path), queries_path,
                         skip_unknown, warnings)


def read_examples(path: Path, docs: Sequence[Doc], queries: Sequence[Query], queries_path: Path,
                  skip_unknown: bool = False, warnings: list[str] | None = None) -> Examples:
    """The labelled questions of ``path`` as similar questions of the corpus ``docs``.

    ``queries`` are the queries the run evaluates (read from ``queries_path``): an example with
    the same words as one of them is refused (left out, with a warning). Raises
    ``DataFileError`` (file:line) for a label naming no entry (unless ``skip_unknown``), a label
    naming several entries or none, an example in another language than its entry, and one
    phrasing under two entries.
    """
    warnings = warnings if warnings is not None else []
    entries = {doc.id: doc for doc in docs}
    asked = {}
    for query in queries:
        asked.setdefault(key(query.text), query)
    # The title is the entry's question: an example with another entry's title as its words
    # would be one phrasing under two answers.
    owner: dict[str, tuple[str, str]] = {key(doc.title): (doc.id, f"{doc.id}'s title") for doc in docs
                                         if key(doc.title)}
    found = Examples()
    for example in read_queries(path):  # JSON, fields, unique ids, well-formed labels
        found.read += 1
        where = f"{path}:{example.line}"
        if len(example.relevant) != 1:
            raise DataFileError(path, example.line, (
                "an example must name the one corpus entry it asks about, in 'relevant'"
                if not example.relevant else
                f"an example names one corpus entry, this one names {len(example.relevant)} "
                f"({', '.join(example.relevant)}): a similar question belongs to one answer"))
        entry, anchor = split_label(example.relevant[0])
        problem = _unknown(entry, anchor, entries)
        if problem:
            if not skip_unknown:
                raise DataFileError(path, example.line, problem + "; --skip-unknown leaves such examples out")
            warnings.append(f"{where}: {problem}; example left out")
            found.unknown += 1
            continue
        text = " ".join(example.text.split())  # a similar question is one line
        phrasing = key(text)
        if not phrasing:
            raise DataFileError(path, example.line, f"example '{example.id}' has no words")
        doc = entries[entry]
        if example.lang != doc.lang:
            raise DataFileError(path, example.line, f"example '{example.id}' is {example.lang} but entry "
                                f"'{entry}' is {doc.lang}: a similar question is written in its answer's language")
        wrong = language_problem(doc.lang, text)
        if wrong and wrong[0] == "error":
            raise DataFileError(path, example.line, wrong[1])
        query = asked.get(phrasing)
        if query is not None:
            warnings.append(f"{where}: example '{example.id}' has the words of query '{query.id}' "
                            f"({queries_path}:{query.line}); refused: a query must not be handed to search as a "
                            "similar question")
            found.leaked += 1
            continue
        first = owner.get(phrasing)
        if first is not None and first[0] != entry:
            raise DataFileError(path, example.line, f"'{text}' is under '{entry}' here but also under "
                                f"'{first[0]}' ({first[1]}): search cannot tell which answer is meant; "
                                "keep it under one")
        if first is not None:
            found.repeated += 1  # the same phrasing twice for one entry (or its own title): once is enough
            continue
        owner[phrasing] = (entry, f"line {example.line}")
        questions = found.similar.setdefault(entry, [])
        questions.append(text)
    if found.unknown:
        warnings.append(f"{path}: {found.unknown} of {found.read} examples left out: their label names no "
                        "corpus entry")
    if found.leaked:
        warnings.append(f"{path}: {found.leaked} of {found.read} examples refused: each is also a query in "
                        f"{queries_path}")
    found.similar = {doc.id: found.similar[doc.id] for doc in docs if found.similar.get(doc.id)}
    return found


def _unknown(entry: str, anchor: str | None, entries: Mapping[str, Doc]) -> str | None:
    if entry not in entries:
        hint = difflib.get_close_matches(entry, sorted(entries), n=1, cutoff=0.6)
        return f"relevant id '{entry}' is not in the corpus" + (f" (did you mean '{hint[0]}'?)" if hint else "")
    if anchor is not None and anchor != ENTRY_ANCHOR:
        return (f"relevant label '{entry}#{anchor}': a corpus entry has one answer, "
                f"'{entry}#{ENTRY_ANCHOR}' (or name the entry alone)")
    return None

