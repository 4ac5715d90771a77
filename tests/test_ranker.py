"""The learned ranker: it learns an obvious rule from a tiny hand-made set, its file is readable
JSON that round-trips, its confidence follows the evidence, and the calibration's choices (the
threshold and the close-call margin) do what they say on hand-made outcomes."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from eval.calibrate import Outcome, choose_close_margin, choose_threshold, rates
from kb import ranker


def tiny_set(queries: int, seed: int):
    """Per query, five candidates; the right one has the highest 'match' (plus noise features
    that say nothing), the rule a ranker must find."""
    rng = random.Random(seed)
    groups = []
    for _ in range(queries):
        rows = [{"match": rng.uniform(0, 0.6), "noise": rng.uniform(-1, 1), "length": rng.uniform(0, 50)}
                for _ in range(5)]
        right = rng.randrange(5)
        rows[right]["match"] = rng.uniform(0.55, 1.0)
        rows[right]["match"] = max(rows[right]["match"], max(r["match"] for r in rows) + 0.01)
        groups.append((rows, [1.0 if i == right else 0.0 for i in range(5)]))
    return groups


@pytest.mark.parametrize("method", ["pointwise", "pairwise"])
def test_the_ranker_learns_the_obvious_rule(method):
    model = ranker.fit(tiny_set(40, seed=1), ["match", "noise", "length"], "test", method)
    weights = dict(zip(model.features, model.coef))
    assert weights["match"] > 1.0 > abs(weights["noise"]) and abs(weights["length"]) < 1.0
    unseen = tiny_set(50, seed=2)
    firsts = [int(np.argmax(model.scores(rows))) == labels.index(1.0) for rows, labels in unseen]
    assert sum(firsts) >= 0.95 * len(unseen)  # the rule holds on queries it never saw


def test_an_unknown_method_and_an_empty_set_are_refused():
    with pytest.raises(ValueError, match="unknown method"):
        ranker.fit(tiny_set(3, seed=1), ["match"], "test", "listwise")
    with pytest.raises(ValueError, match="no candidates"):
        ranker.fit([], ["match"], "test")


def test_the_model_file_is_json_and_round_trips(tmp_path):
    model = ranker.fit(tiny_set(20, seed=3), ["match", "noise"], "dense-use+keyword", "pairwise",
                       fitted_on="tiny")
    path = ranker.save(model, tmp_path)
    assert path.name == "ranker.dense-use+keyword.json"
    record = json.loads(path.read_text(encoding="utf-8"))  # plain JSON, nothing to unpickle
    assert record["format"] == ranker.FORMAT and record["features"] == ["match", "noise"]
    loaded = ranker.load(tmp_path, "dense-use+keyword")
    rows = tiny_set(5, seed=4)[0][0]
    assert np.allclose(loaded.scores(rows), model.scores(rows), atol=1e-4)
    assert ranker.load(tmp_path, "dense-e5+keyword") is None  # no model: search falls back to RRF


@pytest.mark.parametrize("text, message", [
    ("{not json", "not a usable ranker file"),
    ('{"format": 99}', "not format 1"),
    ('{"format": 1, "setup": "x", "features": ["a"], "mean": [0], "scale": [1], "coef": [1, 2], '
     '"intercept": 0}', "differ in length"),
])
def test_a_damaged_model_file_is_a_clear_error(tmp_path, text, message):
    (tmp_path / "ranker.keyword.json").write_text(text, encoding="utf-8")
    with pytest.raises(ranker.RankerFileError, match=message) as error:
        ranker.load(tmp_path, "keyword")
    assert "ranker.keyword.json" in str(error.value) and "eval calibrate" in str(error.value)


def test_setup_names_do_not_depend_on_order():
    assert ranker.setup_key(["keyword", "dense:use"]) == ranker.setup_key(["dense:use", "keyword"]) \
        == "dense-use+keyword"


def test_the_confidence_rises_with_the_lead_of_the_best_topic():
    rng = np.random.default_rng(5)
    model = ranker.fit(tiny_set(10, seed=5), ["match"], "test")
    rows, right = [], []
    for _ in range(300):  # searches whose best topic leads by more are right more often
        lead = rng.uniform(0, 4)
        scores = [lead, 0.0, -1.0]
        rows.append(model.confidence_row(scores, {}))
        right.append(rng.uniform() < 1 / (1 + np.exp(-(2 * lead - 3))))
    model = ranker.fit_confidence(model, rows, right)
    sure, unsure = model.confidence([4.0, 0.0, -1.0], {})[0], model.confidence([0.2, 0.0, -1.0], {})[0]
    assert 0.0 < unsure < 0.5 < sure < 1.0
    probabilities = ranker.topic_probabilities([4.0, 0.0, -1.0])
    assert probabilities.sum() == pytest.approx(1.0) and probabilities[0] > 0.9


def outcome(answerable, right, rivals=(False, False), shares=(0.6, 0.3, 0.1)):
    return Outcome(answerable, right, right, [0.0, 0.0, 0.0], np.array(shares), list(rivals))


def test_the_threshold_is_the_lowest_that_meets_both_targets():
    outcomes = ([outcome(True, True)] * 60 + [outcome(True, False)] * 10 + [outcome(False, False)] * 10)
    confidences = np.array([0.9] * 60 + [0.35] * 10 + [0.2] * 10)
    threshold = choose_threshold(outcomes, confidences)
    assert threshold == pytest.approx(0.36)  # just above the wrong answers' 0.35
    r = rates(outcomes, confidences, threshold)
    assert r["confidently_wrong"] == 0 and r["no_answer_unsure"] == 1 and r["answerable_unsure"] == pytest.approx(1 / 7)


def test_the_close_margin_flags_wrong_answers_whose_rival_is_right():
    right_clear = [outcome(True, True, shares=(0.8, 0.1, 0.1))] * 20
    wrong_close = [outcome(True, False, rivals=(True, False), shares=(0.45, 0.4, 0.15))] * 5
    right_close = [outcome(True, True, shares=(0.5, 0.3, 0.2))] * 2
    margin = choose_close_margin(right_clear + wrong_close + right_close)
    assert 0.05 <= margin <= 0.2  # catches the 0.05 leads, not the 0.2 or 0.7 ones


def test_the_reliability_table_counts_right_answers_per_band_of_confidence():
    from eval.data import Query
    from eval.metrics import ANSWER
    from eval.run import Judged, reliability, reliability_table
    from kb.parsing import parse_article
    from kb.search import Hit, SearchResult
    from tests.articles import article_text
    article = parse_article(article_text().encode(), "card-lost.md").article
    hit = Hit(article=article, unit=article.units[1], passage_id="card-lost.en#q1", score=1.0)

    def judged(confidence, relevant, right):
        result = SearchResult(query="q", status="answered", lang="en", confidence=confidence, best=hit)
        return Judged(Query("q", "q", "en", relevant, 1), result, [], {ANSWER: float(right)} if relevant else {})

    rows = reliability([judged(0.95, ("card-lost.en",), True), judged(0.91, ("card-lost.en",), False),
                        judged(0.92, (), False),  # no answer exists: never right
                        judged(0.15, ("card-lost.en",), True), judged(1.0, ("card-lost.en",), True)])
    assert [(r["queries"], r["right"]) for r in rows if r["queries"]] == [(1, 1), (4, 2)]
    assert rows[9]["accuracy"] == 0.5 and rows[5]["accuracy"] is None
    assert "| 0.9-1.0 | 4 | 50% |" in reliability_table(rows) and "| 0.5-0.6 | 0 | - |" in reliability_table(rows)
