"""Learned questions: customer questions that staff confirmed an answer for (the loop).

They live in ``content/learned-questions.yml``, beside the articles, so every one is versioned
and reviewed in diffs like any content change::

    - query: card swallowed by atm what now
      answer: atm-withdrawal.en#q4        # <article id>#<anchor>
      by: mlin
      at: '2026-12-01T04:10:00+00:00'
      note: from failed searches, week 48  # optional

When content is loaded, each valid entry becomes a similar question of its unit, and the
article's content hash covers it, so the next (incremental) build re-embeds that article only.
``add`` and ``remove`` are the API the command line (``python -m kb learn``) and the staff area
call: they check the entry against the content, redact personal data, and rewrite the file
atomically under a lock.
"""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

import yaml

from kb.articles import Article, Unit
from kb.errors import LearnError, Problem
from kb.normalize import clean
from kb.redact import PLACEHOLDERS, findings, redact
from kb.similar import key, language_problem, length_problem

LEARNED_FILE = "learned-questions.yml"
FIELDS = ("query", "answer", "by", "at", "note")
_HEADER = """\
# Learned questions: customer questions that staff confirmed an answer for.
# Each becomes a similar question of its answer (<article id>#<anchor>) at the next index build.
# Written by 'python -m kb learn' and the staff area; reviewed in diffs like any content change.
"""


@dataclass(frozen=True)
class LearnedQuestion:
    query: str
    answer: str  # "<article id>#<anchor>"
    by: str = ""
    at: str = ""  # ISO 8601 time
    note: str = ""
    line: int = 0  # 1-based line of the entry in the file

    @property
    def article_id(self) -> str:
        return self.answer.partition("#")[0]

    @property
    def anchor(self) -> str:
        return self.answer.partition("#")[2]

    def as_record(self) -> dict[str, str]:
        record = {"query": self.query, "answer": self.answer, "by": self.by, "at": self.at}
        return {**record, "note": self.note} if self.note else record


def path_in(root: Path) -> Path:
    return Path(root) / LEARNED_FILE


def parse(text: str, path: str = LEARNED_FILE) -> tuple[list[LearnedQuestion], list[Problem]]:
    """The entries of a learned-questions file and the problems of its form (not of its answers:
    see ``merge``). An entry with an error is left out."""
    problems: list[Problem] = []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if context is not None and context.line + 1 != line:
            what += f" (in the value that starts on line {context.line + 1})"
        return [], [Problem(path, line, "yaml", f"invalid YAML: {what}")]
    if node is None:
        return [], []
    if not isinstance(node, yaml.SequenceNode):
        return [], [Problem(path, node.start_mark.line + 1, "yaml",
                            "expected a list of entries, each starting with '- query: ...'")]
    entries = []
    for item in node.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(path, line, "yaml", "an entry needs 'query:' and 'answer:' fields"))
            continue
        fields: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in item.value:
            name = str(key_node.value)
            lines[name] = key_node.start_mark.line + 1
            if name not in FIELDS:
                problems.append(Problem(path, lines[name], name, f"unknown field '{name}' (a typo?); "
                                        f"use {', '.join(FIELDS)}", "warning"))
                continue
            # A scalar's text as written (an unquoted time stays text); a list or mapping is refused.
            fields[name] = value_node.value if isinstance(value_node, yaml.ScalarNode) else value_node
        entry, entry_problems = _entry(fields, lines, line, path)
        problems += entry_problems
        if entry is not None:
            entries.append(entry)
    return entries, problems


def _entry(fields: dict[str, Any], lines: dict[str, int], line: int,
           path: str) -> tuple[LearnedQuestion | None, list[Problem]]:
    problems = []
    text = {name: fields[name] for name in FIELDS if isinstance(fields.get(name), str)}
    for name in FIELDS:
        if name in fields and name not in text:
            problems.append(Problem(path, lines[name], name, f"'{name}' must be text"))
    query = clean(text.get("query", ""))
    if not query:
        problems.append(Problem(path, lines.get("query", line), "query", "the entry has no query"))
    answer = text.get("answer", "").strip()
    if not answer:
        problems.append(Problem(path, lines.get("answer", line), "answer", "the entry has no answer: "
                                "write answer: <article id>#<anchor>, like card-lost-freeze.en#q1"))
    elif answer.count("#") != 1 or not all(answer.split("#")):
        problems.append(Problem(path, lines["answer"], "answer", f"'{answer}' is not <article id>#<anchor>, "
                                "like card-lost-freeze.en#q1"))
    if query and findings(query):
        problems.append(Problem(path, lines["query"], "query", f"'{redact(query)}' holds personal data "
                                "(card, ID or phone number, e-mail); remove it"))
    for name in ("by", "at"):
        if not text.get(name, "").strip():
            problems.append(Problem(path, lines.get(name, line), name, f"the entry has no '{name}': say "
                                    "who confirmed it and when, for the review", "warning"))
    at = text.get("at", "").strip()
    if at and _as_time(at) is None:
        problems.append(Problem(path, lines["at"], "at", f"'{at}' is not a time: write it as "
                                "2026-12-01T04:10:00+00:00", "warning"))
    if any(p.severity == "error" for p in problems):
        return None, problems
    return LearnedQuestion(query, answer, text.get("by", "").strip(), at, text.get("note", "").strip(),
                           line), problems


def _as_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def load(root: Path) -> tuple[list[LearnedQuestion], list[Problem]]:
    """The entries of ``root/learned-questions.yml`` (none if there is no such file)."""
    file = path_in(root)
    if not file.exists():
        return [], []
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(LEARNED_FILE, 1, "encoding", "the file is not UTF-8")]
    except OSError as exc:
        return [], [Problem(LEARNED_FILE, 1, "file", f"cannot be read: {exc.strerror or exc}")]
    return parse(text)


def merge(articles: Mapping[str, Article], entries: list[LearnedQuestion],
          path: str = LEARNED_FILE) -> tuple[dict[str, Article], list[Problem]]:
    """``articles`` with each good entry added to its unit's similar questions (line 0), and the
    problems of the entries that cannot be used: unknown answer, wrong language, repeats."""
    problems: list[Problem] = []
    added: dict[str, dict[str, list[str]]] = {}  # article id -> anchor -> queries
    seen: dict[tuple[str, str], LearnedQuestion] = {}
    for entry in entries:
        where = _check(entry, articles, path, problems)
        if where is None:
            continue
        article, unit = where
        earlier = seen.setdefault((entry.answer, key(entry.query)), entry)
        if earlier is not entry:
            problems.append(Problem(path, entry.line, "query", f"'{entry.query}' is already learned for "
                                    f"{entry.answer} on line {earlier.line}; remove this one", "warning"))
            continue
        own = next((n for q, n in zip(unit.similar, unit.similar_lines) if key(q) == key(entry.query)), None)
        if own is not None or key(unit.heading) == key(entry.query):
            place = f"{article.path}:{own}" if own else f"the question itself ({article.path}:{unit.line})"
            problems.append(Problem(path, entry.line, "query", f"'{entry.query}' is already a similar "
                                    f"question of {entry.answer}: {place}; remove this one", "warning"))
            continue
        added.setdefault(article.id, {}).setdefault(unit.anchor, []).append(entry.query)
    merged = dict(articles)
    for article_id, by_anchor in added.items():
        merged[article_id] = _with_learned(articles[article_id], by_anchor)
    return merged, problems


def _check(entry: LearnedQuestion, articles: Mapping[str, Article], path: str,
           problems: list[Problem]) -> tuple[Article, Unit] | None:
    article = articles.get(entry.article_id)
    if article is None:
        problems.append(Problem(path, entry.line, "answer", f"no article has the id '{entry.article_id}'"))
        return None
    unit = next((u for u in article.units if u.anchor == entry.anchor), None)
    if unit is None:
        problems.append(Problem(path, entry.line, "answer", f"{article.id} has no '{entry.anchor}': use one of "
                                f"{', '.join(u.anchor for u in article.units)}"))
        return None
    found = language_problem(article.lang, entry.query)
    if found:
        severity, message = found
        problems.append(Problem(path, entry.line, "query", message + _other_version(entry, article, articles),
                                severity))
        if severity == "error":
            return None
    too_long = length_problem(entry.query)
    if too_long:
        problems.append(Problem(path, entry.line, "query", too_long, "warning"))
    return article, unit


def _other_version(entry: LearnedQuestion, article: Article, articles: Mapping[str, Article]) -> str:
    """A hint naming the translations of the answer whose language the query is in."""
    fits = [f"{other.id}#{entry.anchor}" for other in articles.values()
            if other.translation_group == article.translation_group and other.lang != article.lang
            and language_problem(other.lang, entry.query) is None]
    return f"; is it a question for {' or '.join(fits)}?" if fits else ""


def _with_learned(article: Article, by_anchor: dict[str, list[str]]) -> Article:
    units = tuple(dataclasses.replace(u, similar=u.similar + tuple(by_anchor[u.anchor]),
                                      similar_lines=u.similar_lines + (0,) * len(by_anchor[u.anchor]))
                  if u.anchor in by_anchor else u for u in article.units)
    # The hash covers the learned questions, so an incremental build re-embeds this article
    # (and only this one) when they change.
    folded = "\n".join(f"{anchor}\t{q}" for anchor, queries in sorted(by_anchor.items()) for q in queries)
    digest = hashlib.sha256(f"{article.content_hash}\n{folded}".encode("utf-8")).hexdigest()
    return dataclasses.replace(article, units=units, content_hash=digest)


def add(root: Path, query: str, answer: str, by: str, note: str = "", *,
        articles: Mapping[str, Article] | None = None, now: datetime | None = None) -> LearnedQuestion:
    """Learn that ``query`` is answered by ``answer`` (``<article id>#<anchor>``): append it to
    the learned-questions file. Personal data is redacted first. Raises ``LearnError`` saying why
    when the answer is unknown, the query is empty, in another language than the answer, or
    already a similar question (of this or any other answer). ``articles`` defaults to the
    content loaded from ``root``."""
    root = Path(root)
    query = clean(redact(clean(query or "")))
    answer = (answer or "").strip()
    if not query:
        raise LearnError("the query is empty")
    words = query
    for placeholder in PLACEHOLDERS.values():
        words = words.replace(placeholder, " ")
    if not key(words):
        raise LearnError(f"'{query}' has no words left to learn from once personal data is removed")
    if not (by or "").strip():
        raise LearnError("say who confirmed this answer (--by NAME)")
    at = (now or datetime.now(timezone.utc)).replace(microsecond=0).isoformat()
    entry = LearnedQuestion(query, answer, by.strip(), at, (note or "").strip())
    with _locked(root):
        entries, _ = load(root)
        if articles is None:
            articles = _articles(root)
        base = _without_learned(articles)
        problems: list[Problem] = []
        if answer.count("#") != 1 or not all(answer.split("#")):
            raise LearnError(f"'{answer}' is not <article id>#<anchor>, like card-lost-freeze.en#q1")
        where = _check(entry, base, LEARNED_FILE, problems)
        errors = [p.message for p in problems if p.severity == "error"]
        if where is None or errors:
            raise LearnError("; ".join(errors))
        for other in entries:
            if key(other.query) == key(query):
                same = "this answer" if other.answer == answer else other.answer
                raise LearnError(f"'{query}' is already learned for {same} ({LEARNED_FILE}:{other.line})")
        clash = _similar_elsewhere(query, base)
        if clash is not None:
            raise LearnError(f"'{query}' is already a similar question of {clash}")
        text = _read(root)
        block = yaml.safe_dump([entry.as_record()], allow_unicode=True, sort_keys=False, width=1000)
        prefix = text if text.strip() else _HEADER
        if prefix and not prefix.endswith("\n"):
            prefix += "\n"
        _write_atomically(path_in(root), prefix + block)
        line = prefix.count("\n") + 1
    return dataclasses.replace(entry, line=line)


def remove(root: Path, query: str, answer: str) -> LearnedQuestion:
    """Undo ``add``: remove the entry learning ``query`` for ``answer`` (compared as similar
    questions are: case, width and punctuation aside). Raises ``LearnError`` if there is none."""
    root = Path(root)
    wanted = key(redact(clean(query or "")))
    with _locked(root):
        text = _read(root)
        entries, _ = parse(text) if text else ([], [])
        found = next((e for e in entries if key(e.query) == wanted and e.answer == answer.strip()), None)
        if found is None:
            learned = [e.answer for e in entries if key(e.query) == wanted]
            hint = f" (it is learned for {', '.join(learned)})" if learned else ""
            raise LearnError(f"'{query}' is not learned for {answer}{hint}")
        start, end = _entry_lines(text, found.line)
        lines = text.split("\n")
        _write_atomically(path_in(root), "\n".join(lines[:start] + lines[end:]))
    return found


def _entry_lines(text: str, line: int) -> tuple[int, int]:
    """0-based [start, end) lines of the entry that starts on 1-based ``line``: its own lines,
    not the comments or blank lines after it."""
    for item in yaml.compose(text, Loader=yaml.SafeLoader).value:
        if item.start_mark.line + 1 == line:
            end = max(v.end_mark.line + (1 if v.end_mark.column else 0) for _, v in item.value)
            return item.start_mark.line, end
    raise LearnError(f"{LEARNED_FILE} changed while it was read; try again")


def _similar_elsewhere(query: str, articles: Mapping[str, Article]) -> str | None:
    """Where ``query`` is already a similar question or a question heading, in the content."""
    wanted = key(query)
    for article in articles.values():
        for unit in article.units:
            for question, line in zip(unit.similar, unit.similar_lines):
                if key(question) == wanted:
                    return f"{article.id}#{unit.anchor} ({article.path}:{line})"
            if unit.kind == "question" and key(unit.heading) == wanted:
                return f"{article.id}#{unit.anchor}: it is that question itself ({article.path}:{unit.line})"
    return None


def _without_learned(articles: Mapping[str, Article]) -> dict[str, Article]:
    """The articles with only their own similar questions (learned ones have line 0)."""
    def own(unit: Unit) -> Unit:
        kept = [(q, n) for q, n in zip(unit.similar, unit.similar_lines) if n]
        return dataclasses.replace(unit, similar=tuple(q for q, _ in kept),
                                   similar_lines=tuple(n for _, n in kept))
    return {k: dataclasses.replace(a, units=tuple(own(u) for u in a.units)) for k, a in articles.items()}


def _articles(root: Path) -> dict[str, Article]:
    from kb.content import load_content  # content loading merges learned questions: no cycle at import
    return load_content(root).articles


def _read(root: Path) -> str:
    file = path_in(root)
    return file.read_text(encoding="utf-8-sig") if file.exists() else ""


def _write_atomically(path: Path, text: str) -> None:
    """Write a sibling temporary file, flush it to disk, then rename it over ``path``: readers
    (the content watcher, a build) see the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One writer at a time (the command line, several portal processes): an exclusive lock on
    the content folder itself, which no rename replaces (a lock on the file would be lost when
    the file is replaced) and which leaves no lock file behind."""
    root.mkdir(parents=True, exist_ok=True)
    handle = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        os.close(handle)
