"""Similar and learned questions in a real index (real Chroma, BM25 and USE model): they find
their Q/A, the hit shows the Q/A, and learning a question re-indexes only its article and reaches
a running index without a restart."""
from __future__ import annotations

import pytest

from indexer.build import build
from indexer.index import Index
from indexer.layout import Layout
from kb import keywords, learned
from kb.normalize import for_models
from kb.search import Filters, search
from portal.render import unit_html
from tests.articles import CATEGORIES, article_text, write

pytestmark = pytest.mark.model

VARIANT = "a pickpocket took my purse with my debit card inside"
TOPICS = {
    "card-lost": ("cards", "If your card is lost, freeze it first.\n\n"
                  "## I lost my card. What do I do?\n\n```similar\n" + VARIANT + "\ncard gone\n```\n"
                  "Open the app and tap **Freeze card** at once.\n\n"
                  "## Can I unfreeze my card?\nYes: in **Cards**, tap **Unfreeze**.\n"),
    "loan-apply": ("loans", "## How do I apply for a personal loan?\nApply in the app under **Loans**; "
                   "we decide within one business day.\n"),
    "transfer-limit": ("transfers", "## What is my daily transfer limit?\nYou can send up to NT$100,000 a "
                       "day to new payees.\n"),
}
LEARNED_QUERY = "ceiling on moving cash to a friend every 24 hours"


class CountingEmbedder:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, real):
        self.real, self.key, self.model, self.dim = real, real.key, real.model, real.dim
        self.embedded = []

    def embed_passages(self, texts):
        self.embedded += list(texts)
        return self.real.embed_passages(texts)

    def embed_query(self, text):
        return self.real.embed_query(text)


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    write(root, "categories.yml", CATEGORIES + "transfers:\n  zh-Hant: 轉帳\n  zh-Hans: 转账\n  en: Transfers\n")
    for group, (category, body) in TOPICS.items():
        write(root, f"articles/en/{category}/{group}.md", article_text(group, "en", category=category, body=body))
        for lang in ("zh-Hant", "zh-Hans"):
            write(root, f"articles/{lang}/{category}/{group}.md", article_text(group, lang, category=category))
    return root


@pytest.fixture
def counting(use_embedder):
    return CountingEmbedder(use_embedder)


def first_passages(snapshot, embedder, settings, query):
    """The passage each retriever (keyword, dense) ranks first for ``query``."""
    vector = embedder.embed_query(for_models(query, settings.to_simplified))
    return [snapshot.keyword(keywords.tokens(query), 5, Filters())[0][0],
            snapshot.dense("use", vector, 5, Filters())[0][0]]


def run(settings, counting):
    counting.embedded = []
    return build(settings, embedders={"use": counting})


def test_a_similar_question_finds_its_answer_and_the_hit_shows_the_answer(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    run(settings, counting)
    assert VARIANT in counting.embedded  # embedded alone, without its headings
    snapshot = Index.open(settings, {"use": counting}).snapshot()
    kinds = {p.id: p.kind for p in snapshot.passages}
    assert kinds["card-lost.en#q1~1"] == "similar" and kinds["card-lost.en#q1"] == "question"
    # each retriever finds the variant itself first...
    query = "pickpocket took my purse"
    assert first_passages(snapshot, counting, settings, query) == ["card-lost.en#q1~1"] * 2
    # ...and search answers with its Q/A, shown as the Q/A
    result = search(query, snapshot, {"use": counting}, settings)
    assert (result.best.article.id, result.best.anchor) == ("card-lost.en", "q1")
    assert result.best.passage_id.startswith("card-lost.en#q1")
    unit = result.best.unit
    assert unit.kind == "question" and unit.heading == "I lost my card. What do I do?"
    shown = unit_html(result.best.article, unit, lang="en")
    assert "Freeze card" in shown and "pickpocket" not in shown + unit.text


def test_learning_a_question_re_indexes_its_article_only_and_search_finds_it(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    run(settings, counting)
    learned.add(content, LEARNED_QUERY, "transfer-limit.en#q1", "mlin", "from failed searches")
    report = run(settings, counting)
    assert report.updated == ["transfer-limit.en"] and not report.added and report.unchanged == 8
    # the article's two passages: its question and the learned one
    assert sorted(counting.embedded) == sorted([LEARNED_QUERY, "Lost card / What is my daily transfer limit?\n"
                                                "You can send up to NT$100,000 a day to new payees."])
    snapshot = Index.open(settings, {"use": counting}).snapshot()
    assert first_passages(snapshot, counting, settings, LEARNED_QUERY) == ["transfer-limit.en#q1~1"] * 2
    result = search(LEARNED_QUERY, snapshot, {"use": counting}, settings)
    assert (result.best.article.id, result.best.anchor) == ("transfer-limit.en", "q1")
    learned.remove(content, LEARNED_QUERY, "transfer-limit.en#q1")
    report = run(settings, counting)
    assert report.updated == ["transfer-limit.en"] and report.unchanged == 8
    assert "transfer-limit.en#q1~1" not in Index.open(settings, {"use": counting}).snapshot().position


def test_a_running_index_picks_up_a_learned_question_without_a_restart(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    run(settings, counting)
    index = Index(settings, {"use": counting}, check_every=0)
    first = index.snapshot()
    assert "loan-apply.en#q1~1" not in first.position
    learned.add(content, "can i borrow 200k for a new car", "loan-apply.en#q1", "mlin")
    run(settings, counting)  # what the portal's content watcher does on the file change
    current = index.snapshot()
    assert current.build_id != first.build_id
    assert current.passages[current.position["loan-apply.en#q1~1"]].text == "can i borrow 200k for a new car"
    result = search("can i borrow 200k for a new car", current, {"use": counting}, settings)
    assert (result.best.article.id, result.best.anchor) == ("loan-apply.en", "q1")


@pytest.mark.slow
def test_the_content_watcher_indexes_a_learned_question_by_itself(content, make_settings, counting):
    """What the portal runs in the background (``portal.resources.content_watcher``)."""
    import threading
    import time

    from indexer.watch import watch
    settings = make_settings(content, embedders=("use",))
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(settings,), daemon=True,
                              kwargs=dict(debounce=0.2, stop_event=stop, embedders={"use": counting}, quiet=True))
    thread.start()
    try:
        index = Index(settings, {"use": counting}, check_every=0)
        deadline = time.monotonic() + 120  # a generous bound for a busy machine, not a speed check
        while time.monotonic() < deadline and Layout(settings.index_dir).current_id() is None:
            time.sleep(0.2)
        first = index.snapshot().build_id
        learned.add(content, "can i borrow 200k for a new car", "loan-apply.en#q1", "mlin")
        while time.monotonic() < deadline and "loan-apply.en#q1~1" not in index.snapshot().position:
            time.sleep(0.2)
        assert "loan-apply.en#q1~1" in index.snapshot().position
        assert index.snapshot().build_id != first
    finally:
        stop.set()
        thread.join(timeout=30)
