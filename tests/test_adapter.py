"""The content adapter (kb/adapter.py): which questions of the content it learns from, and that the
fitted map really moves a query to its answer. Tiny hand-made articles and vectors."""
from __future__ import annotations

import numpy as np
import pytest

from kb import adapter
from kb.chunking import chunk
from kb.normalize import for_models
from kb.parsing import parse_article
from tests.articles import article_text

BODY = {"en": "Freeze your card first.\n\n## I lost my card. What do I do?\nTap **Freeze card**.\n\n"
              "```similar\ncard gone help\n```\n\n## How do I order a new card?\nTap **Replace card**.\n",
        "zh-Hant": "請先凍結卡片。\n\n## 卡片不見了怎麼辦？\n點選「凍結卡片」。\n\n"
                   "## 怎麼補發新卡？\n點選「補發卡片」。\n"}


def articles():
    found = {}
    for lang, body in BODY.items():
        parsed = parse_article(article_text(lang=lang, body=body).encode(), f"{lang}.md")
        assert parsed.article is not None, parsed.problems
        found[parsed.article.id] = parsed.article
    return found


def test_each_question_of_the_content_asks_for_its_own_answer_in_every_language():
    content = articles()
    passages = [p for a in content.values() for p in chunk(a, 500)]
    answers = adapter.answer_passages(passages)
    assert all(passages[i].kind != adapter.SIMILAR for i in answers)
    assert len(answers) < len(passages)  # the similar question's own passage is never an answer
    pairs = {pair.text: {(passages[answers[t]].lang, passages[answers[t]].anchor) for t in pair.targets}
             for pair in adapter.training_pairs(content, passages)}
    both = {"en", "zh-Hant"}
    assert pairs["I lost my card. What do I do?"] == {(lang, "q1") for lang in both}
    assert pairs["卡片不見了怎麼辦？"] == {(lang, "q1") for lang in both}  # across languages
    assert pairs["card gone help"] == {(lang, "q1") for lang in both}  # a similar question
    assert pairs["怎麼補發新卡？"] == {(lang, "q2") for lang in both}
    # A title or a tag asks for the article: every unit of it, in every language.
    assert pairs["Lost card"] == pairs["card"] == {(lang, a) for lang in both for a in ("intro", "q1", "q2")}


def test_the_fitted_map_moves_each_query_to_its_answer():
    passages = np.eye(3, dtype=np.float32)
    # Each query lies nearest the wrong passage: 0 -> its answer is 1, 1 -> 2, 2 -> 0.
    queries = np.array([[0.9, 0.4, 0.0], [0.0, 0.9, 0.4], [0.4, 0.0, 0.9]], dtype=np.float32)
    targets = [(1,), (2,), (0,)]
    assert adapter.success_at_1(None, queries, passages, targets) == 0.0
    matrix = adapter.fit(queries, passages, targets, epochs=300, batch=3, rate=0.01)
    assert adapter.success_at_1(matrix, queries, passages, targets) == 1.0
    assert np.array_equal(matrix, adapter.fit(queries, passages, targets, epochs=300, batch=3, rate=0.01))


def test_the_map_stays_near_the_identity_when_the_model_already_finds_the_answers():
    passages = np.eye(3, dtype=np.float32)
    queries = np.array([[0.9, 0.3, 0.1], [0.1, 0.9, 0.3], [0.3, 0.1, 0.9]], dtype=np.float32)
    matrix = adapter.fit(queries, passages, [(0,), (1,), (2,)], epochs=50, batch=3)
    assert adapter.success_at_1(matrix, queries, passages, [(0,), (1,), (2,)]) == 1.0
    assert np.argmax(matrix, axis=1).tolist() == [0, 1, 2]


def test_applying_keeps_unit_length_and_no_adapter_changes_nothing():
    vector = np.array([0.6, 0.8], dtype=np.float32)
    assert adapter.apply(None, vector) is vector
    moved = adapter.apply(np.array([[2.0, 0.0], [0.0, 1.0]], dtype=np.float32), vector)
    assert np.isclose(np.linalg.norm(moved), 1.0) and moved[0] > 0.6


def test_bad_training_input_is_refused():
    with pytest.raises(ValueError, match="512-d"):
        adapter.fit(np.ones((2, 3)), np.ones((4, 512)), [(0,), (1,)])
    with pytest.raises(ValueError, match="pair 1 has no target"):
        adapter.fit(np.ones((2, 3)), np.ones((4, 3)), [(0,), ()])


@pytest.mark.model
def test_the_build_fits_an_adapter_that_search_applies(small_index, use_embedder, tmp_path):
    """On a real small index (real USE vectors): the build stores a fitted adapter with the
    index, it finds the content's own questions better than the model alone, and KB_ADAPTER=false
    builds without one."""
    from indexer.build import build
    from indexer.index import Index
    snapshot = Index.open(small_index, {"use": use_embedder}).snapshot()
    matrix = snapshot.adapters["use"]
    assert matrix.shape == (512, 512) and not np.allclose(matrix, np.eye(512))
    pairs = adapter.training_pairs(snapshot.articles, snapshot.passages)
    answers = [snapshot.passages[i] for i in adapter.answer_passages(snapshot.passages)]
    stored = snapshot.collections["use"].get(ids=[p.id for p in answers], include=["embeddings"])
    vectors = dict(zip(stored["ids"], stored["embeddings"]))
    passages = np.vstack([vectors[p.id] for p in answers])
    questions = np.vstack([use_embedder.embed_query(p.text) for p in pairs])
    before = adapter.success_at_1(None, questions, passages, [p.targets for p in pairs])
    assert adapter.success_at_1(matrix, questions, passages, [p.targets for p in pairs]) > before
    plain = small_index.replace(data_dir=tmp_path / "data", adapter=False)
    build(plain, embedders={"use": use_embedder})
    assert Index.open(plain, {"use": use_embedder}).snapshot().adapters == {}


@pytest.mark.model
def test_the_next_build_reuses_the_questions_it_already_embedded(small_index, use_embedder, tmp_path):
    """The build keeps its adapter questions' vectors beside the index; after an incremental build
    they cover the new article's question too, and those carried over from the last build are the
    same as embedding them again."""
    import shutil
    from indexer.build import build
    from indexer.index import Index
    from tests.articles import write
    content = tmp_path / "content"
    shutil.copytree(small_index.content_dir, content)
    # Refit on every build (share 0), so the incremental build fits on the new question too.
    settings = small_index.replace(content_dir=content, data_dir=tmp_path / "data", adapter_refit_share=0.0)
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    write(content, "articles/en/cards/gold-bars.md", article_text(
        group="gold-bars", body="Gold bars.\n\n## Can I buy physical gold bars at a branch?\nYes.\n"))
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    snapshot = Index.open(settings, {"use": use_embedder}).snapshot()
    folder = next(p for p in (settings.index_dir / "builds").iterdir() if p.name.startswith(snapshot.build_id))
    with np.load(folder / "adapter.use.questions.npz") as stored:
        vectors = dict(zip(stored["texts"].tolist(), stored["vectors"]))
    assert set(vectors) == {p.text for p in adapter.training_pairs(snapshot.articles, snapshot.passages)}
    assert "Can I buy physical gold bars at a branch?" in vectors  # the new article's question
    for text in sorted(vectors)[::40]:  # taken from the last build: the same as embedding again
        assert np.allclose(vectors[text], use_embedder.embed_query(for_models(text, True)), atol=1e-5)


@pytest.mark.model
def test_a_small_edit_keeps_the_live_adapter_and_a_large_one_refits_it(small_index, use_embedder, tmp_path):
    """Fitting takes seconds, so an incremental build whose questions are nearly all known to the
    live adapter keeps it (a one-article edit stays fast); once the share of new questions reaches
    KB_ADAPTER_REFIT_SHARE, the build fits a new one."""
    import shutil
    from indexer.build import build
    from indexer.index import Index
    from tests.articles import write
    content = tmp_path / "content"
    shutil.copytree(small_index.content_dir, content)
    settings = small_index.replace(content_dir=content, data_dir=tmp_path / "data")
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    first = Index.open(settings, {"use": use_embedder}).snapshot().adapters["use"]
    known = len(adapter.training_pairs(*_content_and_passages(settings)))
    write(content, "articles/en/cards/gold-bars.md", article_text(
        group="gold-bars", body="Gold bars.\n\n## Can I buy physical gold bars at a branch?\nYes.\n"))
    assert 1 < settings.adapter_refit_share * known  # one new question is a small edit here
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    kept = Index.open(settings, {"use": use_embedder}).snapshot().adapters["use"]
    assert np.array_equal(kept, first)
    for n in range(int(settings.adapter_refit_share * known) + 2):
        write(content, f"articles/en/cards/metal-{n}.md", article_text(
            group=f"metal-{n}", body=f"Metal {n}.\n\n## Do you sell coins of metal number {n}?\nOnly {n} a day.\n"))
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    refitted = Index.open(settings, {"use": use_embedder}).snapshot()
    assert not np.array_equal(refitted.adapters["use"], first)
    assert len(adapter.training_pairs(refitted.articles, refitted.passages)) > known


def _content_and_passages(settings):
    from kb.content import load_content
    articles = load_content(settings.content_dir).articles
    return articles, [p for a in articles.values() for p in chunk(a, settings.chunk_chars)]
