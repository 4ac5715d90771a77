"""The index under faults found in issue 16: two data folders on one Chroma server, a damaged
live build, builds kept by age. Real USE model, real Chroma (embedded and ``chroma run``)."""
from __future__ import annotations

import logging
import os
import re
import shutil
import time

import chromadb
import pytest

from indexer.index import Index
from indexer.layout import Layout
from kb.search import Filters
from kb.settings import Settings
from tests.articles import article_text, write, write_topic
from tests.test_indexer import chroma_server, content, counting, run  # noqa: F401  (fixtures)

pytestmark = pytest.mark.model


def _names(port: int) -> set[str]:
    api = chromadb.HttpClient(host="127.0.0.1", port=port)
    return {c if isinstance(c, str) else c.name for c in api.list_collections()}


def _answer(settings, counting, question: str) -> str:  # noqa: F811  (the fixture, passed on)
    """The article of the nearest passage in the dense and in the keyword index of the live
    build: both stores of the build must be there and answer."""
    from kb.keywords import tokens
    snapshot = Index.open(settings, {"use": counting}).snapshot()
    dense = snapshot.dense("use", counting.embed_query(question), 1, Filters())
    keyword = snapshot.keyword(tokens(question), 1, Filters())
    found = {snapshot.passages[snapshot.position[pid]].article_id for pid, _score in dense + keyword}
    assert len(found) == 1, found
    return found.pop()


@pytest.mark.server
def test_two_data_folders_on_one_chroma_server_keep_each_others_collections(
        content, tmp_path, counting, chroma_server):  # noqa: F811
    a = Settings.from_env({}, content_dir=content, data_dir=tmp_path / "data-a", embedders=("use",),
                          chroma_host="127.0.0.1", chroma_port=chroma_server, watch_content=False)
    b = a.replace(data_dir=tmp_path / "data-b")
    first_a = run(a, counting)
    run(b, counting)
    write(content, "articles/en/loans/loan-apply.md", article_text(
        "loan-apply", "en", category="loans", body="## Can I repay my loan early?\nYes, at any time.\n"))
    assert run(b, counting).published  # B's builds used to delete every collection but B's own
    assert _answer(a, counting, "daily transfer limit") == "transfer-limit.en"  # A still answers
    second_a = run(a, counting)
    assert second_a.updated == ["loan-apply.en"] and counting.embedded == 1  # built on A's live vectors
    assert _answer(a, counting, "repay early") == "loan-apply.en"

    namespace_a = Layout(a.index_dir).namespace()
    namespace_b = Layout(b.index_dir).namespace()
    assert namespace_a != namespace_b
    names = _names(chroma_server)
    assert f"kb-{namespace_a}-{first_a.build_id}-use" in names  # kept: replaced a moment ago
    assert f"kb-{namespace_a}-{second_a.build_id}-use" in names
    assert sum(n.startswith(f"kb-{namespace_b}-") for n in names) == 2

    # The leftovers of killed builds: each folder cleans up its own, never the other's.
    api = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    for namespace in (namespace_a, namespace_b):
        api.create_collection(f"kb-{namespace}-20200101T000000-dead00-use")
    write_topic(content, group="card-pin", category="cards")
    assert run(a, counting).published
    names = _names(chroma_server)
    assert f"kb-{namespace_a}-20200101T000000-dead00-use" not in names
    assert f"kb-{namespace_b}-20200101T000000-dead00-use" in names
    assert _answer(b, counting, "repay early") == "loan-apply.en"


@pytest.mark.server
def test_a_server_build_whose_collections_vanished_is_rebuilt(
        content, make_settings, counting, chroma_server):  # noqa: F811  (fixtures from test_indexer)
    settings = make_settings(content, embedders=("use",), chroma_host="127.0.0.1", chroma_port=chroma_server)
    first = run(settings, counting)
    api = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    api.delete_collection(f"kb-{Layout(settings.index_dir).namespace()}-{first.build_id}-use")
    report = run(settings, counting)  # nothing changed in the content, but the live index is broken
    assert report.published and report.full
    assert _answer(settings, counting, "daily transfer limit") == "transfer-limit.en"


DAMAGES = {
    "garbage catalog": lambda folder: (folder / "catalog.json").write_bytes(b"\x00\xff garbage"),
    "catalog of the wrong shape": lambda folder: (folder / "catalog.json").write_text("[1, 2]"),
    "empty keyword index": lambda folder: [p.write_bytes(b"") for p in (folder / "keyword").iterdir()],
    "no keyword tokens": lambda folder: (folder / "keyword" / "tokens.npz").unlink(),
    "no chroma": lambda folder: shutil.rmtree(folder / "chroma"),
    "manifest of the wrong shape": lambda folder: (folder / "manifest.json").write_text("[]"),
}


@pytest.mark.parametrize("changed", [True, False], ids=["content changed", "content unchanged"])
@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_live_build_is_logged_and_rebuilt_in_full(
        content, make_settings, counting, caplog, damage, changed):  # noqa: F811
    settings = make_settings(content, embedders=("use",))
    first = run(settings, counting)
    DAMAGES[damage](Layout(settings.index_dir).build_dir(first.build_id))
    if changed:
        write_topic(content, group="card-pin", category="cards")
    with caplog.at_level(logging.WARNING, logger="indexer"):
        report = run(settings, counting)
    assert report.published and report.full and counting.embedded == report.passages_total
    assert first.build_id in caplog.text or "building everything again" in caplog.text
    assert _answer(settings, counting, "daily transfer limit") == "transfer-limit.en"
    assert ("card-pin.en" in Index.open(settings, {"use": counting}).snapshot().articles) is changed
    again = run(settings, counting)  # and the repaired index is built upon as usual
    assert not again.published and counting.embedded == 0


def _make_build(layout: Layout, name: str, replaced_ago: float | None, now: float) -> None:
    folder = layout.build_dir(name)
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}")
    if replaced_ago is not None:
        os.utime(folder / "manifest.json", (now - replaced_ago, now - replaced_ago))


def test_builds_are_kept_by_age_not_count(tmp_path):
    layout, now = Layout(tmp_path / "index"), time.time()
    # Each build's manifest is written when it finishes, which is when the one before is replaced.
    for name, finished_ago in [("20260101T000000-aaaaaa", 7200), ("20260101T000100-bbbbbb", 3600),
                               ("20260101T000200-cccccc", 300), ("20260101T000300-dddddd", 200),
                               ("20260101T000400-eeeeee", 100), ("20260101T000500-ffffff", 5)]:
        _make_build(layout, name, finished_ago, now)
    (layout.builds / "20260101T000600-gggggg.partial").mkdir()
    doomed = layout.remove_stale(keep={"20260101T000500-ffffff"}, keep_seconds=600, now=now)
    # aaaaaa was replaced an hour ago (bbbbbb finished then); bbbbbb five minutes ago: it stays,
    # and so do the three after it, however many builds that makes.
    assert sorted(doomed) == ["20260101T000000-aaaaaa", "20260101T000600-gggggg.partial"]
    assert layout.finished_ids() == ["20260101T000100-bbbbbb", "20260101T000200-cccccc",
                                     "20260101T000300-dddddd", "20260101T000400-eeeeee",
                                     "20260101T000500-ffffff"]


def test_the_build_before_the_live_one_stays_however_old(tmp_path):
    layout, now = Layout(tmp_path / "index"), time.time()
    _make_build(layout, "20260101T000000-aaaaaa", 9000, now)
    _make_build(layout, "20260101T000100-bbbbbb", 8000, now)  # replaced aaaaaa long ago
    _make_build(layout, "20260101T000200-cccccc", 7000, now)  # live; a portal that cannot open it
    assert layout.remove_stale(keep={"20260101T000200-cccccc"}, keep_seconds=600, now=now) == [
        "20260101T000000-aaaaaa"]  # still serves bbbbbb


def test_quick_builds_do_not_delete_a_build_a_portal_opened_a_moment_ago(
        content, make_settings, counting):  # noqa: F811
    settings = make_settings(content, embedders=("use",))
    portal = Index(settings, {"use": counting}, check_every=0)
    built = [run(settings, counting).build_id]
    opened = portal.snapshot()
    for group in ("card-pin", "card-limit", "card-fee"):  # an editor saving again and again
        write_topic(content, group=group, category="cards")
        built.append(run(settings, counting).build_id)
    layout = Layout(settings.index_dir)
    assert layout.finished_ids() == sorted(built)
    assert opened.build_id == built[0]  # its files are all still there
    assert opened.dense("use", counting.embed_query("daily transfer limit"), 1, Filters())  # still readable
    for build_id in built[1:-1]:  # make every replacement but the last an hour old
        manifest = layout.build_dir(build_id) / "manifest.json"
        os.utime(manifest, (time.time() - 3600, time.time() - 3600))
    write_topic(content, group="card-stolen", category="cards")
    latest = run(settings, counting).build_id
    assert layout.finished_ids() == [built[-2], built[-1], latest]


def test_a_data_folder_keeps_its_namespace_and_a_copy_gets_its_own(tmp_path):
    layout = Layout(tmp_path / "a" / "index")
    layout.builds.mkdir(parents=True)
    first = layout.namespace()
    assert first == layout.namespace() == Layout(tmp_path / "a" / "index").namespace()  # stable
    assert re.fullmatch(r"[0-9a-f]{12}", first)  # fits a Chroma collection name
    shutil.copytree(tmp_path / "a", tmp_path / "b")  # e.g. the README's second folder, started as a copy
    copy = Layout(tmp_path / "b" / "index").namespace()
    assert copy != first and Layout(tmp_path / "a" / "index").namespace() == first


@pytest.mark.parametrize("damage", ["manifest of the wrong shape", "catalog of the wrong shape"])
def test_a_portal_refuses_a_damaged_build_with_the_fix_and_keeps_serving(
        content, make_settings, counting, damage, caplog):  # noqa: F811
    settings = make_settings(content, embedders=("use",))
    good = run(settings, counting)
    portal = Index(settings, {"use": counting}, check_every=0)
    assert portal.snapshot().build_id == good.build_id
    write_topic(content, group="card-pin", category="cards")
    bad = run(settings, counting)
    DAMAGES[damage](Layout(settings.index_dir).build_dir(bad.build_id))  # damaged once published
    with caplog.at_level(logging.ERROR, logger="indexer"):
        assert portal.snapshot().build_id == good.build_id  # used to raise AttributeError/TypeError
    assert "python -m indexer build --full" in caplog.text
