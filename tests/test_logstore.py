"""The search and feedback log on SQLite and on a real PostgreSQL, and the analytics over it."""
from __future__ import annotations

import secrets
import sqlite3
import threading
import time as clock
from datetime import date, datetime, time, timedelta, timezone

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from kb.errors import StorageError
from kb.redact import redact
from portal import analytics
from portal.logstore import LogStore, describe_failure, searches, session_hash
from tests.postgres import free_port

UTC = timezone.utc
TAIPEI = timezone(timedelta(hours=8))
SALT = "test-salt"
HASH = session_hash("raw-session-1", SALT)
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.server)]

CARD, PHONE, EMAIL = "4111 1111 1111 1111", "0912-345-678", "amy.chen@example.com"


def open_store(backend: str, request, folder, database: str) -> LogStore:
    if backend == "sqlite":
        return LogStore.open(f"sqlite:///{folder / 'data' / 'portal.db'}")
    return LogStore.open(request.getfixturevalue("postgres").database(database))


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    store = open_store(request.param, request, tmp_path, "store_tests")
    yield store
    store.close()


def search(store: LogStore, query: str = "lost card", *, session: str = HASH, now=NOW, **fields) -> int:
    values = dict(query_lang="en", ui_lang="en", top_article_id="card-lost.en", confidence=0.9,
                  unsure=False, status="answered")
    return store.log_search(session, query, now=now, **{**values, **fields})


def scalars(store: LogStore, sql: str) -> list:
    with store.engine.connect() as connection:
        return list(connection.execute(text(sql)).scalars())


# --- the store ----------------------------------------------------------------------------------

def test_session_hash_is_keyed_and_never_the_raw_id():
    hashed = session_hash("8f14e45f-ceea-467f-a0e6-3e8c3f6b9a21", SALT)
    assert len(hashed) == 32 and set(hashed) <= set("0123456789abcdef")
    assert "8f14e45f" not in hashed
    assert hashed == session_hash("8f14e45f-ceea-467f-a0e6-3e8c3f6b9a21", SALT)
    assert hashed != session_hash("8f14e45f-ceea-467f-a0e6-3e8c3f6b9a21", "other-salt")
    with pytest.raises(ValueError):
        session_hash("raw", "")


def test_queries_and_comments_are_stored_redacted(store):
    query = f"card {CARD} lost, call me on {PHONE} or write to {EMAIL}"
    search_id = search(store, query)
    store.log_feedback(HASH, False, search_id=search_id, comment=f"Still charged on {CARD}! {EMAIL}")
    stored = scalars(store, "SELECT query FROM searches") + scalars(store, "SELECT comment FROM feedback")
    assert stored[0] == redact(query)
    for secret in (CARD, CARD.replace(" ", ""), PHONE, EMAIL):
        assert not any(secret in value for value in stored), secret


def test_long_texts_are_cut_after_redaction(store):
    # Cutting first could leave half a card number that no longer looks like one.
    search(store, "a" * 490 + f" {CARD}")
    store.log_feedback(HASH, True, comment="b" * 990 + f" {CARD}")
    [query] = scalars(store, "SELECT query FROM searches")
    [comment] = scalars(store, "SELECT comment FROM feedback")
    assert len(query) <= 500 and len(comment) <= 1000
    assert "4111" not in query and "4111" not in comment


def test_only_hashed_sessions_are_stored(store):
    raw = "8f14e45f-ceea-467f-a0e6-3e8c3f6b9a21"
    with pytest.raises(ValueError, match="session_hash"):
        search(store, session=raw)
    search(store, session=session_hash(raw, SALT))
    assert scalars(store, "SELECT session_hash FROM searches") == [session_hash(raw, SALT)]


def test_times_are_stored_in_utc(store):
    search(store, now=datetime(2025, 3, 10, 20, 0, tzinfo=TAIPEI))
    [raw] = scalars(store, "SELECT created_at FROM searches")
    if isinstance(raw, str):  # SQLite keeps no zone: the stored wall time must be UTC's
        assert raw.startswith("2025-03-10 12:00:00")
    else:
        assert raw == NOW
    [row] = store.rows(select(searches.c.created_at))
    assert row.created_at == NOW and row.created_at.tzinfo == UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        search(store, now=datetime(2025, 3, 10, 12, 0))


def test_arguments_are_checked_before_anything_is_written(store):
    with pytest.raises(ValueError, match="channel"):
        store.log_contact(HASH, "email")
    with pytest.raises(ValueError, match="reason"):
        store.log_feedback(HASH, False, reason="Not clear!")
    with pytest.raises(ValueError, match="status"):
        search(store, status="x" * 40)
    assert scalars(store, "SELECT count(*) FROM contacts") == [0]


def test_retention_deletes_old_rows_only(store):
    old, recent, cutoff = NOW - timedelta(days=100), NOW - timedelta(days=10), NOW - timedelta(days=90)
    old_search = search(store, now=old)
    search(store, now=cutoff)  # exactly N days old: kept
    recent_search = search(store, now=recent)
    store.log_view(HASH, "card-lost.en", search_id=old_search, now=old)
    store.log_contact(HASH, "phone", search_id=old_search, now=old)
    store.log_feedback(HASH, True, search_id=old_search, now=old)
    # A recent row pointing at an old search stays, unlinked.
    store.log_view(HASH, "card-lost.en", search_id=old_search, now=recent)
    store.log_feedback(HASH, False, search_id=recent_search, now=recent)

    assert store.delete_older_than(90, now=NOW) == 4
    assert scalars(store, "SELECT count(*) FROM searches") == [2]
    assert scalars(store, "SELECT search_id FROM article_views") == [None]
    assert scalars(store, "SELECT count(*) FROM contacts") == [0]
    assert scalars(store, "SELECT search_id FROM feedback") == [recent_search]
    assert store.delete_older_than(90, now=NOW) == 0


def test_concurrent_writers_lose_and_duplicate_nothing(store):
    threads, per_thread = 8, 50
    ids: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def write(n: int) -> None:
        start.wait()
        try:
            for i in range(per_thread):
                ids.append(store.log_feedback(HASH, i % 2 == 0, article_id=f"article-{n}"))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(ids) == len(set(ids)) == threads * per_thread
    assert scalars(store, "SELECT count(*), count(DISTINCT id) FROM feedback") == [threads * per_thread]
    assert sorted(scalars(store, "SELECT id FROM feedback")) == sorted(ids)


def test_missing_tables_are_a_storage_error(store):
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE searches CASCADE" if store.engine.dialect.name ==
                                "postgresql" else "DROP TABLE searches"))
    with pytest.raises(StorageError, match="tables are missing"):
        search(store)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    with LogStore.open(f"sqlite:///{tmp_path / 'a' / 'b' / 'portal.db'}") as store:
        assert (tmp_path / "a" / "b" / "portal.db").exists()
        assert scalars(store, "PRAGMA journal_mode") == ["wal"]
        assert scalars(store, "PRAGMA foreign_keys") == [1]


def test_sqlite_file_and_its_folder_are_created_private(tmp_path):
    folder = tmp_path / "data"
    with LogStore.open(f"sqlite:///{folder / 'portal.db'}") as store:
        search(store)
        modes = {path.name: path.stat().st_mode & 0o777 for path in folder.iterdir()}
    assert folder.stat().st_mode & 0o777 == 0o700
    assert modes["portal.db"] == 0o600
    assert modes.get("portal.db-wal", 0o600) == 0o600 and modes.get("portal.db-shm", 0o600) == 0o600
    assert "portal.db-wal" in modes  # WAL mode: the file whose permissions SQLite copies exists


def test_a_data_folder_made_by_the_indexer_is_private_too(tmp_path):
    from indexer.layout import Layout
    with Layout(tmp_path / "data" / "index").locked():
        pass
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("variable, raw", [("KB_DB_BUSY_SECONDS", "0"), ("KB_DB_BUSY_SECONDS", "-1"),
                                           ("KB_STAFF_IDLE_MINUTES", "0")])
def test_timeouts_are_range_checked(variable, raw):
    from kb.errors import SettingsError
    from kb.settings import Settings
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: raw})


def test_the_busy_timeout_defaults_to_the_one_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_DB_BUSY_SECONDS", "0.2")
    path = tmp_path / "portal.db"
    with LogStore.open(f"sqlite:///{path}") as store:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StorageError, match="locked"):
            search(store)
        assert store.engine.pool.timeout() == 0.2  # waiting for a pooled connection: the same bound
        holder.execute("ROLLBACK")
        holder.close()
    with pytest.raises(ValueError, match="busy_timeout"):
        LogStore.open(f"sqlite:///{path}", busy_timeout=0)


def test_a_query_cut_inside_a_placeholder_loses_the_whole_placeholder(store):
    search(store, "a" * 497 + " 4111 1111 1111 1111")
    [query] = scalars(store, "SELECT query FROM searches")
    assert query == "a" * 497 + " " and "4111" not in query


def test_sign_ins_are_recorded_with_a_hashed_client(store):
    client = session_hash("203.0.113.7", SALT)
    store.log_sign_in(client, "wrong", now=NOW)
    store.log_sign_in(client, "ok", now=NOW)
    assert scalars(store, "SELECT result FROM sign_ins ORDER BY id") == ["wrong", "ok"]
    with pytest.raises(ValueError, match="client_hash"):
        store.log_sign_in("203.0.113.7", "ok")
    with pytest.raises(ValueError, match="result"):
        store.log_sign_in(client, "maybe")


def test_a_view_of_a_search_that_is_not_stored_is_kept_unlinked(store):
    store.log_view(HASH, "card-lost.en", search_id=123456789)
    assert scalars(store, "SELECT search_id FROM article_views") == [None]


def test_default_url_comes_from_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    with LogStore.open() as store:
        search(store)
    assert (tmp_path / "data" / "portal.db").exists()


def test_read_only_sqlite_is_a_storage_error(tmp_path):
    path = tmp_path / "portal.db"
    with LogStore.open(f"sqlite:///{path}") as store:
        search(store)
    # chmod would not stop root, who runs these tests in CI; a read-only open stops everyone.
    with LogStore.open(f"sqlite:///file:{path}?mode=ro&uri=true") as store:
        with pytest.raises(StorageError, match="read-only") as caught:
            search(store)
        assert isinstance(caught.value.__cause__, OperationalError)
        with pytest.raises(StorageError, match="read-only"):
            store.delete_older_than(0, now=NOW)
        assert len(store.rows(text("SELECT id FROM searches"))) == 1  # reading still works


def test_sqlite_locked_past_the_timeout_is_a_storage_error(tmp_path):
    path = tmp_path / "portal.db"
    with LogStore.open(f"sqlite:///{path}", busy_timeout=0.2) as store:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        started = clock.monotonic()
        with pytest.raises(StorageError, match="locked"):
            search(store)
        assert clock.monotonic() - started >= 0.15  # it waited; how long at most is no test's business
        holder.execute("ROLLBACK")
        holder.close()
        assert search(store) >= 1


def test_a_folder_that_cannot_be_made_is_a_storage_error(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(StorageError, match="folder cannot be created"):
        LogStore.open(f"sqlite:///{tmp_path / 'file' / 'portal.db'}")


def test_unreachable_postgres_is_a_storage_error():
    password = secrets.token_urlsafe(12)  # made up here: no password is written in the repository
    url = f"postgresql+psycopg://kb:{password}@127.0.0.1:{free_port()}/portal"
    with pytest.raises(StorageError, match="cannot be reached") as caught:
        LogStore.open(url, busy_timeout=1)
    assert password not in str(caught.value)


@pytest.mark.server
def test_missing_postgres_database_is_a_storage_error(postgres):
    url = postgres.database("exists").rsplit("/", 1)[0] + "/does_not_exist"
    with pytest.raises(StorageError, match="database does not exist"):
        LogStore.open(url)


PASSWORD = secrets.token_urlsafe(12)


@pytest.mark.parametrize("url, message", [
    ("not a url", "URL is not usable"),
    (f"mysql://user:{PASSWORD}@db/portal", "unsupported database 'mysql'"),
])
def test_unusable_urls_are_a_storage_error_without_the_password(url, message):
    with pytest.raises(StorageError, match=message) as caught:
        LogStore.open(url)
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize("error, phrase", [
    (sqlite3.OperationalError("database is locked"), "locked"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
    (sqlite3.OperationalError("database or disk is full"), "disk is full"),
    (sqlite3.OperationalError("unable to open database file"), "missing or cannot be opened"),
    (sqlite3.DatabaseError("file is not a database"), "not a database"),
    (psycopg.errors.DiskFull("could not extend file"), "disk is full"),
    (psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"), "lock"),
    (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT"), "read-only"),
    (psycopg.errors.InvalidCatalogName('database "x" does not exist'), "does not exist"),
    (psycopg.errors.AdminShutdown("terminating connection"), "shutting down"),
    (psycopg.OperationalError("connection failed: Connection refused"), "cannot be reached"),
])
def test_failures_are_named(error, phrase):
    assert phrase in describe_failure(error)
    assert phrase in describe_failure(OperationalError("INSERT ...", {}, error))


# --- analytics ----------------------------------------------------------------------------------

D1, D2, D3 = date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 3)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


# name: (session, when, query, query language, top article, unsure). x and y fall outside D1..D3.
SEARCHES = {
    "x": ("s1", at(date(2025, 2, 28), 23, 59), "lost my card", "en", "card-lost.en", False),
    "a": ("s1", at(D1, 9), "Lost my  card", "en", "card-lost.en", False),
    "b": ("s2", at(D1, 10), "lost my card", "en", "card-lost.en", False),
    "c": ("s3", at(D1, 23, 30), "掛失信用卡", "zh-Hant", "card-lost.zh-Hant", True),
    "d": ("s1", at(D2, 8), "LOST MY CARD", "en", "card-lost.en", True),
    "e": ("s4", at(D2, 12), "转账限额", "zh-Hans", "transfer-limit.zh-Hans", False),
    "f": ("s5", at(D2, 13), "how to apply loan", "en", "loan-apply.en", False),
    "g": ("s2", at(D3, 7), "转账限额\u3000", "zh-Hans", "transfer-limit.zh-Hans", False),
    "h": ("s6", at(D3, 15), "掛失信用卡", "zh-Hant", None, True),
    "y": ("s1", at(date(2025, 3, 4), 0), "lost my card", "en", "card-lost.en", False),
}
VIEWS = [("a", "card-lost.en", at(D1, 9, 1)), ("d", "card-lost.en", at(D2, 8, 1)),
         ("e", "transfer-limit.zh-Hans", at(D2, 12, 1)), ("f", "loan-apply.en", at(D2, 13, 2))]
# (search, article, helpful, when)
FEEDBACK = [("a", "card-lost.en", True, at(D1, 9, 5)), ("b", "card-lost.en", False, at(D1, 10, 5)),
            ("e", "transfer-limit.zh-Hans", False, at(D2, 12, 5)),
            ("g", "transfer-limit.zh-Hans", True, at(D3, 7, 5)),
            ("f", "loan-apply.en", True, at(D2, 13, 5)), (None, "loan-apply.en", True, at(D3, 16)),
            (None, "card-lost.en", False, at(date(2025, 3, 4), 9))]
# (session, channel, when): c and d were unsure anyway; s5 called before f and 45 minutes after
# it (outside the window); s2 called exactly 30 minutes after g (inside).
CONTACTS = [("s3", "chat", at(D1, 23, 45)), ("s1", "phone", at(D2, 8, 20)),
            ("s5", "chat", at(D2, 12, 55)), ("s5", "branch", at(D2, 13, 45)),
            ("s2", "phone", at(D3, 7, 30))]


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request, tmp_path_factory):
    """A log with three days of searches in three languages, opened once per backend."""
    store = open_store(request.param, request, tmp_path_factory.mktemp("seeded"), "analytics")
    sessions = {name: session_hash(name, SALT) for name in ("s1", "s2", "s3", "s4", "s5", "s6")}
    ids = {}
    for name, (session, when, query, lang, top, unsure) in SEARCHES.items():
        ids[name] = store.log_search(sessions[session], query, query_lang=lang, ui_lang="en",
                                     top_article_id=top, confidence=0.3 if unsure else 0.9,
                                     unsure=unsure, status="unsure" if unsure else "answered", now=when)
    for name, article, when in VIEWS:
        store.log_view(sessions[SEARCHES[name][0]], article, search_id=ids[name], now=when)
    for name, article, helpful, when in FEEDBACK:
        session = sessions[SEARCHES[name][0]] if name else sessions["s6"]
        store.log_feedback(session, helpful, search_id=ids.get(name), article_id=article, now=when)
    for session, channel, when in CONTACTS:
        store.log_contact(sessions[session], channel, now=when)
    yield store, ids
    store.close()


def test_searches_per_day(seeded):
    store, _ = seeded
    assert analytics.searches_per_day(store, D1, D3) == [
        {"day": D1, "searches": 3}, {"day": D2, "searches": 3}, {"day": D3, "searches": 2}]
    # Days in Taipei start 8 hours earlier: x moves into 1 March, c into 2 March, y stays out.
    assert analytics.searches_per_day(store, D1, D3, tz=TAIPEI) == [
        {"day": D1, "searches": 3}, {"day": D2, "searches": 4}, {"day": D3, "searches": 2}]
    assert analytics.searches_per_day(store, date(2025, 1, 1), date(2025, 1, 2)) == [
        {"day": date(2025, 1, 1), "searches": 0}, {"day": date(2025, 1, 2), "searches": 0}]
    with pytest.raises(ValueError, match="before it starts"):
        analytics.searches_per_day(store, D3, D1)


def test_searches_per_language(seeded):
    store, _ = seeded
    assert analytics.searches_per_language(store, D1, D3) == [
        {"language": "en", "searches": 4}, {"language": "zh-Hans", "searches": 2},
        {"language": "zh-Hant", "searches": 2}]
    assert analytics.searches_per_language(store, D3, D3) == [
        {"language": "zh-Hans", "searches": 1}, {"language": "zh-Hant", "searches": 1}]


def test_top_queries_group_case_and_whitespace(seeded):
    store, _ = seeded
    assert analytics.top_queries(store, D1, D3) == [
        {"query": "lost my card", "searches": 3, "unsure_share": 0.3333},
        {"query": "掛失信用卡", "searches": 2, "unsure_share": 1.0},
        {"query": "转账限额", "searches": 2, "unsure_share": 0.0},
        {"query": "how to apply loan", "searches": 1, "unsure_share": 0.0}]
    assert [row["query"] for row in analytics.top_queries(store, D1, D3, limit=2)] == [
        "lost my card", "掛失信用卡"]


# Failed searches and the self-service share: tests/test_analytics.py, on a log seeded for them.


def test_helpfulness_per_article(seeded):
    store, _ = seeded
    assert analytics.helpfulness_per_article(store, D1, D3) == [
        {"article_id": "card-lost.en", "yes": 1, "no": 1, "helpful_share": 0.5},
        {"article_id": "transfer-limit.zh-Hans", "yes": 1, "no": 1, "helpful_share": 0.5},
        {"article_id": "loan-apply.en", "yes": 2, "no": 0, "helpful_share": 1.0}]


def test_helpfulness_per_category(seeded):
    store, _ = seeded
    categories = {"card-lost": "cards", "loan-apply": "cards", "transfer-limit": "transfers"}
    assert analytics.helpfulness_per_category(
        store, D1, D3, lambda article_id: categories[article_id.split(".")[0]]) == [
        {"category": "transfers", "yes": 1, "no": 1, "helpful_share": 0.5},
        {"category": "cards", "yes": 3, "no": 1, "helpful_share": 0.75}]


def test_normalise_query():
    assert analytics.normalise_query("  Lost\tMY\u3000card \n") == "lost my card"


@pytest.mark.server
def test_a_slow_postgresql_write_ends_at_the_timeout_but_reads_may_take_longer(postgres):
    url = postgres.database("slow_writes")
    with LogStore.open(url, busy_timeout=0.3) as store:
        with store.engine.begin() as connection:
            connection.execute(text("CREATE FUNCTION slow() RETURNS trigger AS "
                                    "$$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$ LANGUAGE plpgsql"))
            connection.execute(text("CREATE TRIGGER slow BEFORE INSERT ON searches "
                                    "FOR EACH ROW EXECUTE FUNCTION slow()"))
        with pytest.raises(StorageError, match="cancelled"):
            search(store)
        assert store.rows(text("SELECT pg_sleep(0.5), 1"))[0][1] == 1  # the staff analytics' reads
