"""The indexer against real Chroma and the real USE model, in temporary folders."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from indexer.build import build
from indexer.index import Index
from indexer.layout import Layout
from kb.errors import IndexMismatch, IndexNotReady
from kb.search import search
from kb.settings import PROJECT_ROOT
from tests.articles import CATEGORIES, article_text, write, write_topic

pytestmark = pytest.mark.model

TOPICS = {
    "card-lost": ("## I lost my card. What do I do?\nOpen the app and tap **Freeze card** at once.\n"),
    "loan-apply": ("## How do I apply for a personal loan?\nApply in the app under **Loans**; "
                   "we decide within one business day.\n"),
    "transfer-limit": ("## What is my daily transfer limit?\nYou can send up to NT$100,000 a day to "
                       "new payees.\n"),
}


class CountingEmbedder:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, real):
        self.real, self.key, self.model, self.dim = real, real.key, real.model, real.dim
        self.embedded = 0

    def embed_passages(self, texts):
        self.embedded += len(texts)
        return self.real.embed_passages(texts)

    def embed_query(self, text):
        return self.real.embed_query(text)


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    write(root, "categories.yml", CATEGORIES + "transfers:\n  zh-Hant: 轉帳\n  zh-Hans: 转账\n  en: Transfers\n")
    for group, body in TOPICS.items():
        category = {"card-lost": "cards", "loan-apply": "loans", "transfer-limit": "transfers"}[group]
        write(root, f"articles/en/{category}/{group}.md", article_text(group, "en", category=category, body=body))
        for lang in ("zh-Hant", "zh-Hans"):
            write(root, f"articles/{lang}/{category}/{group}.md", article_text(group, lang, category=category))
    return root


@pytest.fixture
def counting(use_embedder):
    return CountingEmbedder(use_embedder)


def run(settings, counting, **kw):
    counting.embedded = 0
    return build(settings, embedders={"use": counting}, **kw)


def test_first_build_indexes_every_article(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    report = run(settings, counting)
    assert report.published and sorted(report.added) == sorted(
        f"{g}.{lang}" for g in TOPICS for lang in ("en", "zh-Hant", "zh-Hans"))
    assert counting.embedded == report.passages_total == 15  # 3 x 1 question + 6 x (intro + question)
    snapshot = Index.open(settings, {"use": counting}).snapshot()
    result = search("how do I get a loan", snapshot, {"use": counting}, settings)
    assert result.best.article.id == "loan-apply.en"


def test_noop_rebuild_embeds_nothing_and_keeps_the_build(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    first = run(settings, counting)
    again = run(settings, counting)
    assert counting.embedded == 0
    assert again.unchanged == 9 and not again.published and again.build_id == first.build_id
    assert "0 added, 0 updated, 0 removed, 9 unchanged" in again.summary()


def test_a_changed_article_re_embeds_only_its_passages(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    run(settings, counting)
    write(content, "articles/en/loans/loan-apply.md", article_text(
        "loan-apply", "en", category="loans",
        body="## How do I apply for a personal loan?\nApply in the app.\n\n## Can I repay early?\nYes.\n"))
    report = run(settings, counting)
    assert report.updated == ["loan-apply.en"] and report.unchanged == 8
    assert counting.embedded == 2  # the two questions of that one article
    snapshot = Index.open(settings, {"use": counting}).snapshot()
    assert snapshot.collections["use"].count() == 16
    assert "loan-apply.en#q2" in snapshot.position
    assert search("repay my loan early", snapshot, {"use": counting}, settings).best.anchor == "q2"


def test_a_deleted_article_leaves_the_index(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    run(settings, counting)
    (content / "articles/en/cards/card-lost.md").unlink()
    report = run(settings, counting)
    assert report.removed == ["card-lost.en"] and counting.embedded == 0
    snapshot = Index.open(settings, {"use": counting}).snapshot()
    assert "card-lost.en" not in snapshot.articles
    assert not any(p.startswith("card-lost.en#") for p in snapshot.position)
    assert snapshot.collections["use"].count() == 14
    assert report.errors  # the group now misses a language, and the check says so


def test_full_rebuild_embeds_everything_again(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    run(settings, counting)
    report = run(settings, counting, full=True)
    assert report.full and counting.embedded == 15 and report.published


def test_opening_an_index_built_with_another_model_says_to_rebuild(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    run(settings, counting)

    class OtherModel(CountingEmbedder):
        model = "some-other-model"

    other = OtherModel(counting.real)
    other.model = "some-other-model"
    with pytest.raises(IndexMismatch, match="python -m indexer build --full"):
        Index.open(settings, {"use": other})
    report = build(settings, embedders={"use": other})  # a build notices and starts over
    assert report.full and report.published
    assert Index.open(settings, {"use": other}).snapshot().build_id == report.build_id


def test_no_index_is_a_clear_error(make_settings, counting):
    with pytest.raises(IndexNotReady, match="python -m indexer build"):
        Index.open(make_settings(embedders=("use",)), {"use": counting})


def test_a_bad_article_is_skipped_and_reported(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    write(content, "articles/en/loans/broken.md", "---\nid: broken.en\ntitle: [oops\n---\nText\n")
    report = run(settings, counting)
    assert report.published and len(report.added) == 9
    assert [(p.path, p.line, p.field) for p in report.errors] == [("articles/en/loans/broken.md", 4, "front matter")]
    done = subprocess.run([sys.executable, "-m", "indexer", "build"], cwd=PROJECT_ROOT, env=_env(settings),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "articles/en/loans/broken.md:4: error: front matter: invalid YAML" in done.stderr
    assert "9 unchanged" in done.stdout


def test_breaking_an_indexed_article_keeps_its_last_good_version(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    run(settings, counting)
    write(content, "articles/en/loans/loan-apply.md", "---\nid: loan-apply.en\ntitle: [oops\n---\n")
    report = run(settings, counting)
    assert report.errors and report.unchanged == 9
    assert "loan-apply.en" in Index.open(settings, {"use": counting}).snapshot().articles


def test_running_portal_follows_a_new_build(content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    run(settings, counting)
    index = Index(settings, {"use": counting}, check_every=0)
    first = index.snapshot()
    write_topic(content, group="card-pin", category="cards")
    run(settings, counting)
    assert index.snapshot().build_id != first.build_id
    assert "card-pin.en" in index.snapshot().articles


def _env(settings, **extra):
    env = dict(os.environ, KB_CONTENT_DIR=str(settings.content_dir), KB_DATA_DIR=str(settings.data_dir),
               KB_EMBEDDERS=",".join(settings.embedders), **extra)
    return env


@pytest.mark.slow
def test_a_killed_build_leaves_the_old_index_serving_and_the_next_build_recovers(
        content, make_settings, counting):
    settings = make_settings(content, embedders=("use",))
    first = run(settings, counting)
    for i in range(300):  # enough passages that the kill lands while embedding
        body = "".join(f"## Question {i}-{q} about loans?\nAnswer {q} about repayment plan {i}.\n\n"
                       for q in range(3))
        write(content, f"articles/en/loans/bulk-{i}.md", article_text(f"bulk-{i}", "en", category="loans", body=body))
    layout = Layout(settings.index_dir)
    process = subprocess.Popen([sys.executable, "-m", "indexer", "build"], cwd=PROJECT_ROOT,
                               env=_env(settings), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        partial = [p for p in layout.builds.iterdir() if p.name.endswith(".partial")]
        if partial and (partial[0] / "chroma").exists():
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert layout.current_id() == first.build_id
    assert any(p.name.endswith(".partial") for p in layout.builds.iterdir())
    snapshot = Index.open(settings, {"use": counting}).snapshot()
    assert search("lost my card", snapshot, {"use": counting}, settings).best.article.id == "card-lost.en"
    report = run(settings, counting)
    assert report.published and len(report.added) == 300
    assert not any(p.name.endswith(".partial") for p in layout.builds.iterdir())
    assert Index.open(settings, {"use": counting}).snapshot().collections["use"].count() == report.passages_total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    port = _free_port()
    chroma = os.path.join(os.path.dirname(sys.executable), "chroma")
    process = subprocess.Popen([chroma, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.server
def test_chroma_server_mode(content, make_settings, counting, chroma_server):
    settings = make_settings(content, embedders=("use",), chroma_host="127.0.0.1", chroma_port=chroma_server)
    first = run(settings, counting)
    assert first.published
    snapshot = Index.open(settings, {"use": counting}).snapshot()
    namespace = Layout(settings.index_dir).namespace()  # the data folder's own id
    assert snapshot.collections["use"].name == f"kb-{namespace}-{first.build_id}-use"
    assert search("daily transfer limit", snapshot, {"use": counting}, settings).best.article.id == "transfer-limit.en"
    write(content, "articles/en/loans/loan-apply.md", article_text(
        "loan-apply", "en", category="loans", body="## Can I repay my loan early?\nYes, at any time.\n"))
    second = run(settings, counting)
    assert second.updated == ["loan-apply.en"] and counting.embedded == 1  # the rest is copied, not embedded
    snapshot = Index.open(settings, {"use": counting}).snapshot()
    assert snapshot.collections["use"].count() == 15
    assert search("repay early", snapshot, {"use": counting}, settings).best.article.id == "loan-apply.en"
