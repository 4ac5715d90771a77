"""The background search log: a customer's answer never waits for the database.

Every test drives a real store (SQLite file, real PostgreSQL). "Never waits" is asserted
structurally: the log call returns while the store is still blocked (a lock held, a server
stopped), which a synchronous write could not do. The figure in milliseconds is measured by
``python -m eval bench-log``, not asserted here.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from portal.logstore import LogStore, session_hash
from portal.searchlog import BackgroundLog, new_search_id

HASH = session_hash("raw-session", "salt")
SEARCH = dict(session_hash=HASH, query="lost card 4111 1111 1111 1111", query_lang="en", ui_lang="en",
              top_article_id="card-lost.en", confidence=0.9, unsure=False, status="answered")
WAIT = 60.0  # generous bound for background work to finish; never a speed assertion


def count(url: str, table: str) -> int:
    with LogStore.open(url) as store:
        return store.rows(text(f"SELECT count(*) FROM {table}"))[0][0]


class Clock:
    """A clock the test moves by hand, for the breaker's cool-down and the daily retention."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'portal.db'}"


def test_rows_are_written_in_the_background_and_linked_by_their_search_id(sqlite_url):
    log = BackgroundLog(sqlite_url, timeout=5)
    try:
        search_id = log.log_search(**SEARCH)
        log.log_view(session_hash=HASH, article_id="card-lost.en", search_id=search_id)
        log.call("log_feedback", session_hash=HASH, helpful=False, search_id=search_id, comment="mail a@b.com")
        log.log_contact(session_hash=HASH, channel="phone", search_id=search_id)
        assert log.flush(WAIT)
        assert log.stats()["written"] == 4 and log.stats()["dropped"] == 0
        with LogStore.open(sqlite_url) as store:
            [(stored_id, query)] = store.rows(text("SELECT id, query FROM searches"))
            assert stored_id == search_id and query == "lost card [card]"
            assert store.rows(text("SELECT search_id, comment FROM feedback"))[0] == (search_id, "mail [email]")
            assert store.rows(text("SELECT search_id FROM article_views"))[0][0] == search_id
            assert store.rows(text("SELECT search_id FROM contacts"))[0][0] == search_id
    finally:
        log.close()


def test_a_question_as_typed_is_redacted_then_cut_on_the_writer_thread(sqlite_url):
    card = "4111 1111 1111 1111"
    log = BackgroundLog(sqlite_url, timeout=5)
    try:
        log.log_search(**{**SEARCH, "query": "a" * 490 + " " + card + " and more " * 50})
        log.log_feedback(session_hash=HASH, helpful=False, comment="   ")
        assert log.flush(WAIT)
        with LogStore.open(sqlite_url) as store:
            [(query,)] = store.rows(text("SELECT query FROM searches"))
            assert query == ("a" * 490 + " [card]" + " and more " * 50)[:500] and "4111" not in query
            assert store.rows(text("SELECT comment FROM feedback")) == [(None,)]
    finally:
        log.close()


def test_a_bad_call_fails_on_the_callers_thread_before_anything_is_queued(sqlite_url):
    log = BackgroundLog(sqlite_url, timeout=5)
    try:
        with pytest.raises(ValueError, match="session_hash"):
            log.log_search(**{**SEARCH, "session_hash": "raw-browser-session-id"})
        with pytest.raises(ValueError, match="channel"):
            log.log_contact(session_hash=HASH, channel="fax")
        with pytest.raises(ValueError, match="no log method"):
            log.call("delete_older_than")
        with pytest.raises(TypeError, match="query must be a str"):
            log.log_search(**{**SEARCH, "query": b"bytes"})
        assert log.stats()["queued"] == 0
    finally:
        log.close()


def test_search_ids_are_unique_ordered_by_time_and_fit_the_portal_links():
    ids = [new_search_id(1_800_000_000.0) for _ in range(2000)]
    assert len(set(ids)) > 1990  # 20 random bits within one millisecond
    assert all(0 < i < 10 ** 18 for i in ids)
    assert new_search_id(1_800_000_001.0) > max(ids)
    from portal.params import parse
    assert parse({"from": str(ids[0])}).from_search == ids[0]  # links carry it back intact


def test_a_locked_sqlite_does_not_hold_up_the_caller(sqlite_url, tmp_path):
    log = BackgroundLog(sqlite_url, timeout=30)  # a synchronous write would wait up to 30 s
    try:
        assert log.flush(WAIT)
        holder = sqlite3.connect(tmp_path / "data" / "portal.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        released = threading.Event()

        def release() -> None:  # the safety net: without it a synchronous log would hang the test
            released.set()
            holder.execute("ROLLBACK")
            holder.close()
        timer = threading.Timer(25, release)
        timer.start()
        ids = [log.log_search(**SEARCH) for _ in range(5)]
        returned_while_locked = not released.is_set()
        timer.cancel()
        if not released.is_set():
            release()
        assert returned_while_locked
        # The lock was short: nothing is lost, every row arrives once it is released.
        assert log.flush(WAIT)
        assert log.stats() | {"retention_runs": 0} == {
            "written": 5, "dropped": 0, "queued": 0, "breaker_open": False, "retention_runs": 0}
        with LogStore.open(sqlite_url) as store:
            assert sorted(row[0] for row in store.rows(text("SELECT id FROM searches"))) == sorted(ids)
    finally:
        log.close()


def test_a_full_queue_drops_rows_counts_them_and_says_so(sqlite_url, tmp_path, caplog):
    log = BackgroundLog(sqlite_url, timeout=30, queue_rows=2)
    try:
        assert log.flush(WAIT)
        holder = sqlite3.connect(tmp_path / "data" / "portal.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        with caplog.at_level(logging.WARNING, logger="portal.searchlog"):
            for _ in range(10):
                log.log_search(**SEARCH)
        holder.execute("ROLLBACK")
        holder.close()
        assert log.flush(WAIT)
        stats = log.stats()
        # One row may have left the queue for the blocked writer before the queue filled.
        assert stats["written"] in (2, 3) and stats["written"] + stats["dropped"] == 10
        assert count(sqlite_url, "searches") == stats["written"]
        assert "row dropped (the write queue is full)" in caplog.text
    finally:
        log.close()


def test_a_failing_store_opens_the_breaker_and_rows_are_dropped_without_waiting(tmp_path, caplog):
    path = tmp_path / "portal.db"
    LogStore.open(f"sqlite:///{path}").close()
    # Read-only stops every account, root included; each write fails with a real SQLite error.
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    clock = Clock()
    log = BackgroundLog(read_only, timeout=5, retry_seconds=30, clock=clock)
    try:
        with caplog.at_level(logging.ERROR, logger="portal.searchlog"):
            log.log_search(**SEARCH)
            assert log.flush(WAIT)
        assert "could not write to the search log" in caplog.text and "read-only" in caplog.text
        assert log.stats()["breaker_open"] and log.stats()["dropped"] == 1
        # While open, rows are dropped on the caller's thread: nothing is queued behind the failure.
        for _ in range(3):
            log.log_search(**SEARCH)
        assert log.stats()["queued"] == 0 and log.stats()["dropped"] == 4
        clock.now += 31  # cool-down over: the next row tries the store again
        assert not log.stats()["breaker_open"]
        log.log_search(**SEARCH)
        assert log.flush(WAIT)
        assert log.stats()["dropped"] == 5 and log.stats()["breaker_open"]
    finally:
        log.close()


def test_after_an_outage_rows_flow_again_and_dropped_searches_leave_links_empty(tmp_path):
    path = tmp_path / "portal.db"
    url = f"sqlite:///{path}"
    clock = Clock()
    log = BackgroundLog(url, timeout=0.2, retry_seconds=30, clock=clock)
    try:
        assert log.flush(WAIT)
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        lost = log.log_search(**SEARCH)  # fails after 0.2 s: the breaker opens
        assert log.flush(WAIT) and log.stats()["breaker_open"]
        holder.execute("ROLLBACK")
        holder.close()
        clock.now += 31
        log.log_feedback(session_hash=HASH, helpful=True, search_id=lost)
        kept = log.log_search(**SEARCH)
        assert log.flush(WAIT)
        assert log.stats()["written"] == 2 and not log.stats()["breaker_open"]
        with LogStore.open(url) as store:
            assert store.rows(text("SELECT id FROM searches")) == [(kept,)]
            assert store.rows(text("SELECT search_id FROM feedback")) == [(None,)]
    finally:
        log.close()


def test_retention_runs_at_start_and_then_every_day(sqlite_url):
    old = datetime.now(timezone.utc) - timedelta(days=100)
    with LogStore.open(sqlite_url) as store:
        store.log_search(**{**SEARCH, "now": old})
    clock = Clock()
    log = BackgroundLog(sqlite_url, timeout=5, retention_days=90, retention_every=24 * 3600, clock=clock)
    try:
        assert _eventually(lambda: log.stats()["retention_runs"] == 1)
        assert count(sqlite_url, "searches") == 0
        with LogStore.open(sqlite_url) as store:
            store.log_search(**{**SEARCH, "now": old})
        clock.now += 12 * 3600
        log.log_search(**SEARCH)
        assert log.flush(WAIT) and log.stats()["retention_runs"] == 1  # not yet a day
        clock.now += 12 * 3600
        assert _eventually(lambda: log.stats()["retention_runs"] == 2)
        assert count(sqlite_url, "searches") == 1  # the recent one stays
    finally:
        log.close()


@pytest.mark.server
def test_a_locked_postgresql_table_does_not_hold_up_the_caller(postgres):
    url = postgres.database("locked_log")
    log = BackgroundLog(url, timeout=30)
    try:
        assert log.flush(WAIT)
        import psycopg
        holder = psycopg.connect(host="127.0.0.1", port=postgres.port, user="kb", dbname="locked_log")
        holder.execute("LOCK TABLE searches IN ACCESS EXCLUSIVE MODE")
        released = threading.Event()

        def release() -> None:
            released.set()
            holder.rollback()
            holder.close()
        timer = threading.Timer(25, release)
        timer.start()
        ids = [log.log_search(**SEARCH) for _ in range(5)]
        returned_while_locked = not released.is_set()
        timer.cancel()
        if not released.is_set():
            release()
        assert returned_while_locked
        assert log.flush(WAIT) and log.stats()["written"] == 5
        with LogStore.open(url) as store:
            assert sorted(row[0] for row in store.rows(text("SELECT id FROM searches"))) == sorted(ids)
    finally:
        log.close()


@pytest.mark.server
@pytest.mark.slow
def test_a_stopped_postgresql_drops_rows_and_the_caller_goes_on():
    from tests.postgres import running_server
    with running_server() as server:  # its own server: this test stops it
        url = server.database("outage")
        log = BackgroundLog(url, timeout=30)
        try:
            log.log_search(**SEARCH)
            assert log.flush(WAIT) and log.stats()["written"] == 1
            server.stop()
            ids = [log.log_search(**SEARCH) for _ in range(20)]
            assert len(set(ids)) == 20
            assert log.flush(WAIT)
            stats = log.stats()
            assert stats["written"] == 1 and stats["dropped"] == 20 and stats["breaker_open"]
            log.log_feedback(session_hash=HASH, helpful=True)  # dropped at once, no error
            assert log.stats()["dropped"] == 21 and log.stats()["queued"] == 0
        finally:
            log.close()


def _eventually(condition, seconds: float = WAIT) -> bool:
    done = threading.Event()
    deadline = threading.Timer(seconds, done.set)
    deadline.start()
    try:
        while not done.is_set():
            if condition():
                return True
            done.wait(0.05)
        return condition()
    finally:
        deadline.cancel()


def test_reading_the_store_never_waits_for_it(tmp_path):
    # A folder that cannot be made: opening fails, the breaker opens, readers get None at once.
    (tmp_path / "file").write_text("not a folder")
    clock = Clock()
    log = BackgroundLog(f"sqlite:///{tmp_path / 'file' / 'portal.db'}", timeout=5, clock=clock)
    try:
        assert log.flush(WAIT)
        assert log.store is None and log.stats()["breaker_open"]
    finally:
        log.close()
    healthy = BackgroundLog(f"sqlite:///{tmp_path / 'data' / 'portal.db'}", timeout=5)
    try:
        assert healthy.flush(WAIT)
        assert healthy.store is not None
        assert healthy.store.rows(text("SELECT count(*) FROM searches")) == [(0,)]
    finally:
        healthy.close()


def test_a_process_that_exits_normally_writes_what_is_queued(tmp_path):
    import subprocess
    import sys
    from kb.settings import PROJECT_ROOT
    database = tmp_path / "exit.db"
    script = ("from portal.searchlog import BackgroundLog\n"
              "from portal.logstore import session_hash\n"
              f"log = BackgroundLog('sqlite:///{database}', 5)\n"
              "for i in range(200):\n"
              "    log.log_feedback(session_hash=session_hash('s', 'salt'), helpful=True, comment=f'row {i}')\n")
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, check=True, timeout=120)
    assert count(f"sqlite:///{database}", "feedback") == 200
