"""How sure search is of its best answer, when no fitted ranker is there to say.

With a fitted ranker (``kb.ranker``), the confidence is that model's calibrated probability that
the answer shown first is right. Without one (a setup nobody has calibrated yet), search falls
back to reciprocal rank fusion and this module's uncalibrated estimate: agreement between the
retrievers and the fused score. Results say which one they carry (``SearchResult.calibrated``).
"""
from __future__ import annotations

import math
from typing import Mapping, Sequence


def signals(fused: Sequence[tuple[str, float]], best_possible: float,
            lists: Mapping[str, Sequence[tuple[str, float]]]) -> dict[str, float]:
    """Features of one search. ``fused`` and each list rank article groups, best first;
    list names starting with ``dense:`` hold cosine similarities, ``keyword`` BM25 scores."""
    top = fused[0][0] if fused else None
    first = fused[0][1] / best_possible if fused else 0.0
    second = fused[1][1] / best_possible if len(fused) > 1 else 0.0
    tops = [ranking[0][0] for ranking in lists.values() if ranking]
    dense = [ranking for name, ranking in lists.items() if name.startswith("dense:") and ranking]
    keyword = lists.get("keyword") or []
    return {
        "fused": first,
        "margin": first - second,
        "agreement": sum(t == top for t in tops) / len(lists) if lists else 0.0,
        "dense_top": sum(r[0][1] for r in dense) / len(dense) if dense else 0.0,
        "keyword_top": math.log1p(keyword[0][1]) if keyword else 0.0,
    }


def uncalibrated(features: Mapping[str, float]) -> float:
    """Agreement between retrievers and the fused score: the most honest signal without a model."""
    return 0.5 * features["agreement"] + 0.5 * features["fused"]
