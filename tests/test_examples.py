"""``eval run --examples``: labelled questions become an external corpus's similar questions,
checked line by line (unknown ids, one entry each, language, one phrasing under two entries) and
never leaking a query being evaluated; they reach search as similar-question passages."""
from __future__ import annotations

import json

import pytest

from eval.corpus import write_articles
from eval.data import read_corpus, read_queries
from eval.examples import read_examples
from kb.errors import DataFileError
from kb.parsing import parse_article

CORPUS = [
    {"id": "card-arrival", "title": "Card arrival", "text": "When will my new card come?", "lang": "en"},
    {"id": "fx-rate", "title": "Exchange rate", "text": "What exchange rate do you use?", "lang": "en"},
    {"id": "top-up", "title": "Top up", "text": "How do I top up my account?", "lang": "en"},
]
QUERIES = [
    {"id": "a", "text": "the postman still has not brought it", "lang": "en", "relevant": ["card-arrival"]},
    {"id": "b", "text": "Add money to my account", "lang": "en", "relevant": ["top-up#q1"]},
]


def write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def example(number, text, *relevant, lang="en"):
    return {"id": f"ex{number}", "text": text, "lang": lang, "relevant": list(relevant)}


@pytest.fixture
def files(tmp_path):
    corpus = write(tmp_path / "corpus.jsonl", CORPUS)
    queries = write(tmp_path / "queries.jsonl", QUERIES)

    def read(examples, skip_unknown=False, warnings=None):
        path = write(tmp_path / "examples.jsonl", examples)
        return path, read_examples(path, read_corpus(corpus), read_queries(queries), queries,
                                   skip_unknown, warnings)
    return read


def test_examples_become_each_entrys_similar_questions_in_file_order(files):
    _, found = files([example(1, "nothing in the post yet", "card-arrival"),
                      example(2, "how much is a dollar in euros", "fx-rate#q1"),
                      example(3, "card   still\tnot here", "card-arrival"),
                      example(4, "Nothing in the post yet!", "card-arrival")])  # a repeat
    assert found.similar == {"card-arrival": ["nothing in the post yet", "card still not here"],
                             "fx-rate": ["how much is a dollar in euros"]}
    assert found.summary() == {"read": 4, "attached": 3, "entries": 2, "left_out_unknown": 0,
                               "refused_also_a_query": 0, "repeated": 1}


def test_an_example_with_a_querys_words_is_refused_and_named(files, tmp_path):
    warnings: list[str] = []
    path, found = files([example(1, "add money to my account?", "top-up"),
                         example(2, "put cash on my account", "top-up")], warnings=warnings)
    assert found.similar == {"top-up": ["put cash on my account"]}
    assert found.leaked == 1
    assert any(w.startswith(f"{path}:1: example 'ex1' has the words of query 'b' ({tmp_path / 'queries.jsonl'}:2)")
               for w in warnings)
    assert any("1 of 2 examples refused" in w for w in warnings)


def test_an_unknown_entry_is_an_error_with_file_line_and_a_suggestion(files):
    with pytest.raises(DataFileError) as error:
        files([example(1, "fine", "top-up"), example(2, "where is it", "card_arrival")])
    assert str(error.value).endswith(":2: relevant id 'card_arrival' is not in the corpus (did you mean "
                                     "'card-arrival'?); --skip-unknown leaves such examples out")


def test_skip_unknown_leaves_the_example_out_with_a_counted_warning(files):
    warnings: list[str] = []
    path, found = files([example(1, "fine", "top-up"), example(2, "where is it", "card_arrival"),
                         example(3, "which rate", "fx-rate#q2")], skip_unknown=True, warnings=warnings)
    assert found.similar == {"top-up": ["fine"]} and found.unknown == 2
    assert warnings[0].startswith(f"{path}:2: relevant id 'card_arrival'")
    assert warnings[1].startswith(f"{path}:3: relevant label 'fx-rate#q2': a corpus entry has one answer")
    assert warnings[2] == f"{path}: 2 of 3 examples left out: their label names no corpus entry"


@pytest.mark.parametrize("lines, message", [
    ([example(1, "x y", "top-up", "fx-rate")], ":1: an example names one corpus entry, this one names 2"),
    ([example(1, "x y")], ":1: an example must name the one corpus entry it asks about"),
    ([example(1, "where is my card", "card-arrival", lang="zh-Hant")],
     ":1: example 'ex1' is zh-Hant but entry 'card-arrival' is en"),
    ([example(1, "我的卡什麼時候到", "card-arrival")], ":1: '我的卡什麼時候到' is Chinese"),
    ([example(1, "?!", "card-arrival")], ":1: example 'ex1' has no words"),
    ([example(1, "which rate?", "fx-rate"), example(2, "Which rate", "top-up")],
     ":2: 'Which rate' is under 'top-up' here but also under 'fx-rate' (line 1)"),
    ([example(1, "exchange rate", "top-up")],
     ":1: 'exchange rate' is under 'top-up' here but also under 'fx-rate' (fx-rate's title)"),
    ([{"id": "ex1", "text": "x", "lang": "en"}], ":1: missing field 'relevant'"),
])
def test_bad_examples_name_file_and_line(files, lines, message):
    with pytest.raises(DataFileError) as error:
        files(lines)
    assert message in str(error.value)
    assert str(error.value).startswith(str(error.value.path) + ":")


def test_attached_questions_parse_as_the_units_similar_questions_and_are_never_shown(tmp_path):
    docs = read_corpus(write(tmp_path / "corpus.jsonl", CORPUS))
    questions = ["nothing in the post yet", "is ``` a fence?", "- not a list item"]
    write_articles(docs, tmp_path / "content", tmp_path / "corpus.jsonl", {"card-arrival": questions})
    path = tmp_path / "content" / "articles" / "en" / "card-arrival.md"
    parsed = parse_article(path.read_bytes(), "card-arrival.md")
    assert parsed.errors == ()
    (unit,) = parsed.article.units
    assert (unit.anchor, unit.heading, unit.similar) == ("q1", "Card arrival", tuple(questions))
    assert unit.text == "When will my new card come?"  # the answer is the entry's text alone
    assert "post" not in parsed.article.body and "post" not in unit.markdown
    other = tmp_path / "content" / "articles" / "en" / "fx-rate.md"
    assert parse_article(other.read_bytes(), "fx-rate.md").article.units[0].similar == ()


def test_examples_need_an_external_corpus(tmp_path):
    from eval.run import run
    from kb.settings import Settings
    queries = write(tmp_path / "queries.jsonl", QUERIES)
    examples = write(tmp_path / "examples.jsonl", [example(1, "x", "top-up")])
    with pytest.raises(DataFileError, match="--examples needs --corpus"):
        run(queries, None, Settings.from_env({}, data_dir=tmp_path / "data"), examples=examples)


@pytest.mark.model
@pytest.mark.slow
def test_a_run_with_examples_indexes_them_as_similar_passages_and_shows_the_answer(tmp_path, use_embedder):
    from eval.run import index_corpus, run
    from indexer.index import Index
    from kb.settings import Settings
    corpus = write(tmp_path / "corpus.jsonl", CORPUS)
    queries = write(tmp_path / "queries.jsonl", QUERIES)
    examples = write(tmp_path / "examples.jsonl", [
        example(1, "the postman has not brought my card", "card-arrival"),
        example(2, "courier never delivered the plastic", "card-arrival"),
        example(3, "add money to my account", "top-up"),  # query b's words: refused
        example(4, "how much is a dollar in euros", "fx-rate")])
    settings = Settings.from_env({}, data_dir=tmp_path / "data", embedders=("use",))
    embedders = {"use": use_embedder}
    result = run(queries, tmp_path / "out", settings, corpus=corpus, embedders=embedders, examples=examples)
    assert result.examples["attached"] == 3 and result.examples["refused_also_a_query"] == 1
    assert result.name == "corpus+examples-queries-hybrid"
    first = next(j for j in result.judged if j.query.id == "a")
    assert first.shown == "card-arrival#q1"  # the Q/A is shown, never the similar question
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["examples"]["attached"] == 3
    # The same mechanism as bundled similar questions: passages <entry>#q1~<n> of kind "similar".
    found = read_examples(examples, read_corpus(corpus), read_queries(queries), queries)
    local, anchors = index_corpus(corpus, tmp_path / "work", settings, embedders, similar=found.similar)
    snapshot = Index.open(local, embedders).snapshot()
    similar = {p.id: p.text for p in snapshot.passages if p.kind == "similar"}
    assert similar == {"card-arrival#q1~1": "the postman has not brought my card",
                       "card-arrival#q1~2": "courier never delivered the plastic",
                       "fx-rate#q1~1": "how much is a dollar in euros"}
    assert anchors == {"card-arrival": ["q1"], "fx-rate": ["q1"], "top-up": ["q1"]}


def test_a_ranker_fitted_on_an_external_corpus_never_replaces_the_bundled_one(tmp_path):
    from eval.calibrate_corpus import calibrate_corpus
    from kb.settings import PROJECT_ROOT, Settings
    corpus = write(tmp_path / "corpus.jsonl", CORPUS)
    queries = write(tmp_path / "queries.jsonl", QUERIES)
    settings = Settings.from_env({}, data_dir=tmp_path / "data", ranker_dir=PROJECT_ROOT / "kb" / "models")
    with pytest.raises(DataFileError, match="set KB_RANKER_DIR to a folder of its own"):
        calibrate_corpus(settings, corpus, queries)


@pytest.mark.model
@pytest.mark.slow
def test_calibrate_on_an_external_corpus_with_examples_writes_a_ranker_search_uses(tmp_path, use_embedder):
    from eval.calibrate_corpus import calibrate_corpus
    from eval.run import run
    from kb import ranker
    from kb.settings import Settings
    # Every entry and query says "card", so every retriever offers right and wrong candidates.
    corpus = write(tmp_path / "corpus.jsonl", [
        {"id": "card-arrival", "title": "Card arrival", "text": "When will my new card come? Delivery "
         "takes a week.", "lang": "en"},
        {"id": "fx-rate", "title": "Exchange rate", "text": "What exchange rate do you use when I pay by "
         "card abroad?", "lang": "en"},
        {"id": "top-up", "title": "Top up", "text": "How do I top up my account by card or transfer?",
         "lang": "en"}])
    asked = [("where is my new card", "card-arrival"), ("card not delivered yet", "card-arrival"),
             ("my card has not come", "card-arrival"), ("card rate for dollars", "fx-rate"),
             ("euro conversion rate on my card", "fx-rate"), ("card payment in pounds, what rate", "fx-rate"),
             ("put money in with my card", "top-up"), ("load my account with a card", "top-up"),
             ("add funds by card", "top-up"), ("card top up failed", "top-up")]
    fit = write(tmp_path / "fit.jsonl", [{"id": f"f{i}", "text": t, "lang": "en", "relevant": [e]}
                                         for i, (t, e) in enumerate(asked)])
    examples = write(tmp_path / "examples.jsonl", [
        example(1, "the postman has not brought my card", "card-arrival"),
        example(2, "how much is a dollar in euros", "fx-rate"),
        example(3, "load my account with a card", "top-up")])  # a fitting query's words: refused
    settings = Settings.from_env({}, data_dir=tmp_path / "data", embedders=("use",),
                                 ranker_dir=tmp_path / "rankers")
    embedders = {"use": use_embedder}
    summary = calibrate_corpus(settings, corpus, fit, examples, embedders=embedders)
    assert any("refused" in w for w in summary["warnings"])
    model = ranker.load(tmp_path / "rankers", "dense-use+keyword")
    assert model is not None and summary["dense-use+keyword"]["queries"] == 10
    assert model.fitted_on == "corpus.jsonl + examples.jsonl (2 similar questions); fit.jsonl: 10 queries"
    assert "has_similar" in model.features
    result = run(write(tmp_path / "q.jsonl", QUERIES), None, settings, corpus=corpus, embedders=embedders,
                 examples=examples)
    assert all(j.result.calibrated for j in result.judged)  # ranked by the ranker just fitted
