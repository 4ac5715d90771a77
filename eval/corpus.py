"""Turn an external labelled corpus into articles, so it is indexed by the real indexer."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Mapping, Sequence

from kb.articles import LANGS
from kb.errors import DataFileError
from kb.parsing import ID_PATTERN
from eval.data import Doc

_MARKDOWN_START = re.compile(r"^(\s*)([#>*+\-=|`~]|\d+[.)])")
ENTRY_ANCHOR = "q1"  # an entry is one FAQ question (its title) with its answer (its text)


def _escape(line: str) -> str:
    """Keep a line of plain corpus text from turning into a heading, list or quote."""
    return _MARKDOWN_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line)


def write_articles(docs: Sequence[Doc], root: Path, source: Path,
                   similar: Mapping[str, Sequence[str]] | None = None) -> None:
    """One FAQ article per document: the title as its question, the text as its answer, and
    ``similar[doc.id]`` (``eval run --examples``) as the question's similar-questions block."""
    for doc in docs:
        if not ID_PATTERN.match(doc.id):
            raise DataFileError(source, doc.line, f"id '{doc.id}' cannot be an article id "
                                "(letters, digits, '.', '_' and '-' only)")
        if doc.lang not in LANGS:
            raise DataFileError(source, doc.line, f"lang '{doc.lang}' is not one of {', '.join(LANGS)}")
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
