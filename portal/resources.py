"""Heavy objects, loaded once per process and shared by every session (``st.cache_resource``):
settings, embedding models, the index, the search log. Never loaded at import time."""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid

import streamlit as st

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kb.embedders import Embedder, create_all  # noqa: E402
from kb.settings import Settings  # noqa: E402

log = logging.getLogger("portal")


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def embedders() -> dict[str, Embedder]:
    current = settings()
    return create_all(current.embedders, current.threads, current.st_model)


_index_lock = threading.Lock()


def index():
    """The live index (see ``_index``); one thread opens it while others (the warm-up, a second
    session) wait for it instead of opening a second copy."""
    with _index_lock:
        return _index()


@st.cache_resource(show_spinner=False)
def _index():
    """The live index; it follows new builds by itself. Opening fails with IndexNotReady, which
    the page shows as "help is being updated"; the next run tries again."""
    from indexer.index import Index
    return Index(settings(), embedders())


index.clear = _index.clear  # tests reset it like the other cached resources


@st.cache_resource(show_spinner=False, on_release=lambda log: log.close())
def search_log():
    """The search and feedback log (``portal.searchlog.BackgroundLog``): rows are written by a
    background thread, so a locked, full or unreachable database never delays an answer; it
    also runs retention daily."""
    from portal.searchlog import BackgroundLog
    current = settings()
    return BackgroundLog(current.resolved_database_url, current.db_busy_seconds, current.retention_days)


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


def quiet_libraries() -> None:
    """jieba logs its dictionary loading at DEBUG on its own handler: no stray DEBUG lines."""
    logging.getLogger("jieba").setLevel(logging.INFO)
    try:
        import jieba
        jieba.setLogLevel(logging.INFO)
    except ImportError:  # keyword search would fail loudly on its own
        pass


WARM_QUESTIONS = ("How do I freeze my card?", "卡片不見了怎麼辦", "银行卡丢了怎么办")


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Event:
    """Load the models and the index and answer one question per language in the background,
    once per process, so the first customer does not pay for loading (2-3 s otherwise). The
    returned event is set when the portal is warm (or warming failed: pages then show the error).
    ``portal/server.py`` calls it when the server starts."""
    done = threading.Event()

    def run() -> None:
        from kb.search import search
        started = time.perf_counter()
        try:
            snapshot = index().snapshot()
            for question in WARM_QUESTIONS:
                search(question, snapshot, embedders(), settings())
            log.info("portal warm in %.1f s", time.perf_counter() - started)
        except Exception as exc:  # no index yet, say: pages show "being updated" and retry
            log.warning("warm-up skipped: %s", exc)
        finally:
            done.set()

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx
    context = get_script_run_ctx(suppress_warning=True)
    if context is not None:  # else Streamlit warns "missing ScriptRunContext" from the thread
        add_script_run_ctx(thread, context)
    thread.start()
    return done
