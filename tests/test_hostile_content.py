"""Every kind of broken or hostile article at once: each gets a clear, located message, the
rest of the content is indexed, nothing runs in the browser, and the portal keeps answering."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from indexer.index import Index
from kb.settings import PROJECT_ROOT, Settings
from portal import resources
from tests.articles import CATEGORIES, TITLE, article_text, write, write_topic

pytestmark = [pytest.mark.model, pytest.mark.slow]

SCRIPTED = ("## Is this safe?\nYes. <script>alert('x')</script> <iframe src=\"https://evil.example\"></iframe>\n"
            "<div onclick=\"steal()\">raw html</div> [click me](javascript:alert(1)) "
            "[data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://www.luminabank.example)\n")
EXPECTED = {  # file -> (line, field) of its problem
    "malformed.md": (3, "front matter"),
    "wrong-types.md": (7, "tags"),
    "missing-title.md": (1, "title"),
    "latin1.md": (16, "encoding"),
    "empty.md": (1, "file"),
    "huge.md": (1, "file"),
    "binary.md": (1, "file"),
    "outside-link.md": (1, "file"),
    "duplicate.md": (2, "id"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "content"
    write(root, "categories.yml", CATEGORIES)
    write(root, "contact.yml", (PROJECT_ROOT / "content" / "contact.yml").read_text(encoding="utf-8"))
    write_topic(root)  # the good content: card-lost in three languages
    cards = "articles/en/cards/"
    write(root, cards + "malformed.md", "---\nid: malformed.en\ntitle: \"unclosed\n---\nbody\n")
    write(root, cards + "wrong-types.md", article_text("wrong-types", tags="5", updated="yesterday"))
    write(root, cards + "missing-title.md", article_text("missing-title", title=None))
    write(root, cards + "latin1.md", article_text("latin1").encode("utf-8") + "\ncaf\xe9\n".encode("latin-1"))
    write(root, cards + "empty.md", "")
    write(root, cards + "huge.md", article_text("huge", body="## Q?\n" + "A long answer. " * 400_000))
    write(root, cards + "binary.md", bytes(range(256)) * 20)
    os.symlink("/etc/passwd", root / cards / "outside-link.md")
    write(root, cards + "duplicate.md", article_text("card-lost"))  # same id as the good one
    write(root, cards + "bom.md", "\ufeff" + article_text("bom"))
    write(root, cards + "crlf.md", article_text("crlf").replace("\n", "\r\n"))
    write(root, cards + "scripted.md", article_text("scripted", body=SCRIPTED))
    write(root, cards + "many.md", article_text("many", body="".join(
        f"## How do I change setting number {i}?\nYou can change it in the app, under Settings {i}.\n\n"
        for i in range(2000))))
    data = root.parent / "data"
    env = dict(os.environ, KB_CONTENT_DIR=str(root), KB_DATA_DIR=str(data), KB_EMBEDDERS="use")
    done = subprocess.run([sys.executable, "-m", "indexer", "build"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    return root, data, done


def test_the_build_reports_each_bad_file_and_exits_non_zero(hostile):
    _root, _data, done = hostile
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    for name, (line, field) in EXPECTED.items():
        assert f"articles/en/cards/{name}:{line}: error: {field}:" in done.stderr, (name, done.stderr[-3000:])


def test_everything_else_is_indexed(hostile, use_embedder):
    root, data, _ = hostile
    settings = Settings.from_env({}, content_dir=root, data_dir=data, embedders=("use",))
    snapshot = Index.open(settings, {"use": use_embedder}).snapshot()
    assert {"card-lost.en", "card-lost.zh-Hant", "bom.en", "crlf.en", "scripted.en",
            "many.en"} <= set(snapshot.articles)
    assert not set(snapshot.articles) & {f"{n[:-3]}.en" for n in EXPECTED if n != "duplicate.md"}
    assert len([p for p in snapshot.passages if p.article_id == "many.en"]) == 2000
    assert snapshot.articles["card-lost.en"].path == "articles/en/cards/card-lost.md"  # the first keeps its id


def test_the_check_names_the_same_problems(hostile):
    root, _data, _ = hostile
    done = subprocess.run([sys.executable, "-m", "kb", "check", str(root)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    for name, (line, field) in EXPECTED.items():
        assert f"articles/en/cards/{name}:{line}: error: {field}:" in done.stdout
    assert "articles/en/cards/scripted.md:12: warning: body: raw HTML is shown as text" in done.stdout
    assert "articles/en/cards/scripted.md:13: warning: link: a javascript:/data: link" in done.stdout


def test_the_portal_answers_and_renders_the_scripted_article_inert(hostile, monkeypatch, tmp_path):
    root, data, _ = hostile
    for name, value in {"KB_CONTENT_DIR": str(root), "KB_DATA_DIR": str(data), "KB_EMBEDDERS": "use",
                        "KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}.items():
        monkeypatch.setenv(name, value)
    for cached in (resources.settings, resources.index, resources.search_log):
        cached.clear()
    try:
        app = AppTest.from_file(str(PROJECT_ROOT / "portal" / "app.py"), default_timeout=60)
        app.query_params["lang"] = "en"
        app.run()
        app.text_input(key="q").input("I lost my card, what should I do first?").run()
        assert not app.exception
        # card-lost, bom and crlf hold the same words, so search cannot prefer one: it answers with
        # one of them, or offers them as choices.
        answer = "\n".join(e.proto.body for e in app.get("html"))
        choices = [b.label for b in app.button if b.key and b.key.startswith("pick_")]
        assert any(f"?article={same}.en" in answer for same in ("card-lost", "bom", "crlf")) or \
            (len(choices) >= 2 and all(TITLE["en"] in label for label in choices)), (answer[:2000], choices)
        app = AppTest.from_file(str(PROJECT_ROOT / "portal" / "app.py"), default_timeout=60)
        app.query_params["article"] = "scripted.en"
        app.query_params["lang"] = "en"
        app.run()
        page = "\n".join(e.proto.body for e in app.get("html"))
        assert not app.exception
        for dangerous in ("<script>alert", "<iframe", "<div onclick", 'href="javascript', 'href="data:'):
            assert dangerous not in page
        assert "&lt;script&gt;" in page and 'href="https://www.luminabank.example"' in page
    finally:
        for cached in (resources.settings, resources.index, resources.search_log):
            cached.clear()
