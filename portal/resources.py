"""Heavy objects, loaded once per process and shared by every session (``st.cache_resource``):
settings, embedding models, the index, the search log. Never loaded at import time."""
from __future__ import annotations

import logging
import os
import secrets
import threading
import time
import uuid

import streamlit as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kb.embedders import Embedder, create_all  # noqa: E402
from kb.errors import StorageError  # noqa: E402
from kb.settings import Settings  # noqa: E402

log = logging.getLogger("portal")


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def embedders() -> dict[str, Embedder]:
    current = settings()
    return create_all(current.embedders, current.threads, current.st_model)


@st.cache_resource(show_spinner=False)
def index():
    """The live index; it follows new builds by itself. Opening fails with IndexNotReady, which
    the page shows as "help is being updated"; the next run tries again."""
    from indexer.index import Index
    return Index(settings(), embedders())


class SearchLog:
    """The search and feedback store, where a failure never reaches the customer: a locked,
    read-only or full database is logged and the answer is still shown."""

    RETRY_SECONDS = 30

    def __init__(self, url: str, busy_seconds: float = 3.0, retention_days: int | None = None):
        self.url, self.busy_seconds, self.retention_days = url, busy_seconds, retention_days
        self.salt = secrets.token_hex(16)  # per process: session hashes cannot be linked across restarts
        self._store = None
        self._failed_at = 0.0
        self._lock = threading.Lock()

    def _open(self):
        with self._lock:
            if self._store is None and time.monotonic() - self._failed_at > self.RETRY_SECONDS:
                from portal.logstore import LogStore
                try:
                    self._store = LogStore.open(self.url, busy_timeout=self.busy_seconds)
                    if self.retention_days:  # retention runs whenever a portal process starts
                        removed = self._store.delete_older_than(self.retention_days)
                        log.info("retention: deleted %d log rows older than %d days", removed,
                                 self.retention_days)
                except StorageError as exc:
                    self._failed_at = time.monotonic()
                    log.error("search log unavailable (%s); answers are still shown", exc)
            return self._store

    def call(self, method: str, *args, **kwargs):
        store = self._open()
        if store is None:
            return None
        try:
            return getattr(store, method)(*args, **kwargs)
        except StorageError as exc:
            log.error("could not write to the search log (%s): %s; the answer is still shown", method, exc)
            return None

    @property
    def store(self):
        return self._open()


@st.cache_resource(show_spinner=False)
def search_log() -> SearchLog:
    current = settings()
    return SearchLog(current.resolved_database_url, current.db_busy_seconds, current.retention_days)


def session_hash() -> str:
    """A hash of this browser session: never the raw identifier."""
    from portal.logstore import session_hash as keyed
    if "session_id" not in st.session_state:
        st.session_state.session_id = uuid.uuid4().hex
    return keyed(st.session_state.session_id, search_log().salt)


@st.cache_resource(show_spinner=False)
def content_watcher() -> threading.Thread | None:
    """Re-index in the background when editors change the content, so the portal picks up new
    articles without a restart. With several portal processes only one build runs at a time
    (the indexer's lock); the others skip."""
    current = settings()
    if not current.watch_content or not current.content_dir.is_dir():
        return None
    from indexer.watch import watch

    def run() -> None:
        try:
            watch(current, embedders=embedders(), quiet=True)
        except Exception:  # a watcher that dies must not take the portal with it
            log.exception("content watcher stopped; run 'python -m indexer watch' instead")

    thread = threading.Thread(target=run, name="content-watcher", daemon=True)
    thread.start()
    return thread
