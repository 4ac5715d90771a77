"""Load, bounded: concurrent browser sessions against a real portal, and many search threads
while feedback is written. Nothing fails, no feedback row is lost or doubled. The figures are
printed (python -m eval load prints the full-size run)."""
from __future__ import annotations

import pytest

from eval.load import portal_load, search_load
from portal.logstore import LogStore
from tests.browser import OUTPUT, chromium_path

pytestmark = [pytest.mark.slow, pytest.mark.model]


def test_search_from_many_threads_while_feedback_is_written(small_index, use_embedder, tmp_path):
    with LogStore.open(f"sqlite:///{tmp_path / 'load.db'}") as store:
        report = search_load(small_index, {"use": use_embedder}, store, threads=8, per_thread=25,
                             writers=4, rows_per_writer=40, time_limit=1800)  # a hang guard only
    print(report.summary())
    assert report.errors == []
    assert report.requests == 200
    assert report.rows_found == report.rows_expected == 160 and report.duplicates == 0


@pytest.mark.server
def test_search_load_with_feedback_in_postgresql(small_index, use_embedder, postgres_url):
    with LogStore.open(postgres_url) as store:
        report = search_load(small_index, {"use": use_embedder}, store, threads=4, per_thread=10,
                             writers=6, rows_per_writer=30, time_limit=1800)  # a hang guard only
    print(report.summary())
    assert report.errors == [] and report.rows_found == report.rows_expected == 180 and report.duplicates == 0


@pytest.mark.browser
@pytest.mark.server
def test_concurrent_browser_sessions_against_the_running_portal(small_index, tmp_path):
    if not chromium_path():
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
    OUTPUT.mkdir(exist_ok=True)
    database = f"sqlite:///{tmp_path / 'portal.db'}"
    env = {"KB_CONTENT_DIR": str(small_index.content_dir), "KB_DATA_DIR": str(small_index.data_dir),
           "KB_EMBEDDERS": "use", "KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": database}
    report = portal_load(env, database, customers=5, per_customer=4, time_limit=1800)  # a hang guard only
    print(report.summary())
    assert report.errors == []
    assert report.requests == 20
    assert report.rows_found == report.rows_expected and report.duplicates == 0
