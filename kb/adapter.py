"""The content adapter: a linear map on a frozen model's query embeddings, learned from the content.

Each question heading, similar question (相似問法), article title and tag is a question whose
answer the content itself names: its unit (a heading or similar question), or its article (a title
or tag), in every language version. A matrix ``W``, started at the identity, is fitted so that
``normalise(q @ W)`` puts the most softmax weight on those answers' passage vectors (the passage
vectors themselves stay as the model made them). Pure numpy, seconds on a CPU, refitted at every
build from the content as it is then, so it never learns from the evaluation's queries.
(../shared/MODELS.md: e5 on the tuning queries 0.695 -> 0.830, cross-lingual 0.40 -> 0.76.)

Measured here (USE + BM25 with the learned ranker, 1 December 2026): tune out of fold answer /
article Success@1 0.756 / 0.869 without, 0.809 / 0.931 with; holdout 0.745 / 0.894 -> 0.807 /
0.925. ``keep`` chosen on tune (0.1: 0.775, 0.01: 0.788, 0.001: 0.809, 0: 0.800).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

from kb.articles import Article, Passage

SIMILAR = "similar"  # Passage.kind of a similar question (kb.features.SIMILAR)


@dataclass(frozen=True)
class Pair:
    """One training question and the passages (by position) that answer it, all equally."""

    text: str
    targets: tuple[int, ...]


def answer_passages(passages: Sequence[Passage]) -> list[int]:
    """Positions of the passages an adapter learns to find: every passage but the similar
    questions (a similar question's own passage would otherwise be the nearest wrong answer to
    itself, and the adapter would learn to push questions away from their own phrasings)."""
    return [i for i, passage in enumerate(passages) if passage.kind != SIMILAR]


def training_pairs(articles: Mapping[str, Article], passages: Sequence[Passage]) -> list[Pair]:
    """The content's own questions and their answers, as positions in ``answer_passages``, across
    every language version of an article. A text that asks for two different answers (the same
    heading in two articles) keeps both as targets."""
    by_unit: dict[tuple[str, str], list[int]] = {}
    by_topic: dict[str, list[int]] = {}
    for position, where in enumerate(answer_passages(passages)):
        passage = passages[where]
        article = articles.get(passage.article_id)
        if article is None:
            continue
        by_unit.setdefault((article.translation_group, passage.anchor), []).append(position)
        by_topic.setdefault(article.translation_group, []).append(position)
    asks: dict[str, set[int]] = {}
    for article in articles.values():
        topic = article.translation_group
        for text in (article.title, *article.tags):
            asks.setdefault(text.strip(), set()).update(by_topic.get(topic, ()))
        for unit in article.units:
            targets = by_unit.get((topic, unit.anchor), ())
            for text in ((unit.heading,) if unit.kind != "intro" else ()) + tuple(unit.similar):
                asks.setdefault(text.strip(), set()).update(targets)
    return [Pair(text, tuple(sorted(targets))) for text, targets in sorted(asks.items()) if text and targets]


def _normalised(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def fit(queries: np.ndarray, passages: np.ndarray, targets: Sequence[Iterable[int]], *,
        scale: float = 20.0, epochs: int = 10, rate: float = 0.002, keep: float = 0.001,
        batch: int = 256, seed: int = 0) -> np.ndarray:
    """The adapter matrix: ``queries`` (n x d, one row per pair), ``passages`` (m x d) and each
    query's target passage positions. Minimises the softmax cross-entropy of ``scale * (q W) . p``
    over every passage (the targets share the label), plus ``keep * |W - I|^2`` so the map stays
    near the model it adapts; Adam, mini-batches, a fixed seed (the same content gives the same
    matrix)."""
    queries = _normalised(np.asarray(queries, dtype=np.float32))
    passages = _normalised(np.asarray(passages, dtype=np.float32))
    n, d = queries.shape
    if passages.shape[1] != d:
        raise ValueError(f"query vectors are {d}-d but passage vectors {passages.shape[1]}-d")
    label = np.zeros((n, len(passages)), dtype=np.float32)
    for row, positions in enumerate(targets):
        positions = list(positions)
        if not positions:
            raise ValueError(f"pair {row} has no target passage")
        label[row, positions] = 1.0 / len(positions)
    identity = np.eye(d, dtype=np.float32)
    w = identity.copy()
    m, v = np.zeros_like(w), np.zeros_like(w)
    random = np.random.default_rng(seed)
    step = 0
    for _ in range(epochs):
        order = random.permutation(n)
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            q = queries[rows]
            logits = scale * (q @ w) @ passages.T
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            grad = scale * q.T @ ((p - label[rows]) @ passages) / len(rows) + 2 * keep * (w - identity)
            step += 1
            m = 0.9 * m + 0.1 * grad
            v = 0.999 * v + 0.001 * grad * grad
            w -= rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return w


def apply(matrix: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    """A query vector through the adapter, unit length again; unchanged without one."""
    if matrix is None:
        return vector
    return _normalised(np.asarray(vector, dtype=np.float32) @ matrix)


def success_at_1(matrix: np.ndarray | None, queries: np.ndarray, passages: np.ndarray,
                 targets: Sequence[Iterable[int]]) -> float:
    """Share of queries whose nearest passage (by cosine, after the adapter) is a target."""
    q = apply(matrix, _normalised(np.asarray(queries, dtype=np.float32)))
    best = np.argmax(q @ _normalised(np.asarray(passages, dtype=np.float32)).T, axis=1)
    return float(np.mean([b in set(t) for b, t in zip(best, targets)])) if len(best) else 0.0
