"""The portal's side of the search log: writes that never delay an answer.

A customer's thread only checks a row (``portal.logstore.search_row`` and friends) and puts it
on a bounded queue; one writer thread per process redacts its free text and writes it. When the queue is full
the row is dropped, counted and logged: the answer matters more than its log line. When a write
fails (locked, full, unreachable) a circuit breaker opens: for ``retry_seconds`` new rows are
dropped at once instead of queueing behind a store that is down, then one row tries again.

Search ids are chosen here, before the row is written (a time-ordered 63-bit number), so the page
can link views, contact clicks and feedback to its search without waiting for the database. A
row that points at a search that was dropped is stored unlinked (``LogStore.insert``).

The writer thread also runs retention once a day (``KB_RETENTION_DAYS``), starting when the
store first opens, so a portal that runs for months still deletes old rows.
"""
from __future__ import annotations

import atexit
import logging
import queue
import secrets
import threading
import time
import weakref
from typing import Any, Callable

from kb.errors import StorageError

log = logging.getLogger("portal.searchlog")

QUEUE_ROWS = 1000
RETRY_SECONDS = 30.0
RETENTION_EVERY = 24 * 3600.0
_EPOCH_MS = 1_704_067_200_000  # 2024-01-01 UTC: ids stay below 10**18 until about 2054
_RANDOM_BITS = 20


def new_search_id(now: float | None = None) -> int:
    """A positive id below 10**18, ordered by time to the millisecond, with 20 random bits so two
    portal processes writing to one database do not collide."""
    millis = int((time.time() if now is None else now) * 1000) - _EPOCH_MS
    return (max(millis, 1) << _RANDOM_BITS) | secrets.randbits(_RANDOM_BITS)


class BackgroundLog:
    """Queues log rows for a writer thread; every ``log_*`` call returns at once.

    ``opener(url, timeout)`` opens the store (``LogStore.open`` by default); it runs on the
    writer thread, never on the caller's. ``store`` hands the open store to readers (the staff
    analytics), or None while it is not open. ``clock`` times the breaker and retention.
    """

    def __init__(self, url: str, timeout: float, retention_days: int | None = None, *,
                 queue_rows: int = QUEUE_ROWS, retry_seconds: float = RETRY_SECONDS,
                 retention_every: float = RETENTION_EVERY,
                 opener: Callable[[str, float], Any] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.url, self.timeout, self.retention_days = url, timeout, retention_days
        self.retry_seconds, self.retention_every = retry_seconds, retention_every
        self.salt = secrets.token_hex(16)  # per process: session hashes cannot be linked across restarts
        self._opener = opener or _open_store
        self._clock = clock
        self._queue: queue.Queue = queue.Queue(maxsize=queue_rows)
        self._lock = threading.Lock()
        self._store = None
        self._open_until = 0.0  # the breaker is open (rows dropped) until this clock time
        self._next_retention: float | None = None
        self._written = self._dropped = self._retention_runs = 0
        self._dropped_logged = 0
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._closed = threading.Event()
        self._started = threading.Event()  # the first attempt to open the store is over
        self._thread = threading.Thread(target=self._run, name="search-log-writer", daemon=True)
        self._thread.start()
        # A portal stopped normally (SIGTERM, Ctrl-C) writes what is still queued first.
        atexit.register(_flush_at_exit, weakref.ref(self))

    # ---- the caller's side ----------------------------------------------------------------

    def log_search(self, **fields: Any) -> int:
        """Queue a search; returns its id at once (the row may be written later, or dropped)."""
        search_id = new_search_id()
        self._put("log_search", {**fields, "search_id": search_id})
        return search_id

    def log_view(self, **fields: Any) -> None:
        self._put("log_view", fields)

    def log_contact(self, **fields: Any) -> None:
        self._put("log_contact", fields)

    def log_feedback(self, **fields: Any) -> None:
        self._put("log_feedback", fields)

    def log_sign_in(self, **fields: Any) -> None:
        self._put("log_sign_in", fields)

    def call(self, method: str, **fields: Any):
        """``call("log_search", ...)``: the same as ``log_search(...)``."""
        if not method.startswith("log_") or not hasattr(self, method):
            raise ValueError(f"no log method {method!r}")
        return getattr(self, method)(**fields)

    @property
    def store(self):
        """The open store, for reading (analytics), or None while it is not open: then the writer
        is asked to open it, and a page asking again a moment later gets it. Never waits."""
        with self._lock:
            if self._store is not None:
                return self._store
            if self._clock() < self._open_until:
                return None
            try:
                self._queue.put_nowait(_OPEN)
            except queue.Full:
                return None
            self._pending += 1
        return None

    def stats(self) -> dict[str, Any]:
        """Rows written, dropped, waiting; whether the breaker is open; retention runs."""
        with self._lock:
            return {"written": self._written, "dropped": self._dropped, "queued": self._pending,
                    "breaker_open": self._clock() < self._open_until,
                    "retention_runs": self._retention_runs}

    def flush(self, timeout: float) -> bool:
        """Wait until the store was first opened (or failed to) and every queued row was written
        or dropped; False if ``timeout`` ran out."""
        if not self._started.wait(timeout):
            return False
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (up to ``timeout`` seconds), stop the writer, close the store."""
        self.flush(timeout)
        self._closed.set()
        self._thread.join(timeout)
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()

    def _put(self, method: str, fields: dict[str, Any]) -> None:
        from portal.logstore import FREE_TEXT, ROWS
        table, build = ROWS[method]
        # Checked here, so a bad call fails in the caller; the free text (query, comment) is
        # redacted on the writer thread: a long question full of numbers takes milliseconds.
        name, limit = FREE_TEXT.get(table.name, (None, 0))
        text = fields.get(name) if name else None
        if name and not isinstance(text, (str, type(None))):
            raise TypeError(f"{name} must be a str, not {type(text).__name__}")
        if text is not None:
            text = text[:limit + 1024]  # redact_and_cut looks no further; the queue holds no megabytes
        row = build(**({**fields, name: ""} if name and text is not None else fields))
        with self._lock:
            if self._closed.is_set():
                self._drop_locked("the search log is closed")
                return
            if self._clock() < self._open_until:
                self._drop_locked("the search log is down")
                return
            try:
                self._queue.put_nowait((table, row, text))
            except queue.Full:
                self._drop_locked("the write queue is full")
                return
            self._pending += 1

    def _drop_locked(self, why: str) -> None:
        self._dropped += 1
        # The first drop, then every hundredth: a log line per row would flood the log.
        if self._dropped == 1 or self._dropped - self._dropped_logged >= 100:
            log.warning("search log: row dropped (%s); %d dropped since start; answers are "
                        "still shown", why, self._dropped)
            self._dropped_logged = self._dropped

    # ---- the writer thread ----------------------------------------------------------------

    def _ensure_store(self):
        with self._lock:
            if self._store is not None:
                return self._store
        store = self._opener(self.url, self.timeout)
        with self._lock:
            if self._store is None:
                self._store, store = store, None
                if self._next_retention is None:
                    self._next_retention = self._clock()  # first run as soon as the store opens
        if store is not None:  # another thread opened it first
            store.close()
        return self._store

    def _run(self) -> None:
        try:  # open at start, so retention runs when the process starts, not at the first search
            self._ensure_store()
        except StorageError as exc:
            self._trip(exc)
        finally:
            self._started.set()
        while not self._closed.is_set():
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                item = None
            try:
                if item is not None:
                    self._write(*item)
                self._maybe_retain()
            except Exception:  # the writer must outlive any bug: a dead writer drops every row
                log.exception("search log writer: unexpected error")
            finally:
                if item is not None:
                    with self._idle:
                        self._pending -= 1
                        self._idle.notify_all()

    def _write(self, table, row: dict[str, Any] | None, text: str | None = None) -> None:
        if table is None:  # asked to open the store, nothing to write
            try:
                self._ensure_store()
            except StorageError as exc:
                self._trip(exc)
            return
        with self._lock:
            down = self._clock() < self._open_until
            if down:
                self._drop_locked("the search log is down")
        if down:
            return
        if text is not None:
            from portal.logstore import with_free_text
            row = with_free_text(table, row, text)
        try:
            self._ensure_store().insert(table, row)
        except StorageError as exc:
            with self._lock:
                self._drop_locked("the search log is down")
            self._trip(exc)
            return
        with self._lock:
            self._written += 1
            if self._open_until:
                log.info("search log is back; %d rows dropped since start", self._dropped)
                self._open_until = 0.0

    def _trip(self, exc: StorageError) -> None:
        with self._lock:
            self._open_until = self._clock() + self.retry_seconds
        log.error("could not write to the search log (%s); rows are dropped for %.0f s, answers "
                  "are still shown", exc, self.retry_seconds)

    def _maybe_retain(self) -> None:
        with self._lock:
            due = (self.retention_days and self._next_retention is not None
                   and self._clock() >= self._next_retention and self._clock() >= self._open_until)
            store = self._store
            if due:
                self._next_retention = self._clock() + self.retention_every
        if not due or store is None:
            return
        try:
            removed = store.delete_older_than(self.retention_days)
        except StorageError as exc:
            log.error("retention could not run (%s); it tries again in %.0f s", exc, self.retry_seconds)
            with self._lock:
                self._next_retention = self._clock() + self.retry_seconds
            return
        with self._lock:
            self._retention_runs += 1
        log.info("retention: deleted %d log rows older than %d days", removed, self.retention_days)


_OPEN = (None, None, None)  # a queue item that only opens the store


def _flush_at_exit(reference: "weakref.ref[BackgroundLog]") -> None:
    log_ = reference()
    if log_ is not None and not log_._closed.is_set():
        log_.flush(min(log_.timeout, 5.0))


def _open_store(url: str, timeout: float):
    from portal.logstore import LogStore
    return LogStore.open(url, busy_timeout=timeout)
