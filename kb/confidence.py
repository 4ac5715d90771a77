"""How sure search is of its best answer: a probability that it is right.

A few signals of each search are combined by a logistic model fitted on labelled queries
(``python -m eval calibrate``) and stored in ``calibration.json`` beside this module, one model
per retrieval setup. Below ``KB_CONFIDENCE_THRESHOLD`` the portal says it is unsure.
"""
from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Mapping, Sequence

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
FEATURES = ("fused", "margin", "agreement", "dense_top", "dense_margin", "keyword_top")


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
        "dense_margin": sum(r[0][1] - (r[1][1] if len(r) > 1 else 0.0) for r in dense) / len(dense)
        if dense else 0.0,
        "keyword_top": math.log1p(keyword[0][1]) if keyword else 0.0,
    }


@functools.cache
def _models(path: Path = CALIBRATION_FILE) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def setup_key(retrievers: Sequence[str]) -> str:
    """Name of a retrieval setup, e.g. ``dense:e5+dense:use+keyword``."""
    return "+".join(sorted(retrievers))


def confidence(features: Mapping[str, float], setup: str, path: Path = CALIBRATION_FILE) -> tuple[float, bool]:
    """(probability the best answer is right, whether a fitted model was used)."""
    model = _models(path).get(setup)
    if model is None:
        # Uncalibrated setup: agreement between retrievers is the most honest signal there is.
        return 0.5 * features["agreement"] + 0.5 * features["fused"], False
    z = model["intercept"] + sum(w * features[name] for name, w in zip(model["features"], model["coef"]))
    return 1.0 / (1.0 + math.exp(-z)), True
