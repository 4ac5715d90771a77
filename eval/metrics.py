"""Standard retrieval metrics over article rankings, computed by ir-measures (trec_eval
underneath), and answer Success@1: whether the passage shown first is one that answers."""
from __future__ import annotations

from statistics import mean
from typing import Collection, Iterable, Mapping, Sequence

import ir_measures
from ir_measures import RR, R, Success, nDCG

from eval.data import passage_anchor, split_label

MEASURES = {"Success@1": Success @ 1, "Recall@5": R @ 5, "Recall@10": R @ 10,
            "MRR@10": RR @ 10, "nDCG@10": nDCG @ 10}
ANSWER = "AnswerSuccess@1"  # the passage shown first answers (topic and anchor), not just its article
NAMES = (ANSWER, *MEASURES)  # every per-query figure of a run, as reported


def per_query(qrels: Mapping[str, Sequence[str]], rankings: Mapping[str, Sequence[tuple[str, float]]]
              ) -> dict[str, dict[str, float]]:
    """Every metric for every labelled query. A query with no results scores 0 on everything
    (trec_eval would silently leave it out of the average)."""
    qrel_rows = [ir_measures.Qrel(q, d, 1) for q, docs in qrels.items() for d in docs]
    run_rows = [ir_measures.ScoredDoc(q, d, float(score)) for q, ranked in rankings.items()
                if q in qrels for d, score in _unique(ranked)]
    values = {q: {name: 0.0 for name in MEASURES} for q in qrels}
    names = {measure: name for name, measure in MEASURES.items()}
    for metric in ir_measures.iter_calc(list(MEASURES.values()), qrel_rows, run_rows):
        values[metric.query_id][names[metric.measure]] = float(metric.value)
    return values


def _unique(ranked: Sequence[tuple[str, float]]) -> Iterable[tuple[str, float]]:
    # trec_eval ranks by score; strictly falling scores keep our order when two are tied.
    seen = set()
    for position, (doc, _score) in enumerate(ranked):
        if doc not in seen:
            seen.add(doc)
            yield doc, float(len(ranked) - position)


def answer_success(qrels: Mapping[str, Sequence[str]], shown: Mapping[str, str | None],
                   topic_of: Mapping[str, str]) -> dict[str, float]:
    """Answer Success@1 of every labelled query: 1.0 when the passage shown first is at a
    relevant place, else 0.0.

    ``qrels`` maps a query to its labels (``"a.en#q1"``: the unit at anchor q1; ``"a.en"``: any
    passage of it); ``shown`` maps it to the id of the passage shown first (None: nothing shown).
    A part of a long unit (``#q1/2``) and a similar question (``#q1~3``) stand for their unit.
    ``topic_of`` maps article ids to their translation group: anchors are language-neutral, so a
    label is right in every language version of its topic. Ids it lacks are their own topic.
    """
    values = {}
    for query, labels in qrels.items():
        right = False
        if shown.get(query):
            article, anchor = passage_anchor(shown[query])
            topic = topic_of.get(article, article)
            for label in labels:
                want_article, want_anchor = split_label(label)
                if topic_of.get(want_article, want_article) == topic and want_anchor in (None, anchor):
                    right = True
                    break
        values[query] = float(right)
    return values


def aggregate(values: Mapping[str, Mapping[str, float]], query_ids: Iterable[str] | None = None) -> dict[str, float]:
    """Mean of each figure over the queries (all of them by default): the standard measures and,
    when every query has it, answer Success@1 first."""
    ids = list(values if query_ids is None else query_ids)
    if not ids:
        return {name: 0.0 for name in MEASURES}
    names = [name for name in NAMES if all(name in values[q] for q in ids)]
    return {name: mean(values[q][name] for q in ids) for name in names}


def breakdown(values: Mapping[str, Mapping[str, float]], langs: Mapping[str, str],
              cross: Collection[str] = ()) -> dict[str, dict[str, float]]:
    """Mean figures per query language (sorted), then over the cross-lingual queries (those in
    ``cross``) as ``"cross-lingual"`` when there are any. ``values`` holds the queries counted."""
    rows = {lang: aggregate(values, [q for q in values if langs[q] == lang])
            for lang in sorted({langs[q] for q in values})}
    crossing = [q for q in values if q in set(cross)]
    if crossing:
        rows["cross-lingual"] = aggregate(values, crossing)
    return rows
