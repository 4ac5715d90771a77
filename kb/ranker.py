"""The learned ranker: a logistic model over each candidate unit's features (``kb.features``),
fitted on the tuning queries by ``python -m eval calibrate``, with the calibrated confidence and
the close-call margin fitted beside it.

The fitted model is data, not code: ``<KB_RANKER_DIR>/ranker.<setup>.json`` holds the feature
names, their standardisation, the coefficients and the confidence model, one file per retrieval
setup (``dense-use+keyword``: the list names of the retrievers fused). JSON, never pickle: a
reviewer can read a refit's diff, and loading it runs no code.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from kb.errors import RankerFileError

FORMAT = 1
CONFIDENCE_FEATURES = ("top", "p1", "margin")


def setup_key(retrievers: Sequence[str]) -> str:
    """Name of a retrieval setup, e.g. ``dense-e5+dense-use+keyword``."""
    return "+".join(sorted(name.replace(":", "-") for name in retrievers))


def model_path(folder: Path, setup: str) -> Path:
    return Path(folder) / f"ranker.{setup}.json"


@dataclass(frozen=True)
class Ranker:
    setup: str
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    # The confidence: Platt scaling over CONFIDENCE_FEATURES of the topic scores, then these
    # features of the best candidate (how much evidence there is, not only how it compares).
    confidence_extra: tuple[str, ...] = ()
    confidence_mean: tuple[float, ...] = (0.0, 0.0, 0.0)
    confidence_scale: tuple[float, ...] = (1.0, 1.0, 1.0)
    confidence_coef: tuple[float, ...] = (0.0, 1.0, 0.0)
    confidence_intercept: float = 0.0
    close_margin: float = 0.0  # top two topics closer than this in probability: a close call
    threshold: float = 0.5  # confidence threshold chosen on the tuning queries (for the record)
    method: str = "pointwise"
    fitted_on: str = ""

    def matrix(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        return np.array([[row.get(name, 0.0) for name in self.features] for row in rows], dtype=float
                        ).reshape(len(rows), len(self.features))

    def scores(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """The model's score (a logit) of each candidate's features; higher is better."""
        x = (self.matrix(rows) - np.array(self.mean)) / np.array(self.scale)
        return x @ np.array(self.coef) + self.intercept

    def confidence_row(self, topic_scores: Sequence[float], best: Mapping[str, float]) -> list[float]:
        """What the confidence is computed from: the topics' scores (best first) and the best
        candidate's features."""
        probabilities = topic_probabilities(topic_scores)
        return (confidence_features(topic_scores, probabilities)
                + [float(best.get(name, 0.0)) for name in self.confidence_extra])

    def confidence(self, topic_scores: Sequence[float], best: Mapping[str, float]) -> tuple[float, np.ndarray]:
        """(probability that the answer shown first is right, each topic's share) from the
        topics' scores, best first, and the best candidate's features."""
        return self.probability(self.confidence_row(topic_scores, best)), topic_probabilities(topic_scores)

    def probability(self, row: Sequence[float]) -> float:
        x = (np.asarray(row, dtype=float) - np.array(self.confidence_mean)) / np.array(self.confidence_scale)
        return _sigmoid(self.confidence_intercept + float(np.dot(self.confidence_coef, x)))

    def to_json(self) -> str:
        record = {"format": FORMAT, **asdict(self)}
        for name in ("mean", "scale", "coef", "confidence_mean", "confidence_scale", "confidence_coef"):
            record[name] = [round(float(v), 6) for v in record[name]]
        return json.dumps(record, indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "ranker") -> "Ranker":
        try:
            record = json.loads(text)
            if record.pop("format", None) != FORMAT:
                raise ValueError(f"not format {FORMAT}")
            for name in ("features", "mean", "scale", "coef", "confidence_extra", "confidence_mean",
                         "confidence_scale", "confidence_coef"):
                if name in record:
                    record[name] = tuple(record[name])
            ranker = cls(**record)
        except (ValueError, TypeError, KeyError) as exc:
            raise RankerFileError(f"{source}: not a usable ranker file ({exc}); refit it with "
                                  "'python -m eval calibrate'") from None
        refit = "; refit it with 'python -m eval calibrate'"
        if not len(ranker.features) == len(ranker.mean) == len(ranker.scale) == len(ranker.coef):
            raise RankerFileError(f"{source}: features, mean, scale and coef differ in length{refit}")
        if not (len(CONFIDENCE_FEATURES) + len(ranker.confidence_extra) == len(ranker.confidence_mean)
                == len(ranker.confidence_scale) == len(ranker.confidence_coef)):
            raise RankerFileError(f"{source}: the confidence model's fields differ in length{refit}")
        return ranker


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))


def topic_probabilities(topic_scores: Sequence[float]) -> np.ndarray:
    """Softmax over the topics' scores: each topic's share of the belief."""
    scores = np.asarray(topic_scores, dtype=float)
    if scores.size == 0:
        return scores
    e = np.exp(scores - scores.max())
    return e / e.sum()


def confidence_features(topic_scores: Sequence[float], probabilities: np.ndarray) -> list[float]:
    """The best topic's score, its share and its lead over the second (CONFIDENCE_FEATURES)."""
    if len(probabilities) == 0:
        return [0.0, 0.0, 0.0]
    second = probabilities[1] if len(probabilities) > 1 else 0.0
    return [float(topic_scores[0]), float(probabilities[0]), float(probabilities[0] - second)]


@functools.lru_cache(maxsize=32)
def _load(path: Path, mtime: float) -> Ranker:
    return Ranker.from_json(path.read_text(encoding="utf-8"), str(path))


def load(folder: Path, setup: str) -> Ranker | None:
    """The fitted ranker of ``setup`` in ``folder``, or None when there is none (search then falls
    back to reciprocal rank fusion). A refit file is picked up by the next search."""
    path = model_path(folder, setup)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return _load(path, mtime)


def save(ranker: Ranker, folder: Path) -> Path:
    path = model_path(folder, ranker.setup)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(ranker.to_json(), encoding="utf-8")
    temporary.replace(path)
    return path


# --- fitting (scikit-learn is imported only here, by the calibration) ---

def fit(groups: Sequence[tuple[Sequence[Mapping[str, float]], Sequence[float]]], features: Sequence[str],
        setup: str, method: str = "pointwise", c: float = 1.0, fitted_on: str = "") -> Ranker:
    """Fit the ranking model on labelled queries.

    ``groups`` holds one (candidate feature rows, label weights) pair per query: a weight above 0
    marks a right answer (several right units of one query share a weight of 1). ``pointwise``
    fits P(right | features); ``pairwise`` fits which of a right and a wrong candidate of the same
    query is the right one (no intercept: only differences within a query count).
    """
    from sklearn.linear_model import LogisticRegression
    features = tuple(features)
    empty = Ranker(setup, features, (0.0,) * len(features), (1.0,) * len(features),
                   (0.0,) * len(features), 0.0, method=method, fitted_on=fitted_on)
    matrices = [empty.matrix(rows) for rows, _ in groups]
    every = np.vstack(matrices) if matrices else np.zeros((0, len(features)))
    if not len(every):
        raise ValueError("no candidates to learn from")
    mean = every.mean(axis=0)
    scale = every.std(axis=0)
    scale[scale < 1e-9] = 1.0
    standard = [(m - mean) / scale for m in matrices]
    weights = [np.asarray(w, dtype=float) for _, w in groups]
    if method == "pointwise":
        x = np.vstack(standard)
        y = np.concatenate([w > 0 for w in weights])
        sample = np.concatenate([np.where(w > 0, w, 1.0) for w in weights])
        model = LogisticRegression(C=c, max_iter=2000).fit(x, y, sample_weight=sample)
        coef, intercept = model.coef_[0], float(model.intercept_[0])
    elif method == "pairwise":
        diffs, sample = [], []
        for m, w in zip(standard, weights):
            right, wrong = np.flatnonzero(w > 0), np.flatnonzero(w <= 0)
            for i in right:
                for j in wrong:
                    diffs += [m[i] - m[j], m[j] - m[i]]
                    sample += [w[i] / max(len(wrong), 1)] * 2
        if not diffs:
            raise ValueError("no query has both a right and a wrong candidate")
        y = np.tile([1, 0], len(diffs) // 2)
        model = LogisticRegression(C=c, max_iter=2000, fit_intercept=False).fit(
            np.array(diffs), y, sample_weight=np.array(sample))
        coef, intercept = model.coef_[0], 0.0
    else:
        raise ValueError(f"unknown method {method!r}")
    return Ranker(setup, features, tuple(mean.tolist()), tuple(scale.tolist()), tuple(coef.tolist()),
                  intercept, method=method, fitted_on=fitted_on)


def fit_confidence(ranker: Ranker, rows: Sequence[Sequence[float]], right: Sequence[bool],
                   extra: Sequence[str] = (), c: float = 1.0) -> Ranker:
    """The ranker with its confidence model fitted: Platt scaling of confidence rows
    (``Ranker.confidence_row`` with ``extra`` features of the best candidate) of searches the
    ranker did not learn from, to whether the answer shown first was right."""
    from dataclasses import replace
    from sklearn.linear_model import LogisticRegression
    x = np.asarray(rows, dtype=float)
    y = np.asarray(right, dtype=bool)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    fitted = replace(ranker, confidence_extra=tuple(extra), confidence_mean=tuple(mean.tolist()),
                     confidence_scale=tuple(scale.tolist()))
    if y.all() or not y.any():
        return replace(fitted, confidence_coef=(0.0,) * x.shape[1],
                       confidence_intercept=4.0 if y.all() else -4.0)
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y)
    return replace(fitted, confidence_coef=tuple(float(v) for v in model.coef_[0]),
                   confidence_intercept=float(model.intercept_[0]))
