"""The keyword index: our array-built BM25 scores exactly as stock bm25s does, and a build that
reuses stored tokens equals one that tokenises everything afresh."""
from __future__ import annotations

import random

import bm25s
import numpy as np
import pytest

from indexer import keyword_index
from indexer.keyword_index import EMPTY, KeywordIndex, TokenTable, VectorisedBM25


def corpus(seed: int = 3, docs: int = 60, vocabulary: int = 40) -> list[list[str]]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocabulary)]
    # Uneven lengths, repeated tokens, and an empty passage (stored as the EMPTY token).
    return [[rng.choice(words) for _ in range(rng.randint(1, 25))] for _ in range(docs - 1)] + [[]]


def table_of(documents: list[list[str]], order: list[str] | None = None) -> tuple[TokenTable, list[str]]:
    table = TokenTable()
    order = order or [f"p{i}" for i in range(len(documents))]
    for pid, tokens in zip(order, documents):
        table.add(pid, tokens)
    return table, order


@pytest.mark.parametrize("method", ["lucene", "robertson", "atire", "bm25l", "bm25+"])
def test_array_build_scores_exactly_as_stock_bm25s(method):
    table, order = table_of(corpus())
    ids = [table.rows[pid].tolist() for pid in order]
    stock, ours = bm25s.BM25(method=method), VectorisedBM25(method=method)
    stock.index((ids, dict(table.ids)), show_progress=False)
    ours.index(([table.rows[pid] for pid in order], dict(table.ids)), show_progress=False)
    for query in (["w1"], ["w2", "w3", "w2"], ["w39", "w0"], [EMPTY]):
        np.testing.assert_allclose(ours.get_scores(query), stock.get_scores(query), rtol=1e-6, atol=1e-7)


def test_a_build_from_stored_tokens_equals_a_fresh_build(tmp_path):
    documents = corpus()
    table, order = table_of(documents)
    keyword_index.build(table, order, tmp_path / "first")
    stored = TokenTable.load(tmp_path / "first")  # what the next build starts from
    stored.add("new", ["w5", "brand-new"])
    keyword_index.build(stored, order + ["new"], tmp_path / "second")
    fresh, _ = table_of(documents + [["w5", "brand-new"]], order + ["new"])
    keyword_index.build(fresh, order + ["new"], tmp_path / "fresh")
    incremental = KeywordIndex(tmp_path / "second", order + ["new"])
    afresh = KeywordIndex(tmp_path / "fresh", order + ["new"])
    for query in (["w5"], ["brand-new"], ["w1", "w7"], ["unknown"]):
        np.testing.assert_allclose(incremental.scores(query), afresh.scores(query), rtol=1e-6)
    assert incremental.scores(["brand-new"]).argmax() == len(order)
