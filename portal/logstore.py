"""The log of searches, article views, contact clicks and feedback, in SQLite or PostgreSQL.

Nothing a customer typed is stored as typed: queries and comments pass through ``redact`` here,
inside the store, whoever calls it; sessions are stored only as a keyed hash. Times are UTC.
Every database failure leaves as a ``StorageError`` naming the problem (locked, read-only, full,
missing, unreachable), never as a raw driver exception.

Open one store per process and share it between threads: each write is its own short
transaction on a pooled connection. Every wait (for a lock, a connection, a statement) is bounded
by one setting, ``KB_DB_BUSY_SECONDS``. The portal never calls these writes on the customer's
thread: ``portal.searchlog.BackgroundLog`` queues them for a writer thread.

A SQLite file is created private (0600, WAL and shared-memory files follow it), in a folder
created private (0700): it holds what customers asked.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, DateTime, Float, ForeignKey,
                        Integer, MetaData, String, Table, Text, create_engine, event)
from sqlalchemy.engine import URL, Engine, Row, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from kb.errors import StorageError
from kb.redact import redact_and_cut
from kb.settings import Settings

QUERY_MAX_CHARS = 500
COMMENT_MAX_CHARS = 1000
CHANNELS = ("phone", "chat", "branch")
SIGN_IN_RESULTS = ("ok", "wrong", "throttled")

_SESSION_HASH = re.compile(r"[0-9a-f]{32}")
_SHORT_CODE = re.compile(r"[a-z0-9_-]{1,32}")


class UtcDateTime(TypeDecorator):
    """Aware datetimes in and out, stored as UTC: SQLite has no time zones, PostgreSQL answers in
    the session's zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# SQLite needs exactly INTEGER for an auto-incrementing primary key.
_Id = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()


def _created_at() -> Column:
    return Column("created_at", UtcDateTime(), nullable=False, index=True)


def _session() -> Column:
    return Column("session_hash", String(32), nullable=False, index=True)


def _search_ref() -> Column:
    # A search deleted by retention leaves its newer views and feedback in place, unlinked.
    return Column("search_id", _Id, ForeignKey("searches.id", ondelete="SET NULL"), index=True)


searches = Table(
    "searches", metadata,
    Column("id", _Id, primary_key=True),
    _created_at(), _session(),
    Column("query", String(QUERY_MAX_CHARS), nullable=False),
    Column("query_lang", String(16), nullable=False),
    Column("ui_lang", String(16), nullable=False),
    Column("top_article_id", String(200)),
    Column("confidence", Float, nullable=False),
    Column("unsure", Boolean, nullable=False),
    Column("status", String(32), nullable=False),
    Column("elder_mode", Boolean, nullable=False),
)

article_views = Table(
    "article_views", metadata,
    Column("id", _Id, primary_key=True),
    _created_at(), _session(), _search_ref(),
    Column("article_id", String(200), nullable=False),
)

contacts = Table(
    "contacts", metadata,
    Column("id", _Id, primary_key=True),
    _created_at(), _session(), _search_ref(),
    Column("channel", String(8), nullable=False),
    CheckConstraint("channel IN ('phone', 'chat', 'branch')", name="contacts_channel"),
)

feedback = Table(
    "feedback", metadata,
    Column("id", _Id, primary_key=True),
    _created_at(), _session(), _search_ref(),
    Column("article_id", String(200)),
    Column("helpful", Boolean, nullable=False),
    Column("reason", String(32)),
    Column("comment", Text),
)

# Every staff sign-in, failed or not: when, from which client (a keyed hash), and how it went.
sign_ins = Table(
    "sign_ins", metadata,
    Column("id", _Id, primary_key=True),
    _created_at(),
    Column("client_hash", String(32), nullable=False, index=True),
    Column("result", String(16), nullable=False),
)

# Children first, so that a retention run never trips over a foreign key.
_TABLES = (article_views, contacts, feedback, sign_ins, searches)
TABLES = {table.name: table for table in _TABLES}


def session_hash(raw_session_id: str, salt: str) -> str:
    """A keyed hash of a session id (HMAC-SHA256, first 32 hex digits): stable for one salt, so a
    session's rows can be joined, but the raw id cannot be recovered or matched without it."""
    if not salt:
        raise ValueError("session_hash needs a non-empty salt")
    return hmac.new(salt.encode(), raw_session_id.encode(), hashlib.sha256).hexdigest()[:32]


def search_row(session_hash: str, query: str, *, query_lang: str, ui_lang: str,
               top_article_id: str | None, confidence: float, unsure: bool, status: str,
               elder_mode: bool = False, now: datetime | None = None,
               search_id: int | None = None) -> dict[str, Any]:
    """The checked values of one search row. ``query`` is redacted first, then cut to 500
    characters: cutting first could leave half a card number that no longer looks like one.
    ``search_id`` sets the row's id (the background log assigns ids before the row is written)."""
    values = dict(created_at=_utc(now), session_hash=_checked_session(session_hash),
                  query=redact_and_cut(query, QUERY_MAX_CHARS),
                  query_lang=_short(query_lang, "query_lang", 16), ui_lang=_short(ui_lang, "ui_lang", 16),
                  top_article_id=_short(top_article_id, "top_article_id", 200),
                  confidence=float(confidence), unsure=bool(unsure), status=_code(status, "status"),
                  elder_mode=bool(elder_mode))
    if search_id is not None:
        values["id"] = _row_id(search_id, "search_id")
    return values


def view_row(session_hash: str, article_id: str, *, search_id: int | None = None,
             now: datetime | None = None) -> dict[str, Any]:
    return dict(created_at=_utc(now), session_hash=_checked_session(session_hash),
                search_id=_optional_id(search_id), article_id=_short(article_id, "article_id", 200))


def contact_row(session_hash: str, channel: str, *, search_id: int | None = None,
                now: datetime | None = None) -> dict[str, Any]:
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, got {channel!r}")
    return dict(created_at=_utc(now), session_hash=_checked_session(session_hash),
                search_id=_optional_id(search_id), channel=channel)


def feedback_row(session_hash: str, helpful: bool, *, search_id: int | None = None,
                 article_id: str | None = None, reason: str | None = None,
                 comment: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    comment = redact_and_cut(comment, COMMENT_MAX_CHARS) if comment and comment.strip() else None
    return dict(created_at=_utc(now), session_hash=_checked_session(session_hash),
                search_id=_optional_id(search_id), article_id=_short(article_id, "article_id", 200),
                helpful=bool(helpful), reason=None if reason is None else _code(reason, "reason"),
                comment=comment)


def sign_in_row(client_hash: str, result: str, *, now: datetime | None = None) -> dict[str, Any]:
    if result not in SIGN_IN_RESULTS:
        raise ValueError(f"result must be one of {', '.join(SIGN_IN_RESULTS)}, got {result!r}")
    return dict(created_at=_utc(now), client_hash=_checked_session(client_hash, "client_hash"),
                result=result)


# The free text of a table (redacted, then cut to its limit) and a row with it filled in: the
# background log builds a row without it and redacts it on its writer thread.
FREE_TEXT = {"searches": ("query", QUERY_MAX_CHARS), "feedback": ("comment", COMMENT_MAX_CHARS)}


def with_free_text(table: Table, row: dict[str, Any], text: str) -> dict[str, Any]:
    name, limit = FREE_TEXT[table.name]
    if name == "comment" and not text.strip():
        return {**row, name: None}
    return {**row, name: redact_and_cut(text, limit)}


# What each write method stores, and where: the background log builds (checks) a row on the
# caller's thread with these, and writes it on its own.
ROWS = {"log_search": (searches, search_row), "log_view": (article_views, view_row),
        "log_contact": (contacts, contact_row), "log_feedback": (feedback, feedback_row),
        "log_sign_in": (sign_ins, sign_in_row)}


class LogStore:
    """Writes the portal's events; ``rows`` serves the analytics. Build it with ``open``."""

    def __init__(self, engine: Engine, busy_timeout: float | None = None):
        self._engine = engine
        # Writes on PostgreSQL also end after the timeout (SET LOCAL: reads for the staff
        # analytics may run longer).
        self._write_timeout = (f"SET LOCAL statement_timeout = {max(1, int(busy_timeout * 1000))}"
                               if busy_timeout and engine.dialect.name == "postgresql" else None)
        self._where = engine.url.render_as_string(hide_password=True)
        self._driver_error = engine.dialect.loaded_dbapi.Error

    @classmethod
    def open(cls, url: str | URL | None = None, *, busy_timeout: float | None = None) -> "LogStore":
        """Connect and create the tables if needed.

        ``url`` defaults to ``KB_DATABASE_URL`` (SQLite at ``<data_dir>/portal.db`` when unset).
        SQLite runs in WAL mode with foreign keys on; a write waits ``busy_timeout`` seconds
        (default ``KB_DB_BUSY_SECONDS``) for a lock, PostgreSQL as long for a connection, a lock
        and a statement, before raising ``StorageError``.
        """
        settings = Settings.from_env() if url is None or busy_timeout is None else None
        if busy_timeout is None:
            busy_timeout = settings.db_busy_seconds
        if not busy_timeout > 0:
            raise ValueError(f"busy_timeout must be > 0, got {busy_timeout}")
        raw = url if url is not None else settings.resolved_database_url
        # A URL that does not parse is not shown: it may hold a password.
        with _translated("open the log database", "the configured URL", (ValueError, ImportError)):
            parsed = make_url(raw)
        with _translated("open the log database", parsed.render_as_string(hide_password=True),
                         (ValueError, ImportError)):
            store = cls(_create_engine(parsed, busy_timeout), busy_timeout)
        try:
            with store._guard("create the log tables"):
                metadata.create_all(store.engine)
        except StorageError:
            store.close()
            raise
        return store

    @property
    def engine(self) -> Engine:
        return self._engine

    def rows(self, statement: Executable, action: str = "read the log") -> list[Row]:
        """Run a read-only statement and return its rows; failures become ``StorageError``."""
        with self._guard(action), self._engine.connect() as connection:
            return list(connection.execute(statement))

    def log_search(self, session_hash: str, query: str, *, query_lang: str, ui_lang: str,
                   top_article_id: str | None, confidence: float, unsure: bool, status: str,
                   elder_mode: bool = False, now: datetime | None = None,
                   search_id: int | None = None) -> int:
        """Record one search; ``query`` is stored redacted, then cut to 500 characters.
        Returns the new row's id, to link views, contacts and feedback to it."""
        return self.insert(searches, search_row(
            session_hash, query, query_lang=query_lang, ui_lang=ui_lang,
            top_article_id=top_article_id, confidence=confidence, unsure=unsure, status=status,
            elder_mode=elder_mode, now=now, search_id=search_id))

    def log_view(self, session_hash: str, article_id: str, *, search_id: int | None = None,
                 now: datetime | None = None) -> int:
        """Record that an article was opened, from a search's results when ``search_id`` is set."""
        return self.insert(article_views, view_row(session_hash, article_id, search_id=search_id, now=now))

    def log_contact(self, session_hash: str, channel: str, *, search_id: int | None = None,
                    now: datetime | None = None) -> int:
        """Record a click on a way to reach a person: ``phone``, ``chat`` or ``branch``."""
        return self.insert(contacts, contact_row(session_hash, channel, search_id=search_id, now=now))

    def log_feedback(self, session_hash: str, helpful: bool, *, search_id: int | None = None,
                     article_id: str | None = None, reason: str | None = None,
                     comment: str | None = None, now: datetime | None = None) -> int:
        """Record a "was this helpful?" answer. ``reason`` is a short code (``outdated``);
        ``comment`` is stored redacted, then cut to 1000 characters. Returns the new row's id."""
        return self.insert(feedback, feedback_row(session_hash, helpful, search_id=search_id,
                                                  article_id=article_id, reason=reason,
                                                  comment=comment, now=now))

    def log_sign_in(self, client_hash: str, result: str, *, now: datetime | None = None) -> int:
        """Record one staff sign-in: ``client_hash`` (``session_hash`` of the client's address)
        and ``result``, one of ``ok``, ``wrong`` or ``throttled``."""
        return self.insert(sign_ins, sign_in_row(client_hash, result, now=now))

    def delete_older_than(self, days: int | None = None, *, now: datetime | None = None) -> int:
        """Delete rows of every table created more than ``days`` days before ``now`` (default
        ``KB_RETENTION_DAYS``), in one transaction. Returns how many rows went."""
        days = Settings.from_env().retention_days if days is None else days
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        cutoff = _utc(now) - timedelta(days=days)
        with self._guard("delete old log rows"), self._engine.begin() as connection:
            return sum(connection.execute(table.delete().where(table.c.created_at < cutoff)).rowcount
                       for table in _TABLES)

    def insert(self, table: Table, values: dict[str, Any]) -> int:
        """Write one row built by ``search_row``, ``view_row``... in its own transaction and
        return its id. A row whose ``search_id`` names a search that is not stored (dropped
        while the log was down, or deleted by retention) is stored unlinked."""
        try:
            return self._insert_once(table, values)
        except StorageError as exc:
            if values.get("search_id") is None or not isinstance(exc.__cause__, IntegrityError):
                raise
        return self._insert_once(table, {**values, "search_id": None})

    def _insert_once(self, table: Table, values: dict[str, Any]) -> int:
        with self._guard(f"save a row in {table.name}"), self._engine.begin() as connection:
            if self._write_timeout:
                connection.exec_driver_sql(self._write_timeout)
            return connection.execute(table.insert().values(**values)).inserted_primary_key[0]

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> "LogStore":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _guard(self, action: str):
        return _translated(action, self._where, (self._driver_error,))


def _create_engine(url: URL, busy_timeout: float) -> Engine:
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        in_file = database not in ("", ":memory:") and not url.query.get("uri")
        if in_file:
            _private_file(Path(database))
        engine = create_engine(url, pool_timeout=busy_timeout, connect_args={"timeout": busy_timeout})
        event.listen(engine, "connect", _sqlite_pragmas(wal=database not in ("", ":memory:")))
        return engine
    if url.get_backend_name() == "postgresql":
        milliseconds = max(1, int(busy_timeout * 1000))  # 0 would mean "never time out"
        return create_engine(url, pool_pre_ping=True, pool_timeout=busy_timeout, connect_args={
            "connect_timeout": max(1, math.ceil(busy_timeout)),  # libpq counts whole seconds
            "options": f"-c lock_timeout={milliseconds}"})
    raise ValueError(f"unsupported database {url.get_backend_name()!r}: use sqlite or postgresql")


def _private_file(path: Path) -> None:
    """Create the database's folder (0700) and the empty database file (0600) if missing, so
    that no other account on the machine can read what customers asked. SQLite gives its WAL and
    shared-memory files the database file's permissions. Existing files are left as they are."""
    if not path.parent.exists():
        path.parent.parent.mkdir(parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _sqlite_pragmas(wal: bool):
    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                # Readers and one writer at a time without blocking each other.
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()
    return on_connect


@contextmanager
def _translated(action: str, where: str, also: tuple[type[BaseException], ...]) -> Iterator[None]:
    """Turn a database failure (and the exception types in ``also``) into ``StorageError``."""
    try:
        yield
    except (SQLAlchemyError, OSError, *also) as exc:
        raise StorageError(f"Could not {action} ({where}): {describe_failure(exc)}.") from exc


# PostgreSQL SQLSTATE codes, then their two-character classes.
_SQLSTATES = {
    "55P03": "a lock was held past the timeout",
    "25006": "the database is read-only",
    "53100": "the database server's disk is full",
    "3D000": "the database does not exist",
    "42P01": "the log tables are missing",
    "42501": "the database user lacks permission",
    "57014": "the statement was cancelled (timeout)",
    "08": "the database server cannot be reached",
    "28": "the database refused the login",
    "53": "the database server ran out of resources",
    "57": "the database server is shutting down or restarting",
}
# Fragments of SQLite messages and of PostgreSQL connection failures (these carry no SQLSTATE),
# most specific first.
_MESSAGES = (
    ("database is locked", "the database is locked and stayed locked past the busy timeout"),
    ("database table is locked", "the database is locked and stayed locked past the busy timeout"),
    ("readonly", "the database is read-only"),
    ("read-only", "the database is read-only"),
    ("disk is full", "the disk is full"),
    ("unable to open database", "the database file is missing or cannot be opened"),
    ("no such table", "the log tables are missing"),
    ("not a database", "the file is not a database or is damaged"),
    ("malformed", "the database file is damaged"),
    ("disk i/o error", "the disk failed to read or write"),
    ("password authentication failed", "the database refused the login"),
    ("no pg_hba.conf entry", "the database refused the login"),
    ('role "', "the database refused the login"),
    ("does not exist", "the database does not exist"),
    ("connection", "the database server cannot be reached"),
    ("could not connect", "the database server cannot be reached"),
    ("timeout expired", "the database server cannot be reached"),
)


def describe_failure(exc: BaseException) -> str:
    """A short, human phrase for what went wrong with the database."""
    if isinstance(exc, OSError):
        return f"the database folder cannot be created ({exc.strerror or exc}: {exc.filename})"
    cause = getattr(exc, "orig", None) or exc
    sqlstate = getattr(cause, "sqlstate", None) or ""
    for code in (sqlstate, sqlstate[:2]):
        if code in _SQLSTATES:
            return _SQLSTATES[code]
    text = str(cause).lower()
    for fragment, phrase in _MESSAGES:
        if fragment in text:
            return phrase
    if isinstance(exc, (ValueError, ImportError, ArgumentError, NoSuchModuleError)):
        return f"the database URL is not usable ({exc})"
    first_line = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {first_line}" if first_line else type(cause).__name__


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    return now.astimezone(timezone.utc)


def _checked_session(value: str, name: str = "session_hash") -> str:
    # A raw session id or address must never reach the database: only session_hash() output passes.
    if not isinstance(value, str) or not _SESSION_HASH.fullmatch(value):
        raise ValueError(f"{name} must be the output of session_hash(), not a raw id")
    return value


def _row_id(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2 ** 63:
        raise ValueError(f"{name} must be a positive 64-bit integer, got {value!r}")
    return value


def _optional_id(value: int | None) -> int | None:
    return None if value is None else _row_id(value, "search_id")


def _code(value: str, name: str) -> str:
    if not isinstance(value, str) or not _SHORT_CODE.fullmatch(value):
        raise ValueError(f"{name} must be a short code (a-z, 0-9, _ or -, at most 32), got {value!r}")
    return value


def _short(value: str | None, name: str, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    return value
