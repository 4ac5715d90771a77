"""Faults: builds killed again and again, a damaged or missing index, a search log that is
locked, read-only or full. Customers keep getting answers; nothing is lost; logs say what to do."""
from __future__ import annotations

import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from streamlit.testing.v1 import AppTest

from indexer.build import build
from indexer.index import Index
from indexer.layout import Layout
from kb.errors import IndexNotReady
from kb.search import search
from kb.settings import PROJECT_ROOT, Settings
from portal import resources
from tests.articles import CATEGORIES, article_text, write, write_topic

pytestmark = [pytest.mark.model, pytest.mark.slow]
APP = str(PROJECT_ROOT / "portal" / "app.py")


def bulk_content(root, articles: int = 200):
    write(root, "categories.yml", CATEGORIES)
    write_topic(root)  # card-lost: the question the "running portal" keeps asking
    for i in range(articles):
        body = "".join(f"## Loan question {i}-{q}?\nRepayment answer {q} for plan {i}.\n\n" for q in range(3))
        write(root, f"articles/en/loans/bulk-{i}.md", article_text(f"bulk-{i}", "en", category="loans", body=body))


def test_builds_killed_at_random_moments_never_disturb_the_live_index(tmp_path, use_embedder):
    content = tmp_path / "content"
    bulk_content(content, articles=10)
    settings = Settings.from_env({}, content_dir=content, data_dir=tmp_path / "data", embedders=("use",))
    embedders = {"use": use_embedder}
    first = build(settings, embedders=embedders, require_translations=False)
    portal = Index(settings, embedders, check_every=0)  # stands for a running portal
    best = search("I lost my card", portal.snapshot(), embedders, settings).best
    assert best.article.translation_group == "card-lost"
    bulk_content(content, articles=300)  # now a build has plenty to do
    env = dict(os.environ, KB_CONTENT_DIR=str(content), KB_DATA_DIR=str(settings.data_dir), KB_EMBEDDERS="use")
    command = [sys.executable, "-m", "indexer", "build", "--full"]
    # Kill points are fractions of how long a whole build takes on this machine, so that they
    # land mid-build on a fast CI runner as on a slow laptop. Timed on a scratch copy.
    started = time.monotonic()
    timed = subprocess.run(command, cwd=PROJECT_ROOT, env=dict(env, KB_DATA_DIR=str(tmp_path / "timing")),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert timed.returncode <= 1  # 1: the one-language bulk articles are reported, and indexed
    whole_build = time.monotonic() - started
    rng = random.Random(20261128)
    kills = []
    for attempt in range(4):
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rng.uniform(0.1, 0.8) * whole_build  # model loading, parsing, embedding, writing: anywhere
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills.append(round(delay, 1))
        process.wait()
        live = portal.snapshot()
        result = search("I lost my card", live, embedders, settings)
        assert result.best.article.translation_group == "card-lost", attempt  # still answering
        assert Layout(settings.index_dir).current_id() in (first.build_id, live.build_id)
    assert len(kills) >= 3, (kills, whole_build)  # most attempts were really killed mid-way
    report = build(settings, embedders=embedders, require_translations=False)
    # Either this build finishes the work, or an attempt that outran its kill already did.
    assert report.published or report.unchanged == 303
    assert not [p for p in Layout(settings.index_dir).builds.iterdir() if p.name.endswith(".partial")]
    final = portal.snapshot()
    assert final.build_id == report.build_id == Layout(settings.index_dir).current_id()
    assert final.collections["use"].count() == len(final.passages) == report.passages_total
    assert len(final.articles) == 303


def test_a_damaged_new_build_is_not_served_and_the_log_names_the_fix(tmp_path, use_embedder, caplog):
    content = tmp_path / "content"
    bulk_content(content, articles=3)
    settings = Settings.from_env({}, content_dir=content, data_dir=tmp_path / "data", embedders=("use",))
    embedders = {"use": use_embedder}
    good = build(settings, embedders=embedders, require_translations=False)
    portal = Index(settings, embedders, check_every=0)
    assert portal.snapshot().build_id == good.build_id
    layout = Layout(settings.index_dir)
    bad = layout.build_dir("29990101T000000-bad000")
    bad.mkdir()
    (bad / "manifest.json").write_text("{ not json", encoding="utf-8")
    layout.publish(bad.name)
    with caplog.at_level(logging.ERROR):
        snapshot = portal.snapshot()
    assert snapshot.build_id == good.build_id  # still the last good one
    assert "python -m indexer build --full" in caplog.text
    with pytest.raises(IndexNotReady, match="python -m indexer build --full"):
        Index.open(settings, embedders)  # a process starting now gets the clear error


@pytest.fixture
def portal_app(small_index, tmp_path, monkeypatch):
    """The portal on a copy of the small index, so tests may damage it."""
    import shutil
    data = tmp_path / "data"
    shutil.copytree(small_index.data_dir, data)
    env = {"KB_CONTENT_DIR": str(small_index.content_dir), "KB_DATA_DIR": str(data), "KB_EMBEDDERS": "use",
           "KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
           "KB_DB_BUSY_SECONDS": "0.5"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for cached in (resources.settings, resources.index, resources.search_log):
        cached.clear()

    def start(question=None):
        app = AppTest.from_file(APP, default_timeout=60)
        app.query_params["lang"] = "en"
        app.run()
        if question:
            app.text_input(key="q").input(question).run()
        return app
    start.data, start.database, start.monkeypatch = data, tmp_path / "portal.db", monkeypatch
    yield start
    for cached in (resources.settings, resources.index, resources.search_log):
        cached.clear()


def page_text(app) -> str:
    return "\n".join([w.value for w in app.warning] + [m.value for m in app.markdown] +
                     [s.value for s in app.subheader] + [e.proto.body for e in app.get("html")])


@pytest.mark.parametrize("damage", ["delete", "garbage catalog", "empty keyword index", "no chroma"])
def test_a_corrupted_or_missing_index_shows_help_is_being_updated(portal_app, damage, caplog):
    layout = Layout(portal_app.data / "index")
    folder = layout.build_dir(layout.current_id())
    import shutil
    if damage == "delete":
        shutil.rmtree(portal_app.data / "index")
    elif damage == "garbage catalog":
        (folder / "catalog.json").write_bytes(b"\x00\xff garbage")
    elif damage == "empty keyword index":
        for path in (folder / "keyword").iterdir():
            path.write_bytes(b"")
    else:
        shutil.rmtree(folder / "chroma")
    with caplog.at_level(logging.ERROR, logger="portal"):
        app = portal_app()
    assert not app.exception
    text = page_text(app)
    assert "being updated" in text and "0800-088-123" in text  # and how to reach a person
    assert "python -m indexer build" in caplog.text


def test_a_locked_search_log_still_shows_the_answer(portal_app, caplog):
    portal_app().run()  # creates the database
    blocker = sqlite3.connect(portal_app.database, timeout=0.1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.ERROR, logger="portal"):
            app = portal_app("How do I freeze my card?")
            assert resources.search_log().flush(30)  # written in the background: wait for the try
        assert not app.exception and "Best answer" in page_text(app)
        assert "could not write to the search log" in caplog.text and "locked" in caplog.text.lower()
    finally:
        blocker.rollback()
        blocker.close()


def test_a_full_disk_still_shows_the_answer(portal_app, tmp_path, caplog):
    disk = tmp_path / "tiny-disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        portal_app.monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{disk / 'portal.db'}")
        resources.settings.clear()
        resources.search_log.clear()
        portal_app().run()  # creates the database while there is room
        try:
            with open(disk / "filler", "wb", buffering=0) as filler:
                while True:
                    filler.write(b"\0" * 4096)
        except OSError:
            pass  # the disk is full now
        with caplog.at_level(logging.ERROR, logger="portal"):
            app = portal_app("How do I freeze my card?")
            app.button(key="feedback_yes").click().run()
            assert resources.search_log().flush(30)  # written in the background: wait for the try
        assert not app.exception and "Thank you" in "\n".join(e.proto.body for e in app.get("html"))
        assert "full" in caplog.text.lower()
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_retention_deletes_old_rows_when_the_portal_starts(portal_app):
    from datetime import datetime, timedelta, timezone
    from portal.logstore import LogStore, session_hash
    store = LogStore.open(f"sqlite:///{portal_app.database}")
    old = datetime.now(timezone.utc) - timedelta(days=120)
    who = session_hash("someone", "salt")
    store.log_search(who, "old question", query_lang="en", ui_lang="en", top_article_id=None, confidence=0.1,
                     unsure=True, status="unsure", now=old)
    store.log_feedback(who, False, comment="old comment", now=old)
    store.log_search(who, "new question", query_lang="en", ui_lang="en", top_article_id=None, confidence=0.9,
                     unsure=False, status="answered")
    store.close()
    portal_app.monkeypatch.setenv("KB_RETENTION_DAYS", "90")
    resources.settings.clear()
    resources.search_log.clear()
    portal_app("How do I freeze my card?")
    assert resources.search_log().flush(30)  # written in the background
    with sqlite3.connect(portal_app.database) as connection:
        queries = [row[0] for row in connection.execute("select query from searches order by id")]
        comments = connection.execute("select count(*) from feedback").fetchone()[0]
    assert queries == ["new question", "How do I freeze my card?"] and comments == 0
