"""The learned ranker inside real search, on a small real index (real articles with their similar
questions, the real USE model, Chroma and BM25): an answer with no similar questions stays
reachable, ``eval calibrate`` writes a JSON ranker that search then uses, search falls back to
reciprocal rank fusion without one, and close calls name the rivals."""
from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from indexer.build import build
from indexer.index import Index
from kb import ranker
from kb.search import search
from kb.settings import PROJECT_ROOT, Settings
from tests.articles import front_matter, write
from tests.conftest import SMALL_TOPICS

pytestmark = pytest.mark.model

GOLD = front_matter(id="gold-bars.en", title='"Buying physical gold bars"', lang="en", type="faq",
                    category="deposits", tags="[gold]", translation_group="gold-bars",
                    updated="2026-11-20") + """Lumina Bank sells 100 g and 1 kg gold bars at five branches.

## Can I buy physical gold bars at a branch?
Yes. The Taipei, Taichung, Kaohsiung, Tainan and Hsinchu branches sell 100 g and 1 kg bars. Bring
your ID card; we need three working days' notice for a 1 kg bar.

## How is the price of a gold bar set?
We use the morning London fix in New Taiwan dollars plus a 1.5% making charge, shown in the app
under **Gold** before you confirm.
"""


@pytest.fixture(scope="module")
def with_gold(small_index, use_embedder, tmp_path_factory):
    """The small index's content plus a new article whose questions have no similar questions."""
    root = tmp_path_factory.mktemp("gold")
    content = root / "content"
    shutil.copytree(small_index.content_dir, content)
    write(content, "articles/en/deposits/gold-bars.md", GOLD)
    settings = small_index.replace(content_dir=content, data_dir=root / "data")
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    return settings, Index.open(settings, {"use": use_embedder}).snapshot()


def test_an_answer_without_similar_questions_is_still_found(with_gold, use_embedder):
    settings, snapshot = with_gold
    others = [u for a in snapshot.articles.values() if a.translation_group != "gold-bars" for u in a.units
              if u.kind == "question"]
    assert sum(bool(u.similar) for u in others) > 0.8 * len(others)  # the others have them...
    gold = snapshot.articles["gold-bars.en"]
    assert not any(u.similar for u in gold.units)  # ...the new article has none
    for query, anchor in (("Can I buy physical gold bars at a branch?", "q1"),
                          ("how is the price of a gold bar set", "q2"),
                          ("where can I buy a gold bar", None)):  # in other words: the article
        result = search(query, snapshot, {"use": use_embedder}, settings)
        assert result.calibrated  # ranked by the fitted ranker, not the fallback
        assert result.best.article.id == "gold-bars.en" and anchor in (None, result.best.anchor), query


@pytest.mark.slow
def test_calibrate_writes_a_json_ranker_that_search_uses(small_index, use_embedder, tmp_path):
    from eval.calibrate import calibrate
    from eval.data import read_queries
    queries = [q for name in ("tune",) for q in read_queries(PROJECT_ROOT / "eval" / "queries" / f"{name}.jsonl")
               if not q.relevant or all(label.split(".")[0] in SMALL_TOPICS for label in q.relevant)]
    path = tmp_path / "queries.jsonl"
    path.write_text("".join(json.dumps({"id": q.id, "text": q.text, "lang": q.lang,
                                        "relevant": list(q.relevant)}, ensure_ascii=False) + "\n"
                            for q in queries), encoding="utf-8")
    settings = small_index.replace(data_dir=tmp_path / "data", ranker_dir=tmp_path / "models")
    summary = calibrate(settings, path)
    assert set(summary) == {"dense-use+keyword", "dense-use", "keyword"}
    for setup, figures in summary.items():
        record = json.loads((tmp_path / "models" / f"ranker.{setup}.json").read_text(encoding="utf-8"))
        assert record["setup"] == setup and len(record["features"]) == len(record["coef"])
        assert 0.0 < record["threshold"] < 1.0 and f"{len(queries)} queries" in record["fitted_on"]
        assert figures["queries"] == len(queries)
        assert 0.5 < figures["out_of_fold"]["article_success@1"] <= 1.0  # learned, judged on unseen folds
    snapshot = Index.open(small_index, {"use": use_embedder}).snapshot()
    result = search("I lost my credit card", snapshot, {"use": use_embedder}, settings)
    assert result.calibrated and result.best.article.translation_group == "card-lost-freeze"


def test_without_a_fitted_ranker_search_falls_back_to_fusion(small_index, use_embedder, tmp_path):
    settings = small_index.replace(ranker_dir=tmp_path / "nothing-here")
    snapshot = Index.open(small_index, {"use": use_embedder}).snapshot()
    result = search("forgot my login password", snapshot, {"use": use_embedder}, settings)
    assert not result.calibrated and result.close == ()
    assert result.best.article.translation_group == "login-forgot-password"


def test_close_calls_name_the_best_answer_and_its_rivals(small_index, use_embedder, tmp_path):
    fitted = ranker.load(Settings.from_env({}).ranker_dir, "dense-use+keyword")
    snapshot = Index.open(small_index, {"use": use_embedder}).snapshot()

    def ask(margin):
        folder = tmp_path / str(margin)
        ranker.save(dataclasses.replace(fitted, close_margin=margin), folder)
        return search("card", snapshot, {"use": use_embedder}, small_index.replace(ranker_dir=folder))

    always, never = ask(1.0), ask(0.0)
    assert always.close[0] == always.best and list(always.close[1:]) == list(always.others[:2])
    assert never.close == ()
    assert never.best.article.id == always.best.article.id  # the margin only decides what is said
