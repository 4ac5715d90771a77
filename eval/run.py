"""One evaluation run: index a corpus with the real indexer, search every query with the real
search, score with standard metrics, and write the run's files."""
from __future__ import annotations

import csv
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from kb.embedders import Embedder, create_all
from kb.errors import DataFileError
from kb.search import Filters, SearchResult, search
from kb.settings import Settings
from eval import metrics
from eval.corpus import write_articles
from eval.data import Query, read_corpus, read_queries

TOP = 10


@dataclass
class Judged:
    query: Query
    result: SearchResult
    ranked: list[tuple[str, float]]  # article ids in the judged language, best first
    values: dict[str, float] = field(default_factory=dict)  # metric -> value; empty if unanswerable

    @property
    def rank(self) -> int | None:
        """Rank of the first relevant article (any of its passages), None if not in the list."""
        ids = [doc for doc, _ in self.ranked]
        return next((i for i, doc in enumerate(ids, 1) if doc in self.query.articles), None)

    @property
    def shown(self) -> str:
        """The passage shown first, as '<article id>#<anchor>' in the version shown ('' if none)."""
        best = self.result.best
        return f"{best.article.id}#{best.anchor}" if best else ""


@dataclass
class RunResult:
    name: str
    system: str
    judged: list[Judged]
    overall: dict[str, float]
    per_lang: dict[str, dict[str, float]]
    missing_top10: float
    unanswerable: dict[str, float]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    examples: dict[str, int] = field(default_factory=dict)  # --examples: what was attached, left out
    reliability: list[dict] = field(default_factory=list)  # confidence bins: queries, share right

    def summary(self) -> dict:
        return {"name": self.name, "system": self.system, "queries": len(self.judged),
                "answerable": sum(bool(j.query.relevant) for j in self.judged),
                "overall": self.overall, "per_lang": self.per_lang,
                "missing_top10": self.missing_top10, "unanswerable": self.unanswerable,
                "seconds": round(self.seconds, 1), "warnings": self.warnings,
                "reliability": self.reliability,
                **({"examples": self.examples} if self.examples else {})}


def judged_language(query: Query, articles: Mapping) -> str | None:
    langs = {articles[r].lang for r in query.articles if r in articles}
    return langs.pop() if len(langs) == 1 else None


def evaluate(settings: Settings, queries: Sequence[Query], system: str, embedders: Mapping[str, Embedder],
             name: str = "run", progress: bool = False) -> RunResult:
    """Search every query against the live index of ``settings`` and score the rankings.

    Relevant labels name articles or places in them (``a.en#q1``). The article-level measures
    judge the ranking of articles: a result counts in the language it is judged in, and any
    version of the right topic is right. Answer Success@1 judges the passage shown first: its
    topic and anchor must be a label's (any language version; an article label allows any
    anchor). A query whose relevant articles are all in another language than the query is
    cross-lingual: it searches only content in that language, so the answer has to be found
    across languages.
    """
    from indexer.index import Index  # the edge that opens Chroma; kept out of import time
    started = time.perf_counter()
    snapshot = Index.open(settings, embedders).snapshot()
    iterator = queries
    if progress and len(queries) > 50:
        from tqdm import tqdm
        iterator = tqdm(queries, desc=f"searching ({system})", unit="query")
    judged: list[Judged] = []
    for query in iterator:
        target = judged_language(query, snapshot.articles)
        cross = target is not None and target != query.lang
        result = search(query.text, snapshot, embedders, settings, ui_lang=query.lang,
                        filters=Filters(lang=target) if cross else None, system=system, limit=TOP)
        hits = ((result.best,) if result.best else ()) + result.others
        ranked = [(snapshot.translations(h.article).get(target or h.article.lang, h.article).id, h.score)
                  for h in hits]
        judged.append(Judged(query, result, ranked))
    answerable = {j.query.id: j.query.articles for j in judged if j.query.relevant}
    values = metrics.per_query(answerable, {j.query.id: j.ranked for j in judged})
    topics = {a.id: a.translation_group for a in snapshot.articles.values()}
    answers = metrics.answer_success({j.query.id: j.query.relevant for j in judged if j.query.relevant},
                                     {j.query.id: j.shown for j in judged}, topics)
    values = {q: {metrics.ANSWER: answers[q], **v} for q, v in values.items()}
    for j in judged:
        j.values = values.get(j.query.id, {})
    cross_ids = [j.query.id for j in judged if j.query.relevant
                 and judged_language(j.query, snapshot.articles) not in (None, j.query.lang)]
    per_lang = metrics.breakdown(values, {j.query.id: j.query.lang for j in judged}, cross_ids)
    no_answer = [j for j in judged if not j.query.relevant]
    answered = [j for j in judged if j.query.relevant]
    return RunResult(
        name=name, system=system, judged=judged, overall=metrics.aggregate(values),
        per_lang=per_lang,
        missing_top10=sum(v["Recall@10"] == 0 for v in values.values()) / max(len(values), 1),
        unanswerable={
            "queries": len(no_answer),
            "said_unsure": sum(j.result.unsure or j.result.status == "empty" for j in no_answer)
            / max(len(no_answer), 1),
            "answerable_said_unsure": sum(j.result.unsure for j in answered) / max(len(answered), 1),
            "answered_and_right": sum((not j.result.unsure) and j.values.get("Success@1") == 1.0
                                      for j in answered) / max(len(answered), 1),
            "answered_and_right_passage": sum((not j.result.unsure) and j.values.get(metrics.ANSWER) == 1.0
                                              for j in answered) / max(len(answered), 1),
            # Answered (not unsure) but the passage shown first does not answer; and the article.
            "confidently_wrong": sum((not j.result.unsure) and j.values.get(metrics.ANSWER) != 1.0
                                     for j in answered) / max(len(answered), 1),
            "confidently_wrong_article": sum((not j.result.unsure) and j.values.get("Success@1") != 1.0
                                             for j in answered) / max(len(answered), 1),
        },
        reliability=reliability(judged),
        seconds=time.perf_counter() - started)


def reliability(judged: Sequence[Judged], bins: int = 10) -> list[dict]:
    """How often the passage shown first is right, per band of confidence: a calibrated
    confidence of 0.7 should be right about 70% of the time. A query with no answer is never
    right; an empty query (no confidence at all) is left out."""
    rows = [{"low": i / bins, "high": (i + 1) / bins, "queries": 0, "right": 0} for i in range(bins)]
    for j in judged:
        if j.result.best is None:
            continue
        row = rows[min(int(j.result.confidence * bins), bins - 1)]
        row["queries"] += 1
        row["right"] += bool(j.query.relevant) and j.values.get(metrics.ANSWER) == 1.0
    return [{**row, "accuracy": row["right"] / row["queries"] if row["queries"] else None} for row in rows]


def reliability_table(rows: Sequence[dict]) -> str:
    lines = ["| confidence | queries | right (passage shown first) |", "|---|---|---|"]
    lines += [f"| {r['low']:.1f}-{r['high']:.1f} | {r['queries']} | "
              + (f"{r['accuracy']:.0%}" if r["accuracy"] is not None else "-") + " |" for r in rows]
    return "\n".join(lines) + "\n"


def index_corpus(corpus: Path, workdir: Path, settings: Settings, embedders: Mapping[str, Embedder],
                 progress: bool = False, similar: Mapping[str, Sequence[str]] | None = None,
                 warnings: list[str] | None = None) -> tuple[Settings, dict[str, list[str]]]:
    """Write the corpus as articles under ``workdir`` (``similar``: corpus id -> its similar
    questions) and build an index of them with the real indexer. Returns the settings pointing
    there and each corpus id's anchors."""
    from indexer.build import build
    docs = read_corpus(corpus)
    content = workdir / "content"
    write_articles(docs, content, corpus, similar, warnings)
    local = settings.replace(content_dir=content, data_dir=workdir / "data")
    report = build(local, embedders=embedders, progress=progress, require_translations=False)
    if report.errors:
        first = report.errors[0]
        raise DataFileError(corpus, 0, f"{len(report.errors)} documents could not be indexed, "
                                       f"e.g. {first.field}: {first.message}")
    return local, _live_anchors(local, embedders)


def run(queries_path: Path, out_dir: Path | None, settings: Settings, system: str = "hybrid",
        corpus: Path | None = None, skip_unknown: bool = False, progress: bool = False,
        embedders: Mapping[str, Embedder] | None = None, examples: Path | None = None) -> RunResult:
    """The whole of ``python -m eval run``. ``examples``: labelled questions attached to the
    corpus's entries as their similar questions (``eval.examples``)."""
    if examples is not None and corpus is None:
        raise DataFileError(examples, 0, "--examples needs --corpus: the bundled content's similar "
                                         "questions are written in its articles (or added with kb learn)")
    from eval.examples import attach
    warnings: list[str] = []
    attached = attach(examples, corpus, queries_path, skip_unknown, warnings)
    embedders = embedders or create_all(settings.embedders, settings.threads, settings.st_model)
    workdir = Path(tempfile.mkdtemp(prefix="kb-eval-"))
    try:
        if corpus is not None:
            local, known = index_corpus(corpus, workdir, settings, embedders, progress,
                                        attached.similar if attached else None, warnings)
        else:
            # The bundled content gets an index of its own beside the live one, so evaluating
            # another setup never disturbs the index a running portal serves.
            from indexer.build import build
            local = settings.replace(data_dir=settings.data_dir / "eval")
            build(local, embedders=embedders, progress=progress)
            known = _live_anchors(local, embedders)
        queries = read_queries(queries_path, known, skip_unknown, warnings)
        name = f"{(corpus or local.content_dir).stem}{f'+{examples.stem}' if examples else ''}" \
               f"-{queries_path.stem}-{system}"
        result = evaluate(local, queries, system, embedders, name, progress)
        result.warnings = warnings
        result.examples = attached.summary() if attached else {}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if out_dir is not None:
        write_run(result, out_dir)
    return result


def _live_anchors(settings: Settings, embedders) -> dict[str, list[str]]:
    """Every indexed article's id -> its anchors, in article order: what labels may name."""
    from indexer.index import Index
    articles = Index.open(settings, embedders).snapshot().articles
    return {a.id: [u.anchor for u in a.units] for a in articles.values()}


def write_run(result: RunResult, out_dir: Path) -> None:
    """TREC run file, qrels, per-query CSV, metrics JSON and a short markdown report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "run.trec", "w", encoding="utf-8") as handle:
        for j in result.judged:
            for rank, (doc, score) in enumerate(j.ranked, 1):
                handle.write(f"{j.query.id} Q0 {doc} {rank} {score:.6f} {result.name}\n")
    with open(out_dir / "qrels.trec", "w", encoding="utf-8") as handle:
        for j in result.judged:
            for doc in j.query.relevant:
                handle.write(f"{j.query.id} 0 {doc} 1\n")
    with open(out_dir / "per_query.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["query_id", "query", "language", "kind", "expected", "got", "shown", "rank",
                         "score", "confidence", "status", *metrics.NAMES])
        for j in result.judged:
            top = j.ranked[0] if j.ranked else ("", 0.0)
            writer.writerow([j.query.id, j.query.text, j.query.lang, j.query.kind, " ".join(j.query.relevant),
                             top[0], j.shown, j.rank or "", f"{top[1]:.6f}", f"{j.result.confidence:.3f}",
                             j.result.status, *(f"{j.values[m]:.4f}" if j.values else "" for m in metrics.NAMES)])
    (out_dir / "metrics.json").write_text(json.dumps(result.summary(), indent=2, ensure_ascii=False),
                                          encoding="utf-8")
    (out_dir / "report.md").write_text(report_markdown(result), encoding="utf-8")


def metrics_table(rows: Mapping[str, Mapping[str, float]]) -> str:
    names = [m for m in metrics.NAMES if all(m in values for values in rows.values())]
    header = "| | " + " | ".join(names) + " |\n|---|" + "---|" * len(names) + "\n"
    return header + "".join(f"| {name} | " + " | ".join(f"{values[m]:.3f}" for m in names) + " |\n"
                            for name, values in rows.items())


def report_markdown(result: RunResult, worst: int = 20) -> str:
    answerable = [j for j in result.judged if j.query.relevant]
    failures = sorted(answerable, key=lambda j: (j.values[metrics.ANSWER], j.values["MRR@10"], j.query.id))[:worst]
    lines = [f"# Evaluation: {result.name}", "",
             f"System `{result.system}`, {len(result.judged)} queries ({len(answerable)} with an answer), "
             f"{result.seconds:.0f} s.", "", metrics_table({"overall": result.overall, **result.per_lang}), "",
             f"Answer missing from the top {TOP}: {result.missing_top10:.1%}.", ""]
    u = result.unanswerable
    if u["queries"]:
        lines += [f"Queries with no good answer: {u['queries']}; search said it was unsure for "
                  f"{u['said_unsure']:.1%} of them.", ""]
    lines += [f"Answerable queries it was unsure of: {u['answerable_said_unsure']:.1%}; answered "
              f"confidently with the right article: {u['answered_and_right']:.1%}, with the right "
              f"passage: {u['answered_and_right_passage']:.1%}.", "",
              f"Confidently wrong (answered, not unsure, but the passage shown first does not answer): "
              f"{u['confidently_wrong']:.1%} of answerable queries (wrong article: "
              f"{u['confidently_wrong_article']:.1%}).", "",
              "## Reliability of the confidence", "", reliability_table(result.reliability),
              f"## The {len(failures)} worst queries", "",
              "(wrong passage shown first, then by article MRR@10; 'shown' is the passage shown first, "
              "'rank' the first relevant article's)", "",
              "| query | lang | expected | shown | answer | rank |", "|---|---|---|---|---|---|"]
    for j in failures:
        text = j.query.text.replace("|", "\\|")
        answer = "right" if j.values[metrics.ANSWER] == 1.0 else "wrong"
        lines.append(f"| {text} | {j.query.lang} | {' '.join(j.query.relevant)} | {j.shown or '(nothing)'} | "
                     f"{answer} | {j.rank or '-'} |")
    for warning in result.warnings:
        lines.append(f"\nWarning: {warning}")
    return "\n".join(lines) + "\n"
