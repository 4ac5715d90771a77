"""Standard retrieval metrics, computed by ir-measures (trec_eval underneath)."""
from __future__ import annotations

from statistics import mean
from typing import Iterable, Mapping, Sequence

import ir_measures
from ir_measures import RR, R, Success, nDCG

MEASURES = {"Success@1": Success @ 1, "Recall@5": R @ 5, "Recall@10": R @ 10,
            "MRR@10": RR @ 10, "nDCG@10": nDCG @ 10}


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


def aggregate(values: Mapping[str, Mapping[str, float]], query_ids: Iterable[str] | None = None) -> dict[str, float]:
    ids = list(values if query_ids is None else query_ids)
    if not ids:
        return {name: 0.0 for name in MEASURES}
    return {name: mean(values[q][name] for q in ids) for name in MEASURES}
