"""The content watcher (on by default in the portal) against real file events: an editor saves,
breaks, fixes, deletes and renames articles, and the live index follows; a damaged live build
is repaired, and the watcher goes on after every error."""
from __future__ import annotations

import logging
import threading
import time

import pytest

from indexer.index import Index
from indexer.layout import Layout
from indexer.watch import watch
from tests.articles import CATEGORIES, article_text, write, write_topic

pytestmark = [pytest.mark.model, pytest.mark.slow]
WAIT = 90  # seconds: a build on a busy 2-core machine; the test moves on as soon as it is done


def until(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:  # an index being replaced as we look: look again
            pass
        time.sleep(0.1)
    raise AssertionError(f"the watcher did not {what} within {WAIT} s")


@pytest.fixture
def watching(tmp_path, make_settings, use_embedder, caplog):
    content = tmp_path / "content"
    write(content, "categories.yml", CATEGORIES)
    write_topic(content)
    settings = make_settings(content, embedders=("use",))
    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="indexer")
    thread = threading.Thread(target=watch, kwargs=dict(settings=settings, debounce=0.2, stop_event=stop,
                                                        embedders={"use": use_embedder}), daemon=True)
    thread.start()
    layout = Layout(settings.index_dir)
    until(lambda: layout.current_id() is not None, "build the index at start")
    index = Index(settings, {"use": use_embedder}, check_every=0)
    yield content, index, thread, caplog, layout
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_save_break_fix_delete_rename(watching):
    content, index, thread, caplog, layout = watching
    articles = lambda: index.snapshot().articles  # noqa: E731

    write_topic(content, group="card-pin", category="cards")  # save a new topic
    until(lambda: {"card-pin.en", "card-pin.zh-Hant", "card-pin.zh-Hans"} <= set(articles()), "index a save")

    path = content / "articles/en/cards/card-pin.md"
    before = layout.current_id()
    path.write_text("---\nid: card-pin.en\ntitle: [unclosed\n---\n", encoding="utf-8")  # break it
    until(lambda: "kept the last good version of 'card-pin.en'" in caplog.text, "report the broken file")
    assert "card-pin.en" in articles() and layout.current_id() == before  # still online, unchanged

    write(content, "articles/en/cards/card-pin.md", article_text(  # fix it, with new words
        "card-pin", "en", body="## I forgot my card PIN\nReset it in the app under **Cards > PIN**.\n"))
    until(lambda: "Reset it in the app" in articles()["card-pin.en"].units[-1].text, "index the fix")

    for lang in ("en", "zh-Hant", "zh-Hans"):  # delete the topic
        (content / f"articles/{lang}/cards/card-pin.md").unlink()
    until(lambda: not any(a.startswith("card-pin.") for a in articles()), "drop deleted files")

    old = content / "articles/en/cards/card-lost.md"  # rename a file: same article, new path
    old.rename(content / "articles/en/cards/lost-card.md")
    until(lambda: articles()["card-lost.en"].path == "articles/en/cards/lost-card.md", "follow a rename")
    assert thread.is_alive()


def test_the_watcher_repairs_a_damaged_live_build_and_goes_on(watching):
    content, index, thread, caplog, layout = watching
    damaged = layout.current_id()
    (layout.build_dir(damaged) / "catalog.json").write_bytes(b"\x00 not json")  # killed the watcher before
    write_topic(content, group="card-pin", category="cards")
    until(lambda: layout.current_id() != damaged, "rebuild a damaged index")
    assert "building everything again" in caplog.text
    assert "card-pin.en" in index.snapshot().articles
    write(content, "contact.yml", "phone: [unclosed\n")  # an error the build refuses to publish
    until(lambda: "not published without valid contact details" in caplog.text, "report the refusal")
    write_topic(content, group="card-limit", category="cards")  # and the next save still counts
    (content / "contact.yml").unlink()
    until(lambda: "card-limit.en" in index.snapshot().articles, "index after an error")
    assert thread.is_alive()
