"""Failed searches grouped by meaning: the clustering, the threshold's measurement, the group rows,
and, with the real model and index, one need asked in different words and languages."""
from __future__ import annotations

import numpy as np
import pytest

from portal import staff_groups
from portal.staff_groups import choose_threshold, cluster, failed_groups, pairwise_scores


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


# Two tight pairs and a loner: cosine distance within a pair ~0.01, between the pairs ~0.9 on
# average, to the loner exactly 1.
VECTORS = np.vstack([unit(1, 0.1, 0, 0), unit(0, 1, 0.1, 0), unit(1, 0, 0.1, 0), unit(0.1, 1, 0, 0),
                     unit(0, 0, 0, 1)])


@pytest.mark.parametrize("distance, groups", [
    (0.001, [[0], [1], [2], [3], [4]]),
    (0.1, [[0, 2], [1, 3], [4]]),
    (0.95, [[0, 1, 2, 3], [4]]),
    (2.0, [[0, 1, 2, 3, 4]]),
])
def test_agglomerative_clustering_cuts_at_the_distance(distance, groups):
    assert cluster(VECTORS, distance) == groups


def test_clustering_nothing_or_one():
    assert cluster(np.zeros((0, 3)), 0.5) == [] and cluster(VECTORS[:1], 0.5) == [[0]]


@pytest.mark.parametrize("groups, scores", [
    ([[0, 1], [2, 3], [4]], {"precision": 1.0, "recall": 1.0, "f1": 1.0, "f0.5": 1.0, "pairs": 2}),
    ([[0], [1], [2], [3], [4]], {"precision": 1.0, "recall": 0.0, "f1": 0.0, "f0.5": 0.0, "pairs": 2}),
    ([[0, 1, 2, 3, 4]], {"precision": 0.2, "recall": 1.0, "f1": 0.3333, "f0.5": 0.2381, "pairs": 2}),
    ([[0, 1, 2], [3], [4]], {"precision": 0.3333, "recall": 0.5, "f1": 0.4, "f0.5": 0.3571, "pairs": 2}),
])
def test_pairwise_scores(groups, scores):
    assert pairwise_scores(groups, ["a", "a", "b", "b", "c"]) == scores


def test_the_threshold_is_the_one_that_groups_labelled_paraphrases_best():
    chosen = choose_threshold(VECTORS, ["x", "y", "x", "y", "z"], candidates=(0.001, 0.1, 0.95, 2.0))
    assert chosen["distance"] == 0.1 and chosen["f0.5"] == 1.0 and len(chosen["tried"]) == 4


def test_the_stored_threshold_says_how_it_was_chosen():
    stored = staff_groups.threshold()
    assert 0 < stored["distance"] < 1
    assert {"precision", "recall", "f0.5", "queries", "source"} <= set(stored)
    assert stored["queries"] >= 200 and "tune.jsonl" in stored["source"]


def failed(search_id, query, lang, answer, helpful=None, reasons="unsure"):
    return {"search_id": search_id, "query": query, "query_lang": lang, "top_article_id": answer,
            "helpful": helpful, "reasons": reasons}


def test_each_group_has_count_examples_languages_answer_and_helpful_rate():
    rows = [failed(10, "lost card", "en", "card-lost.en", False, "not_helpful"),
            failed(11, "pet insurance", "en", None),
            failed(12, "掛失 卡片", "zh-Hant", "card-lost.zh-Hant", True, "reformulated"),
            failed(13, "lost card", "en", "card-fees.en", None, "unsure,contacted"),
            failed(14, "lost  card", "en", "card-lost.en", False, "not_helpful")]
    vectors = np.vstack([VECTORS[0], VECTORS[4], VECTORS[2], VECTORS[0], VECTORS[2]])
    groups = failed_groups(rows, vectors, 0.1, topic_of=lambda a: a.split(".")[0])
    assert len(groups) == 2
    first, second = groups
    assert first == {
        "group": 10, "searches": 4, "question": "lost card", "examples": ["lost card", "掛失 卡片"],
        "languages": ["en", "zh-Hant"], "answer": "card-lost.en", "answer_share": 0.75,
        "helpful_share": 0.3333, "reasons": {"not_helpful": 2, "reformulated": 1, "unsure": 1, "contacted": 1},
        "queries": ["lost card", "掛失 卡片"], "search_ids": [10, 12, 13, 14]}
    assert (second["question"], second["answer"], second["helpful_share"]) == ("pet insurance", "", None)


@pytest.mark.model
def test_one_need_in_different_words_and_languages_is_one_group(small_index, embedders):
    from indexer.index import Index
    snapshot = Index.open(small_index, {"use": embedders["use"]}).snapshot()
    represent = staff_groups.QueryVectors(snapshot, {"use": embedders["use"]}, small_index)
    lost = [("I lost my card", "en"), ("my card is gone how do I block it", "en"),
            ("卡片不見了怎麼辦", "zh-Hant"), ("银行卡丢了怎么挂失", "zh-Hans")]
    limits = [("how do I raise my transfer limit", "en"), ("轉帳限額怎麼調高", "zh-Hant"),
              ("每天最多能转多少钱", "zh-Hans")]
    queries = lost + limits
    rows = [failed(n, text, lang, None) for n, (text, lang) in enumerate(queries)]
    groups = failed_groups(rows, represent(queries), staff_groups.threshold()["distance"])
    assert sorted(sorted(g["search_ids"]) for g in groups) == [[0, 1, 2, 3], [4, 5, 6]]
    assert represent(queries[:1]).shape[0] == 1 and len(represent._known) == len(queries)  # remembered


@pytest.mark.model
def test_the_staff_page_never_holds_the_model_for_a_whole_batch(small_index, embedders):
    """A customer's query gets the model between two staff queries, not after all of them."""
    import threading
    import time
    from indexer.index import Index
    model = {"use": embedders["use"]}
    represent = staff_groups.QueryVectors(Index.open(small_index, model).snapshot(), model, small_index)
    texts = [(f"failed question number {n} about my card", "en") for n in range(60)]
    staff = threading.Thread(target=represent, args=(texts,))
    staff.start()
    while not represent._known and staff.is_alive():
        time.sleep(0.001)
    embedders["use"].embed_query("I lost my card")  # the customer
    left = len(texts) - len(represent._known)
    staff.join()
    assert left > 0 and len(represent._known) == len(texts)
