"""``python -m kb tune-model``: the pairs it learns from (similar questions, aligned translations,
labelled tuning queries, never the held-out ones), batches without a repeated answer, and a real
few-step fine-tune whose folder loads as the ``st`` embedder."""
from __future__ import annotations

import json

import numpy as np
import pytest

from eval.data import read_queries
from eval.tune_model import Pair, TuneModelError, batches, content_pairs, tune
from kb.settings import PROJECT_ROOT, Settings


def test_pairs_come_from_similar_questions_translations_and_tuning_queries_only():
    settings = Settings.from_env({})
    pairs = content_pairs(settings)
    by_source = {source: [p for p in pairs if p.source == source] for source in ("similar", "translation", "query")}
    assert all(by_source.values())
    # An English question heading is paired with its unit in Chinese, and the other way round.
    assert any(p.question.isascii() and not p.passage.isascii() for p in by_source["translation"])
    assert any(not p.question.isascii() and p.passage.isascii() for p in by_source["translation"])
    questions = {p.question for p in pairs}
    holdout = read_queries(PROJECT_ROOT / "eval" / "queries" / "holdout.jsonl")
    assert not questions & {q.text for q in holdout}  # nothing is learned from the held-out set
    tune_texts = {q.text for q in read_queries(PROJECT_ROOT / "eval" / "queries" / "tune.jsonl")}
    assert {p.question for p in by_source["query"]} <= tune_texts


def test_no_batch_holds_one_answer_twice():
    pairs = [Pair(f"q{i}", f"answer {i % 3}", "similar") for i in range(12)]
    found = batches(pairs, size=4)
    assert all(len({p.passage for p in batch}) == len(batch) > 1 for batch in found)
    assert sum(len(b) for b in found) == 12  # three answers: every pair fits in a batch of three
    assert batches([Pair("a", "x", "similar"), Pair("b", "x", "similar")], size=4) == []


def test_an_output_folder_in_use_is_refused(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    with pytest.raises(TuneModelError, match="is not empty"):
        tune(Settings.from_env({}), tmp_path / "model", pairs=[Pair("a", "b", "similar")])


@pytest.mark.model
@pytest.mark.slow
def test_a_few_steps_of_fine_tuning_give_a_folder_the_st_embedder_loads(tmp_path):
    from kb.embedders import create
    pairs = [Pair("card gone", "Lost card / Freeze your card in the app.", "similar"),
             Pair("cant log in", "Login / Reset your password on the sign-in page.", "similar"),
             Pair("send money abroad", "Transfers / International transfers take two days.", "similar"),
             Pair("lost my card", "Lost card / Freeze your card in the app.", "similar"),
             Pair("forgot password", "Login / Reset your password on the sign-in page.", "similar"),
             Pair("overseas transfer", "Transfers / International transfers take two days.", "similar")]
    out = tmp_path / "tuned"
    report = tune(Settings.from_env({}), out, epochs=1, batch_size=3, pairs=pairs, progress=False)
    assert report["pairs"] == 6 and report["steps"] == 2 and report["by_source"]["similar"] == 6
    assert json.loads((out / "tune-model.json").read_text())["steps"] == 2
    embedder = create("st", st_model=str(out))
    vectors = embedder.embed_passages(["Freeze your card in the app.", "Reset your password."])
    query = embedder.embed_query("card gone")
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert float(vectors[0] @ query) > float(vectors[1] @ query)
