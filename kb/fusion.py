"""Combine ranked lists from several retrievers into one ranking."""
from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Sequence


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[tuple[str, float]]], k: int = 60,
                           weights: Mapping[str, float] | None = None) -> list[tuple[str, float]]:
    """Score each item by the sum over lists of ``weight / (k + rank)`` (rank from 1).

    Cormack, Clarke and Buettcher (2009). Ranks, not raw scores, are fused, so BM25 scores and
    cosine similarities never need to share a scale.
    """
    scores: dict[str, float] = defaultdict(float)
    for name, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        for rank, (item, _score) in enumerate(ranking, start=1):
            scores[item] += weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def max_score(rankings: Mapping[str, Sequence[tuple[str, float]]], k: int = 60,
              weights: Mapping[str, float] | None = None) -> float:
    """The fused score an item would get by ranking first in every list."""
    return sum((1.0 if weights is None else weights.get(name, 1.0)) / (k + 1) for name in rankings)
