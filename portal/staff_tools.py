"""The staff area's pure work, kept out of the Streamlit page so it can be tested and reused:
safe CSV exports, failed groups as labelled queries for QA, an article preview, the effect of
a fix (the group's queries searched again) and the tuning-set figures before and after."""
from __future__ import annotations

import csv
import html
import json
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from kb.parsing import parse_article
from kb.search import search
from kb.settings import PROJECT_ROOT
from portal.render import article_html, markdown_html

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TUNE_QUERIES = PROJECT_ROOT / "eval" / "queries" / "tune.jsonl"
TUNE_FIGURES = ("Success@1", "AnswerSuccess@1", "MRR@10", "Recall@5", "nDCG@10")


def safe_cell(value):
    """``value`` as a spreadsheet will show it, never run it: text starting with = + - @, a tab
    or a carriage return gets a leading apostrophe (OWASP's advice for CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(rows: list[dict]) -> bytes:
    """A table as CSV, UTF-8 with a byte-order mark so spreadsheet programs read Chinese right,
    every text cell neutralised by ``safe_cell``."""
    frame = pd.DataFrame(rows)
    for column in frame.columns:
        frame[column] = frame[column].map(safe_cell)
    # Every text cell quoted: pandas leaves a lone carriage return unquoted, which splits the row.
    return frame.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")


def passage_label(hit) -> str:
    """``<article id>#<anchor>`` of a search hit: the labelled-query format's passage label."""
    return f"{hit.article.id}#{hit.anchor}"


def labelled_queries(groups: Sequence[Mapping], confirmed: Mapping[str, str] | None = None,
                     languages: Mapping[str, str] | None = None) -> str:
    """Failed groups as labelled queries for QA (the evaluation's JSON lines), one line per
    distinct wording. ``relevant`` holds the passage a staff member confirmed for that wording
    (``confirmed``: query -> ``<article id>#<anchor>``), else it is left empty for QA to fill;
    ``suggested`` names the group's closest passage now (``closest``) as a starting point;
    ``group`` and ``searches`` say where the line came from. ``languages`` gives each query's
    language (else the group's first)."""
    confirmed = confirmed or {}
    languages = languages or {}
    lines = []
    for group in groups:
        for number, query in enumerate(group["queries"], 1):
            label = confirmed.get(query)
            lines.append(json.dumps({
                "id": f"failed-{group['group']}-{number}", "text": query,
                "lang": languages.get(query) or (group["languages"][0] if group["languages"] else ""),
                "relevant": [label] if label else [],
                "suggested": [group["closest"]] if group.get("closest") else [],
                "group": group["group"], "searches": group["searches"]}, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def closest_passage(question: str, lang: str, snapshot, embedders, settings) -> tuple[str, float]:
    """(passage label of the best hit, or "", confidence) for a group's question, searched now."""
    result = search(question, snapshot, embedders, settings, ui_lang=lang or "en")
    return (passage_label(result.best) if result.best else "", round(result.confidence, 2))


def requery(queries: Sequence[tuple[str, str]], snapshot, embedders, settings,
            expected: str | None = None) -> list[dict]:
    """The queries searched again on the live index: rows ``query``, ``lang``, ``status``
    (answered / unsure / ...), ``shown`` (the passage shown first), ``confidence`` and, with
    ``expected`` (``<article id>#<anchor>``), ``fixed``: the answer shown is that Q/A, in any
    language, and search is sure of it."""
    topic = anchor = None
    if expected:
        article_id, _, anchor = expected.partition("#")
        article = snapshot.articles.get(article_id)
        topic = article.translation_group if article else article_id.rsplit(".", 1)[0]
    rows = []
    for text, lang in queries:
        result = search(text, snapshot, embedders, settings, ui_lang=lang or "en")
        best = result.best
        row = {"query": text, "lang": lang, "status": result.status,
               "shown": passage_label(best) if best else "", "confidence": round(result.confidence, 2)}
        if expected:
            row["fixed"] = bool(best and best.article.translation_group == topic and best.anchor == anchor
                                and result.status == "answered")
        rows.append(row)
    return rows


def tune_figures(settings, embedders, queries_path: Path = TUNE_QUERIES) -> dict:
    """The tuning set's figures on the live index of ``settings`` (``eval.run.evaluate``):
    the measures of ``TUNE_FIGURES`` that the run reports, and ``unsure_when_no_answer``."""
    from eval.data import read_queries
    from eval.run import evaluate
    result = evaluate(settings, read_queries(queries_path), "hybrid", embedders, name="staff")
    figures = {name: round(float(result.overall[name]), 4) for name in TUNE_FIGURES if name in result.overall}
    figures["unsure_when_no_answer"] = round(float(result.unanswerable.get("said_unsure", 0.0)), 4)
    figures["queries"] = len(result.judged)
    return figures


def preview(root, relative_path: str, max_bytes: int, by_path: dict) -> tuple[str, list]:
    """(HTML as customers would see it, problems). A file that fails the check is still shown:
    its body, as far as it can be read, rendered the same safe way."""
    raw = (root / relative_path).read_bytes()
    result = parse_article(raw, relative_path, max_bytes)
    if result.article is not None:
        article = result.article
        return (f"<h1>{html.escape(article.title)}</h1>" + article_html(article, lang=article.lang, by_path=by_path),
                list(result.problems))
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("---"):  # skip a front matter block, closed or not
        end = text.find("\n---", 3)
        text = text[end + 4:] if end != -1 else ""
    return markdown_html(text[:200_000], path=relative_path, by_path=by_path), list(result.problems)


def failing_files(problems: Sequence) -> list[dict]:
    """Every content file that currently fails, with its errors (warnings and drafts aside):
    rows ``file``, ``line``, ``field``, ``error``, sorted by file and line."""
    return [{"file": p.path, "line": p.line, "field": p.field, "error": p.message}
            for p in sorted(problems) if p.severity == "error"]
