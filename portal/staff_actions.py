"""What a staff member can do about a failed group or a "No" comment, each recorded and reversible
(no Streamlit here):

- ``confirm``: the group's queries become similar questions of an existing Q/A (``kb.learned``;
  each query is learned for the version of the answer in its own language);
- ``add_synonym``: a line of words that mean the same, in one language, appended to
  ``synonyms.yml`` under a comment naming the action;
- ``start_draft``: a new FAQ draft (``kb new``'s template) with the group's questions as its
  headings; it stays out of the index until its template text is replaced.

Every action appends one JSON line to ``staff-actions.jsonl`` in the content folder (who, when,
what, and whatever figures the page measured before it), so it is versioned with the content it
changed; ``undo`` reverses one and records that too. The running portal re-indexes by itself
when the content changes (``KB_WATCH_CONTENT``).
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import yaml

from kb import learned, templates
from kb.errors import LearnError, StaffActionError
from kb.language import is_han
from kb.normalize import clean
from kb.redact import redact

LOG_FILE = "staff-actions.jsonl"
SYNONYMS_FILE = "synonyms.yml"
KINDS = ("confirm", "synonym", "draft", "undo")
_MARK = "# staff action {id}"
_LATIN = re.compile(r"[A-Za-z]")


def _now(now: datetime | None) -> str:
    return (now or datetime.now(timezone.utc)).replace(microsecond=0).isoformat()


def _new_id(now: str) -> str:
    return f"{re.sub(r'[^0-9T]', '', now)[:15]}-{secrets.token_hex(3)}"


def _who(by: str) -> str:
    by = " ".join((by or "").split())
    if not by:
        raise StaffActionError("say who you are: every change is recorded with a name")
    return by[:80]


def history(root: Path) -> list[dict]:
    """Every recorded action, newest first, each with ``undone_by`` (the undo's id, or None)."""
    path = Path(root) / LOG_FILE
    if not path.exists():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise StaffActionError(f"{LOG_FILE}:{number}: not valid JSON ({exc.msg})") from None
        records.append(record)
    undone = {r["undoes"]: r["id"] for r in records if r.get("action") == "undo"}
    return [{**r, "undone_by": undone.get(r["id"])} for r in reversed(records)]


def find(root: Path, action_id: str) -> dict:
    for record in history(root):
        if record["id"] == action_id:
            return record
    raise StaffActionError(f"no recorded action has the id '{action_id}'")


def confirm(root: Path, queries: Sequence[tuple[str, str]], answer: str, by: str, note: str = "", *,
            articles: Mapping, extra: Mapping | None = None, now: datetime | None = None) -> dict:
    """Learn each (query, language) for ``answer`` (``<article id>#<anchor>``) in the query's
    language where that version exists (else in the answer's own). Queries that cannot be
    learned (already learned, another language...) are listed with the reason; if none can be,
    nothing is recorded and ``StaffActionError`` says why."""
    by = _who(by)
    article_id, _, anchor = answer.partition("#")
    chosen = articles.get(article_id)
    if chosen is None or not anchor or not any(u.anchor == anchor for u in chosen.units):
        raise StaffActionError(f"'{answer}' is not a Q/A of the live content")
    versions = {a.lang: a for a in articles.values() if a.translation_group == chosen.translation_group}
    done, refused = [], []
    for text, lang in dict.fromkeys((" ".join(q.split()), code) for q, code in queries if q.strip()):
        version = versions.get(lang, chosen)
        target = f"{version.id}#{anchor}"
        try:
            entry = learned.add(root, text, target, by, note, articles=articles, now=now)
        except LearnError as exc:
            refused.append({"query": redact(text), "answer": target, "reason": str(exc)})
            continue
        done.append({"query": entry.query, "answer": target})
    if not done:
        reasons = "; ".join(f"'{r['query']}': {r['reason']}" for r in refused) or "no queries given"
        raise StaffActionError(f"nothing was learned: {reasons}")
    return _record(root, "confirm", by, now, extra,
                   summary=f"{len(done)} question(s) learned for {answer}",
                   details={"answer": answer, "learned": done, "refused": refused, "note": note})


def add_synonym(root: Path, words: Sequence[str], by: str, note: str = "", *,
                extra: Mapping | None = None, now: datetime | None = None) -> dict:
    """Append a synonym line (two or more words of one language) to ``synonyms.yml``."""
    by = _who(by)
    cleaned = list(dict.fromkeys(clean(redact(w)) for w in words if w and w.strip()))
    if len(cleaned) < 2:
        raise StaffActionError("a synonym line needs at least two different words")
    scripts = {_script(w) for w in cleaned}
    if "mixed" in scripts or len(scripts) > 1:
        raise StaffActionError("synonyms are used within one language: put English words and Chinese "
                               "words on separate lines")
    for word in cleaned:
        if len(word) < 2 or word.lower() in ("card", "account", "fee", "bank"):
            raise StaffActionError(f"'{word}' is too short or too general: it would match almost every question")
    path = Path(root) / SYNONYMS_FILE
    with _locked(root):
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        existing = yaml.safe_load(text) or [] if text else []
        wanted = {w.lower() for w in cleaned}
        for group in existing:
            if isinstance(group, list) and {str(w).lower() for w in group} >= wanted:
                raise StaffActionError(f"these words are already synonyms: {', '.join(map(str, group))}")
        stamp = _now(now)
        action_id = _new_id(stamp)
        line = yaml.safe_dump([cleaned], allow_unicode=True, default_flow_style=None, width=1000).strip()
        comment = f"{_MARK.format(id=action_id)}: {by}, {stamp}" + (f", {_one_line(note)}" if note else "")
        block = f"{comment}\n{line}\n"
        _write_atomically(path, (text if text.endswith("\n") or not text else text + "\n") + block)
        yaml.safe_load(path.read_text(encoding="utf-8"))  # never leave a file that does not parse
    return _record(root, "synonym", by, now, extra, action_id=action_id,
                   summary=f"synonyms added: {', '.join(cleaned)}", details={"words": cleaned, "note": note})


def start_draft(root: Path, questions: Sequence[tuple[str, str]], category: str, by: str, note: str = "", *,
                content, today: date | None = None, extra: Mapping | None = None,
                now: datetime | None = None) -> dict:
    """Write a new FAQ draft in the group's most common language, its questions in that language
    as headings (up to eight); the other languages' wordings go into the intro's placeholder."""
    by = _who(by)
    asked = [(" ".join(redact(q).split()), lang) for q, lang in questions if q.strip()]
    if not asked:
        raise StaffActionError("a draft needs at least one question to start from")
    lang = Counter(lang for _, lang in asked).most_common(1)[0][0]
    if lang not in templates._TEXT:
        lang = "en"
    headings = list(dict.fromkeys(q for q, code in asked if code == lang))[:8]
    others = list(dict.fromkeys(q for q, code in asked if code != lang))[:8]
    title = headings[0] if lang == "en" else None
    try:
        planned = templates.plan_new(Path(root), content, kind="faq", lang=lang, category=category,
                                     title=title, questions=headings, today=today or date.today(),
                                     note=("also asked: " + " | ".join(others)) if others else "")
    except ValueError as exc:
        raise StaffActionError(str(exc)) from None
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    files = [path.relative_to(root).as_posix() for path in planned]
    return _record(root, "draft", by, now, extra,
                   summary=f"draft started: {', '.join(files)}",
                   details={"files": files, "lang": lang, "questions": headings, "note": note})


def undo(root: Path, action_id: str, by: str, *, now: datetime | None = None) -> dict:
    """Reverse a recorded action and record the undo. A draft that has been finished (no template
    text left) is not deleted: it is an article now, to be removed by hand if meant."""
    by = _who(by)
    record = find(root, action_id)
    if record["action"] == "undo":
        raise StaffActionError("an undo cannot be undone; do the action again instead")
    if record["undone_by"]:
        raise StaffActionError(f"this action was already undone ({record['undone_by']})")
    root = Path(root)
    done: list = []
    if record["action"] == "confirm":
        for item in record["details"]["learned"]:
            try:
                learned.remove(root, item["query"], item["answer"])
                done.append(item)
            except LearnError:
                pass  # removed by hand meanwhile: nothing left to undo for it
    elif record["action"] == "synonym":
        path = root / SYNONYMS_FILE
        with _locked(root):
            lines = path.read_text(encoding="utf-8").split("\n")
            mark = _MARK.format(id=action_id)
            at = next((n for n, line in enumerate(lines) if line.startswith(mark)), None)
            if at is None:
                raise StaffActionError(f"{SYNONYMS_FILE} no longer has the lines of this action")
            done = lines[at:at + 2]
            _write_atomically(path, "\n".join(lines[:at] + lines[at + 2:]))
    elif record["action"] == "draft":
        from kb.parsing import parse_article
        for name in record["details"]["files"]:
            path = root / name
            if not path.exists():
                continue
            parsed = parse_article(path.read_bytes(), name, 1024 * 1024).article
            if parsed is not None and not templates.placeholders(parsed):
                raise StaffActionError(f"{name} has been finished into an article; delete it by hand if meant")
            path.unlink()
            done.append(name)
    return _record(root, "undo", by, now, None, undoes=action_id,
                   summary=f"undone: {record['summary']}", details={"reverted": done})


def _record(root: Path, action: str, by: str, now: datetime | None, extra: Mapping | None, *,
            summary: str, details: dict, action_id: str | None = None, undoes: str | None = None) -> dict:
    stamp = _now(now)
    record = {"id": action_id or _new_id(stamp), "at": stamp, "by": by, "action": action,
              "summary": summary, "details": details, **dict(extra or {})}
    if undoes:
        record["undoes"] = undoes
    path = Path(root) / LOG_FILE
    with _locked(root), open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return record


def _script(word: str) -> str:
    han = any(is_han(c) for c in word)
    latin = bool(_LATIN.search(word))
    return "mixed" if han and latin else ("zh" if han else "en")


def _one_line(text: str) -> str:
    return " ".join(redact(text).split())[:200]


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One staff action at a time, across threads and processes: a lock on the action log, which
    is only ever appended to (never replaced)."""
    with open(Path(root) / LOG_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
