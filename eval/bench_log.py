"""``python -m eval bench-log``: what the search log adds to an answer, healthy and broken.

For each case it times the call the portal makes after a search (``BackgroundLog.log_search``:
check, redact, queue) and prints the median, 99th percentile and worst, with the rows the writer
managed to store and those it dropped. Beside it, the time one direct (synchronous) write takes
in the same state: what every answer would wait without the background writer.

Cases: SQLite healthy and locked (another connection holds an exclusive lock); PostgreSQL
healthy (``--postgres URL``, or ``KB_BENCH_POSTGRES_URL``) and stopped (nothing listening on
its port: what a stopped server looks like to a client).
"""
from __future__ import annotations

import logging
import socket
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from kb.errors import StorageError
from kb.settings import Settings
from portal.logstore import LogStore, session_hash
from portal.searchlog import BackgroundLog

QUERY = "my card 4111 1111 1111 1111 was charged twice, call me on 0912-345-678"
FIELDS = dict(session_hash=session_hash("bench", "salt"), query=QUERY, query_lang="en", ui_lang="en",
              top_article_id="card-lost-freeze.en", confidence=0.8, unsure=False, status="answered")


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql+psycopg://kb@127.0.0.1:{port}/kb"


def _time_calls(log: BackgroundLog, calls: int, pause: float) -> list[float]:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        log.log_search(**FIELDS)
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(pause)  # customers do not ask in a tight loop; the writer gets a turn
    return times


def _direct_write_ms(store: LogStore | None, url: str, timeout: float) -> str:
    """One synchronous write on an already open store (or an open, when none could be opened)."""
    started = time.perf_counter()
    try:
        if store is None:
            LogStore.open(url, busy_timeout=timeout).close()
        else:
            store.log_search(**FIELDS)
        outcome = "ok"
    except StorageError as exc:
        outcome = str(exc).split(": ")[-1].rstrip(".")
    return f"{(time.perf_counter() - started) * 1000:,.1f} ms ({outcome})"


def _case(name: str, url: str, timeout: float, calls: int, pause: float, block=None) -> None:
    log = BackgroundLog(url, timeout)
    try:
        log.flush(timeout + 5)
        store = log.store  # None when the database cannot be opened
        release = block() if block else None
        try:
            times = _time_calls(log, calls, pause)
            direct = _direct_write_ms(store, url, timeout)
        finally:
            if release:
                release()
        log.flush(timeout * 3 + 5)
        stats = log.stats()
    finally:
        log.close()
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{name:<22} {statistics.median(times):8.3f} {p99:8.3f} {max(times):8.3f}   "
          f"{stats['written']:>5} {stats['dropped']:>5}   direct write: {direct}")


def main(settings: Settings, calls: int = 200, postgres_url: str | None = None) -> int:
    timeout = settings.db_busy_seconds
    # The writer logs every outage and drop; here the table below says it.
    logging.getLogger("portal.searchlog").setLevel(logging.CRITICAL)
    print(f"log_search as the portal calls it, {calls} calls, KB_DB_BUSY_SECONDS={timeout}")
    print(f"{'case':<22} {'median':>8} {'p99':>8} {'max':>8}   {'wrote':>5} {'dropd':>5}   (ms)")
    with tempfile.TemporaryDirectory(prefix="kb-bench-log-") as folder:
        path = Path(folder) / "data" / "portal.db"
        url = f"sqlite:///{path}"
        _case("sqlite", url, timeout, calls, 0.002)

        def lock():
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")

            def release():
                holder.execute("ROLLBACK")
                holder.close()
            return release
        _case("sqlite, locked", url, timeout, calls, 0.002, lock)
    if postgres_url:
        _case("postgresql", postgres_url, timeout, calls, 0.002)
    else:
        print(f"{'postgresql':<22} skipped: pass --postgres URL (or set KB_BENCH_POSTGRES_URL)")
    _case("postgresql, stopped", _closed_port_url(), timeout, calls, 0.002)
    return 0
