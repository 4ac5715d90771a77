"""The effect of a fix, on a real index with the real model: a query search got wrong, confirmed
for the right Q/A by a staff action, is answered by that Q/A after the next (incremental) build;
undo takes it back; the tuning figures are measured before and after."""
from __future__ import annotations

import shutil

import pytest

from portal import staff_actions, staff_tools

pytestmark = pytest.mark.model

# Customers' words that share nothing with the article's ("The ATM kept my card").
QUERY = ("the hole in the wall swallowed my plastic", "en")
ANSWER = "atm-withdrawal.en#q4"


@pytest.fixture
def own_index(small_index, tmp_path, use_embedder):
    """A copy of the small index's content and data, so actions can change them."""
    from indexer.build import build
    content, data = tmp_path / "content", tmp_path / "data"
    shutil.copytree(small_index.content_dir, content)
    settings = small_index.replace(content_dir=content, data_dir=data)
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    return settings


def snapshot_of(settings, use_embedder):
    from indexer.index import Index
    return Index.open(settings, {"use": use_embedder}).snapshot()


def test_a_confirmed_qa_answers_its_query_after_the_next_build_and_undo_takes_it_back(own_index, use_embedder):
    from indexer.build import build
    from kb.content import load_content
    embedders = {"use": use_embedder}
    before = staff_tools.requery([QUERY], snapshot_of(own_index, use_embedder), embedders, own_index, ANSWER)
    assert before[0]["fixed"] is False, before  # search does not get it right by itself
    record = staff_actions.confirm(own_index.content_dir, [QUERY], ANSWER, "mlin", "test",
                                   articles=load_content(own_index.content_dir).articles)
    report = build(own_index, embedders=embedders, require_translations=False)
    assert report.published and not report.full  # incremental: only the changed article
    after = staff_tools.requery([QUERY], snapshot_of(own_index, use_embedder), embedders, own_index, ANSWER)
    assert after[0]["fixed"] is True and after[0]["shown"] == ANSWER, after
    staff_actions.undo(own_index.content_dir, record["id"], "mlin")
    build(own_index, embedders=embedders, require_translations=False)
    again = staff_tools.requery([QUERY], snapshot_of(own_index, use_embedder), embedders, own_index, ANSWER)
    assert again[0]["fixed"] is False


def test_closest_passage_names_an_anchor(own_index, use_embedder):
    label, confidence = staff_tools.closest_passage("The ATM kept my card", "en",
                                                    snapshot_of(own_index, use_embedder), {"use": use_embedder},
                                                    own_index)
    assert label == ANSWER and 0 <= confidence <= 1


@pytest.mark.slow
def test_tuning_figures_are_measured_on_the_live_index(own_index, use_embedder):
    figures = staff_tools.tune_figures(own_index, {"use": use_embedder})
    assert figures["queries"] >= 200
    assert 0 < figures["Success@1"] <= 1 and 0 <= figures["unsure_when_no_answer"] <= 1
