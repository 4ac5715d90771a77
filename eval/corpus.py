"""Turn an external labelled corpus into articles, so it is indexed by the real indexer."""
from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Mapping, Sequence

from kb.articles import LANGS
from kb.language import HANS, HANT, contradiction, detect
from kb.errors import DataFileError
from kb.parsing import ID_PATTERN
from eval.data import Doc

log = logging.getLogger(__name__)
_MARKDOWN_START = re.compile(r"^(\s*)([#>*+\-=|`~]|\d+[.)])")
ENTRY_ANCHOR = "q1"  # an entry is one FAQ question (its title) with its answer (its text)


def _escape(line: str) -> str:
    """Keep a line of plain corpus text from turning into a heading, list or quote."""
    return _MARKDOWN_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line)


def corpus_languages(docs: Sequence[Doc], source: Path, warnings: list[str] | None = None) -> dict[str, str]:
    """The language each document is indexed in, by id. An external corpus is taken as it
    comes: ``"lang": "zh"`` is read per line from its script (a line written only in characters
    common to both scripts takes the corpus's usual one), and a line whose text looks like
    another language than its label is indexed in the language it is written in, with a warning
    naming the line and a count."""
    found = {doc.id: (detect(doc.title + "\n" + doc.text) if doc.lang == "zh" else doc.lang) for doc in docs}
    variants = Counter(lang for lang in found.values() if lang in (HANT, HANS))
    usual = variants.most_common(1)[0][0] if variants else HANS
    langs, moved = {}, []
    for doc in docs:
        lang = found[doc.id]
        if doc.lang == "zh" and lang not in (HANT, HANS):
            lang = usual
        if lang not in LANGS:
            raise DataFileError(source, doc.line, f"lang '{doc.lang}' is not one of {', '.join(LANGS)} or zh")
        reason = contradiction(lang, doc.title + "\n" + doc.text)
        seen = detect(doc.title + "\n" + doc.text) if reason else None
        seen = usual if seen == "zh" else seen
        if reason and seen in LANGS and seen != lang:
            moved.append(f"{source}:{doc.line}: {reason}; indexed as {seen}")
            lang = seen
        langs[doc.id] = lang
    if moved and warnings is not None:
        warnings.append(f"{len(moved)} of {len(docs)} corpus lines look like another language than their "
                        f"label and were indexed in the language they are written in, e.g. "
                        + "; ".join(moved[:3]))
    for line in moved[:20]:  # the warning above counts them all
        log.warning("%s", line)
    return langs


def write_articles(docs: Sequence[Doc], root: Path, source: Path,
                   similar: Mapping[str, Sequence[str]] | None = None,
                   warnings: list[str] | None = None) -> None:
    """One FAQ article per document: the title as its question, the text as its answer, and
    ``similar[doc.id]`` (``eval run --examples``) as the question's similar-questions block.
    Languages as ``corpus_languages`` finds them."""
    langs = corpus_languages(docs, source, warnings)
    for doc in docs:
        if not ID_PATTERN.match(doc.id):
            raise DataFileError(source, doc.line, f"id '{doc.id}' cannot be an article id "
                                "(letters, digits, '.', '_' and '-' only)")
        doc = dataclasses.replace(doc, lang=langs[doc.id])
        paragraphs = [_escape(line.strip()) for line in doc.text.splitlines() if line.strip()]
        front = {"id": doc.id, "title": doc.title or doc.id, "lang": doc.lang, "type": "faq",
                 "category": "eval", "tags": [], "translation_group": doc.id,
                 "updated": date.today().isoformat()}
        body = "\n\n".join(paragraphs) or _escape(doc.title)
        text = "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in front.items())
        block = _similar_block((similar or {}).get(doc.id, ()))
        text += f"---\n## {_escape(doc.title or doc.id)}\n\n{block}{body}\n"
        path = root / "articles" / doc.lang / f"{doc.id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _similar_block(questions: Sequence[str]) -> str:
    """A ```similar block of one question per line; its fence is longer than any run of
    backticks in the questions, so no question can close it."""
    lines = [" ".join(q.split()) for q in questions if q.strip()]
    if not lines:
        return ""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}similar\n" + "\n".join(lines) + f"\n{fence}\n\n"
