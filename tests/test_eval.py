"""Evaluation: metrics on a hand-computed example, data file errors, run comparison, run files,
and the quality gate on the bundled labelled queries."""
from __future__ import annotations

import csv
import json

import pytest

from eval import metrics
from eval.compare import compare
from eval.data import passage_anchor, read_corpus, read_queries, split_label
from eval.gate import RECORDED, measure, shortfalls
from kb.errors import DataFileError

QRELS = {"q1": ["d1"], "q2": ["d3", "d4"], "q3": ["d7"]}
RUN = {"q1": [("d2", 3.0), ("d1", 2.0), ("d5", 1.0)], "q2": [("d4", 9.0), ("d9", 1.0)], "q3": []}


def test_metrics_on_a_hand_computed_example():
    values = metrics.per_query(QRELS, RUN)
    assert values["q1"] == pytest.approx({"Success@1": 0, "Recall@5": 1, "Recall@10": 1, "MRR@10": 0.5,
                                          "nDCG@10": 1 / 1.5849625})  # first relevant at rank 2
    assert values["q2"] == pytest.approx({"Success@1": 1, "Recall@5": 0.5, "Recall@10": 0.5, "MRR@10": 1,
                                          "nDCG@10": 1 / (1 + 1 / 1.5849625)})  # 1 of 2 relevant, at rank 1
    assert values["q3"] == {name: 0.0 for name in metrics.MEASURES}  # no results still counts, as 0
    overall = metrics.aggregate(values)
    assert overall["Success@1"] == pytest.approx(1 / 3)
    assert overall["MRR@10"] == pytest.approx(0.5)


def test_ties_keep_our_order():
    values = metrics.per_query({"q": ["b"]}, {"q": [("a", 1.0), ("b", 1.0)]})
    assert values["q"]["MRR@10"] == 0.5


def write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("lines, message", [
    (['{"id": "d1", "title": "t", "text": "x", "lang": "en"}', "{not json"], ":2: not valid JSON"),
    (['{"id": "d1", "title": "t", "lang": "en"}'], ":1: missing field 'text'"),
    (['{"id": "d1", "title": "t", "text": 5, "lang": "en"}'], ":1: field 'text' must be str"),
    (['{"id": "d1", "title": "t", "text": "x", "lang": "en"}'] * 2, ":2: duplicate id 'd1' (first on line 1)"),
    (["", "  "], ":0: the corpus is empty"),
    (['["a list"]'], ":1: each line must be a JSON object"),
])
def test_corpus_errors_name_file_and_line(tmp_path, lines, message):
    path = write(tmp_path / "corpus.jsonl", lines)
    with pytest.raises(DataFileError) as error:
        read_corpus(path)
    assert str(error.value) == f"{path}{message}" or message in str(error.value)
    assert str(error.value).startswith(str(path))


def test_unknown_relevant_id_is_an_error_with_a_suggestion(tmp_path):
    path = write(tmp_path / "q.jsonl", ['{"id": "q1", "text": "a", "lang": "en", "relevant": ["d1"]}',
                                        '{"id": "q2", "text": "b", "lang": "en", "relevant": ["Refund_X"]}'])
    with pytest.raises(DataFileError, match=r"q\.jsonl:2: relevant id 'Refund_X' is not in the corpus "
                                            r"\(did you mean 'refund_x'\?\)"):
        read_queries(path, {"d1", "refund_x"})
    warnings: list[str] = []
    queries = read_queries(path, {"d1", "refund_x"}, skip_unknown=True, warnings=warnings)
    assert [q.id for q in queries] == ["q1"] and "left out" in warnings[0]


ANCHORS = {"card-lost.en": ["intro", "q1", "q2"], "card-lost.zh-Hant": ["intro", "q1", "q2"],
           "fees.en": ["intro", "s1"]}


def test_passage_labels_are_read_and_checked_against_the_anchors(tmp_path):
    path = write(tmp_path / "q.jsonl", [
        '{"id": "q1", "text": "a", "lang": "en", "relevant": ["card-lost.en#q1", "card-lost.en#q2"], "kind": "short"}',
        '{"id": "q2", "text": "b", "lang": "zh-Hant", "relevant": ["fees.en"], "kind": "cross"}',
        '{"id": "q3", "text": "c", "lang": "en", "relevant": []}'])
    queries = read_queries(path, ANCHORS)
    assert queries[0].relevant == ("card-lost.en#q1", "card-lost.en#q2") and queries[0].articles == ("card-lost.en",)
    assert queries[0].kind == "short" and queries[2].kind == ""
    assert queries[1].articles == ("fees.en",) and queries[2].articles == ()
    assert split_label("card-lost.en#q1") == ("card-lost.en", "q1") and split_label("fees.en") == ("fees.en", None)
    # a set of ids checks articles only
    assert len(read_queries(write(tmp_path / "r.jsonl", ['{"id": "x", "text": "a", "lang": "en", '
                                                         '"relevant": ["fees.en#q9"]}']), set(ANCHORS))) == 1


@pytest.mark.parametrize("relevant, message", [
    ('["card-lost.en#q7"]', ":2: relevant label 'card-lost.en#q7': article 'card-lost.en' has no anchor 'q7' "
                            "(its anchors: intro, q1, q2)"),
    ('["card-lots.en#q1"]', ":2: relevant id 'card-lots.en' is not in the corpus (did you mean 'card-lost.en'?)"),
    ('["card-lost.en#q1/2"]', ":2: relevant label 'card-lost.en#q1/2' names a part of a passage; "
                              "name its anchor 'card-lost.en#q1'"),
    ('["card-lost.en#q1~3"]', ":2: relevant label 'card-lost.en#q1~3' names a part of a passage"),
    ('["card-lost.en#"]', ":2: relevant label 'card-lost.en#' must be an article id or 'article-id#anchor'"),
    ('["#q1"]', ":2: relevant label '#q1' must be an article id"),
    ('[3]', ":2: relevant label 3 must be an article id"),
    ('["fees.en", "fees.en"]', ":2: relevant label 'fees.en' is listed twice"),
])
def test_bad_passage_labels_name_file_and_line(tmp_path, relevant, message):
    path = write(tmp_path / "q.jsonl", ['{"id": "q1", "text": "a", "lang": "en", "relevant": ["fees.en"]}',
                                        '{"id": "q2", "text": "b", "lang": "en", "relevant": %s}' % relevant])
    with pytest.raises(DataFileError) as error:
        read_queries(path, ANCHORS)
    assert str(error.value).startswith(f"{path}{message}")


def test_unknown_anchor_can_be_skipped_with_a_warning(tmp_path):
    path = write(tmp_path / "q.jsonl", ['{"id": "q1", "text": "a", "lang": "en", "relevant": ["fees.en#s1"]}',
                                        '{"id": "q2", "text": "b", "lang": "en", "relevant": ["fees.en#s2"]}'])
    warnings: list[str] = []
    assert [q.id for q in read_queries(path, ANCHORS, skip_unknown=True, warnings=warnings)] == ["q1"]
    assert warnings == [f"{path}:2: relevant label 'fees.en#s2': article 'fees.en' has no anchor 's2' "
                        "(its anchors: intro, s1); query left out"]


def test_passage_ids_resolve_to_their_unit():
    assert passage_anchor("card-lost.en#q1") == ("card-lost.en", "q1")
    assert passage_anchor("card-lost.en#q1/2") == ("card-lost.en", "q1")  # part of a long unit
    assert passage_anchor("card-lost.en#q1~3") == ("card-lost.en", "q1")  # a similar question
    assert passage_anchor("card-lost.en#step12/10") == ("card-lost.en", "step12")


TOPICS = {"card-lost.en": "card-lost", "card-lost.zh-Hant": "card-lost", "card-lost.zh-Hans": "card-lost",
          "fees.en": "fees", "fees.zh-Hans": "fees"}


def test_answer_success_at_1_on_a_hand_made_run():
    qrels = {"same": ["card-lost.en#q1"],
             "other-language": ["card-lost.en#q1"],  # the zh-Hant version's q1 is as right
             "part": ["card-lost.en#q1"], "similar": ["card-lost.en#q1"],
             "wrong-anchor": ["card-lost.en#q1"], "wrong-topic": ["card-lost.en#q1"],
             "any-passage": ["fees.en"], "one-of-two": ["card-lost.en#q1", "fees.en#s1"],
             "nothing-shown": ["fees.en"], "unknown-article-is-its-own-topic": ["other.en#q1"]}
    shown = {"same": "card-lost.en#q1", "other-language": "card-lost.zh-Hant#q1",
             "part": "card-lost.zh-Hans#q1/2", "similar": "card-lost.en#q1~3",
             "wrong-anchor": "card-lost.zh-Hant#q2", "wrong-topic": "fees.en#q1",
             "any-passage": "fees.zh-Hans#intro", "one-of-two": "fees.zh-Hans#s1",
             "nothing-shown": None, "unknown-article-is-its-own-topic": "other.en#q1"}
    values = metrics.answer_success(qrels, shown, TOPICS)
    assert values == {"same": 1.0, "other-language": 1.0, "part": 1.0, "similar": 1.0, "wrong-anchor": 0.0,
                      "wrong-topic": 0.0, "any-passage": 1.0, "one-of-two": 1.0, "nothing-shown": 0.0,
                      "unknown-article-is-its-own-topic": 1.0}
    # an article-level hit with a wrong passage: article Success@1 1, answer Success@1 0
    article = metrics.per_query({"q": ["card-lost.en"]}, {"q": [("card-lost.en", 1.0)]})
    answer = metrics.answer_success({"q": ["card-lost.en#q1"]}, {"q": "card-lost.en#q2"}, TOPICS)
    assert article["q"]["Success@1"] == 1.0 and answer["q"] == 0.0


def test_breakdown_per_language_and_cross_lingual():
    values = {"a": {metrics.ANSWER: 1.0, **{m: 1.0 for m in metrics.MEASURES}},
              "b": {metrics.ANSWER: 0.0, **{m: 1.0 for m in metrics.MEASURES}},
              "c": {metrics.ANSWER: 0.0, **{m: 0.0 for m in metrics.MEASURES}},
              "d": {metrics.ANSWER: 1.0, **{m: 0.5 for m in metrics.MEASURES}}}
    rows = metrics.breakdown(values, {"a": "en", "b": "en", "c": "zh-Hant", "d": "zh-Hans"}, cross={"c", "d"})
    assert list(rows) == ["en", "zh-Hans", "zh-Hant", "cross-lingual"]
    assert list(rows["en"]) == list(metrics.NAMES)  # answer Success@1 first, then the standard measures
    assert rows["en"][metrics.ANSWER] == 0.5 and rows["en"]["Success@1"] == 1.0
    assert rows["cross-lingual"][metrics.ANSWER] == 0.5 and rows["cross-lingual"]["MRR@10"] == 0.25
    assert "cross-lingual" not in metrics.breakdown(values, {q: "en" for q in values})


def test_the_bundled_labels_name_real_passages_and_keep_tune_and_holdout_apart():
    from kb.content import load_content
    from kb.settings import PROJECT_ROOT
    from eval.gate import QUERIES, SETS
    content = load_content(PROJECT_ROOT / "content")
    anchors = {a.id: [u.anchor for u in a.units] for a in content.articles.values()}
    sets = {name: read_queries(QUERIES / f"{name}.jsonl", anchors) for name in SETS}  # raises on a bad label
    from tests.test_similar_fresh import nearly_equal
    assert not [(t.id, h.id) for t in sets["tune"] for h in sets["holdout"] if nearly_equal(t.text, h.text)]
    for name, queries in sets.items():
        assert all(q.id.startswith(name[0]) for q in queries)
        for q in queries:
            langs = {content.articles[a].lang for a in q.articles}
            assert len(langs) <= 1, q.id  # each query is judged in one language
            assert (q.kind == "none") == (not q.relevant), q.id
            assert (q.kind == "cross") == bool(langs and langs != {q.lang}), q.id
    passage_labelled = [q for qs in sets.values() for q in qs if q.relevant]
    assert all(split_label(label)[1] for q in passage_labelled for label in q.relevant)


def test_an_empty_query_set_is_an_error(tmp_path):
    with pytest.raises(DataFileError, match="no queries to evaluate"):
        read_queries(write(tmp_path / "q.jsonl", [""]), set())
    with pytest.raises(DataFileError, match="no such file"):
        read_queries(tmp_path / "missing.jsonl", set())


def fake_run(folder, values: dict[str, float]):
    """A run folder as ``eval run --out`` writes it, with the given MRR@10 per query."""
    folder.mkdir()
    with open(folder / "per_query.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["query_id", "query", "language", "expected", "got", "rank", "score", "confidence",
                         "status", *metrics.NAMES])
        for q, v in values.items():
            rank = "" if v == 0 else str(round(1 / v))
            writer.writerow([q, f"text of {q}", "en", "d", "d", rank, "1", "0.9", "answered",
                             float(v == 1.0), float(v == 1.0), v, v, v, v])
    return folder


def test_compare_reports_significance_and_the_queries_that_moved(tmp_path):
    a = fake_run(tmp_path / "a", {f"q{i}": 0.5 for i in range(40)})
    b = fake_run(tmp_path / "b", {**{f"q{i}": 1.0 for i in range(30)}, **{f"q{i}": 0.25 for i in range(30, 40)}})
    report = compare(a, b)
    line = next(row for row in report.splitlines() if row.startswith("| MRR@10"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[1:4] == ["0.500", "0.812", "+0.312"]
    assert float(cells[4]) < 0.001 and float(cells[5]) < 0.001 and cells[6] == "significant"
    assert "Better in B (30):" in report and "Worse in B (10):" in report
    assert "q0  rank 2 -> 1" in report
    answer = next(row for row in report.splitlines() if row.startswith(f"| {metrics.ANSWER} "))
    assert [c.strip() for c in answer.strip("|").split("|")][1:4] == ["0.000", "0.750", "+0.750"]


def test_compare_of_identical_runs_finds_nothing(tmp_path):
    values = {f"q{i}": (i % 3) / 2 for i in range(12)}
    report = compare(fake_run(tmp_path / "a", values), fake_run(tmp_path / "b", values))
    assert "| MRR@10 | 0.500 | 0.500 | +0.000 | 1.0000 | 1.0000 |  |" in report
    assert "Better in B (0):" in report and "Worse in B (0):" in report


def test_compare_needs_run_folders(tmp_path):
    with pytest.raises(DataFileError, match="not an evaluation run folder"):
        compare(tmp_path, tmp_path)


@pytest.mark.model
@pytest.mark.slow
def test_run_on_an_external_corpus_writes_every_file(tmp_path, use_embedder):
    from eval.run import run
    from kb.settings import Settings
    corpus = write(tmp_path / "corpus.jsonl", [
        json.dumps({"id": "lost-card", "title": "Lost card", "text": "I lost my card\nMy card was stolen",
                    "lang": "en"}),
        json.dumps({"id": "fx-rate", "title": "Exchange rate", "text": "What exchange rate do you use?", "lang": "en"}),
        json.dumps({"id": "top-up", "title": "Top up", "text": "# How do I top up my account?\n1. with a card",
                    "lang": "en"})])
    queries = write(tmp_path / "queries.jsonl", [
        json.dumps({"id": "a", "text": "someone stole my card", "lang": "en", "relevant": ["lost-card#q1"]}),
        json.dumps({"id": "b", "text": "add money to my account", "lang": "en", "relevant": ["top-up"]}),
        json.dumps({"id": "c", "text": "is it raining", "lang": "en", "relevant": []})])
    settings = Settings.from_env({}, data_dir=tmp_path / "data", embedders=("use",))
    result = run(queries, tmp_path / "out", settings, corpus=corpus, embedders={"use": use_embedder})
    assert result.overall["Success@1"] == 1.0 and result.unanswerable["queries"] == 1
    trec = (tmp_path / "out" / "run.trec").read_text().splitlines()
    assert trec[0].split()[:4] == ["a", "Q0", "lost-card", "1"]
    rows = list(csv.DictReader(open(tmp_path / "out" / "per_query.csv", encoding="utf-8")))
    assert [r["query_id"] for r in rows] == ["a", "b", "c"] and rows[0]["rank"] == "1"
    assert rows[0]["shown"] == "lost-card#q1" and rows[0]["expected"] == "lost-card#q1"
    assert rows[0][metrics.ANSWER] == "1.0000" and rows[2][metrics.ANSWER] == ""
    assert result.overall[metrics.ANSWER] == 1.0
    assert "worst queries" in (tmp_path / "out" / "report.md").read_text()
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["answerable"] == 2


@pytest.mark.model
@pytest.mark.slow
def test_quality_gate_bundled_queries_stay_at_or_above_the_recorded_figures(tmp_path, use_embedder):
    from kb.settings import Settings
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    settings = Settings.from_env({}, data_dir=tmp_path / "data", embedders=tuple(recorded["embedders"]),
                                 watch_content=False)
    measured = measure(settings, embedders={"use": use_embedder})
    assert shortfalls(measured, recorded) == []


def test_the_gate_covers_answer_success_on_both_sets():
    from eval.gate import GATED, SETS
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert GATED[0] == metrics.ANSWER
    for name in SETS:
        assert set(GATED) <= set(recorded["figures"][name])
    lower = {"figures": {n: {**f, metrics.ANSWER: f[metrics.ANSWER] - 0.01} for n, f in recorded["figures"].items()}}
    assert shortfalls(lower, recorded) == [
        f"{n} {metrics.ANSWER}: {lower['figures'][n][metrics.ANSWER]:.3f} < recorded "
        f"{recorded['figures'][n][metrics.ANSWER]:.3f}" for n in recorded["figures"]]


def test_the_gate_names_each_figure_that_fell():
    recorded = {"figures": {"tune": {"Success@1": 0.8, "MRR@10": 0.9}}}
    measured = {"figures": {"tune": {"Success@1": 0.78, "MRR@10": 0.9}}}
    assert shortfalls(measured, recorded) == ["tune Success@1: 0.780 < recorded 0.800"]
