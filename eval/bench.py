"""Speed and memory benchmarks. They print figures; no test asserts a time.

- ``python -m eval bench``: on synthetic content of 1k, 10k and 100k passages, index build
  passages/s, warm search p50/p95, the query-embedding floor p50/p95, their ratio, peak memory.
- ``python -m eval bench-indexer``: full build of the bundled content (passages/s), and the time
  to re-index one changed article in a synthetic 1,000-article corpus.
- ``python -m eval bench-search``: warm search latency for one query on the bundled content.
"""
from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from kb.chunking import sentences
from kb.content import load_content
from kb.embedders import create_all
from kb.normalize import for_models
from kb.search import search
from kb.settings import PROJECT_ROOT, Settings

QUERIES = PROJECT_ROOT / "eval" / "queries"
LANGS = ("en", "zh-Hant", "zh-Hans")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(values_ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(values_ms, 50)), float(np.percentile(values_ms, 95))


def query_texts(limit: int | None = None) -> list[str]:
    texts = []
    for path in sorted(QUERIES.glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not texts:
        texts = ["I lost my card", "卡片不見了怎麼辦", "转账限额是多少", "how do I reset my password"]
    return texts[:limit] if limit else texts


def synthetic_content(root: Path, passages: int, seed: int = 7) -> int:
    """Articles made of real sentences from the bundled content, shuffled: realistic words in all
    three languages, ten questions per article. Returns the number of articles written."""
    rng = random.Random(seed)
    pool = {lang: [] for lang in LANGS}
    headings = {lang: [] for lang in LANGS}
    for article in load_content(Settings.from_env({}).content_dir).articles.values():
        for unit in article.units:
            pool[article.lang] += sentences(unit.text)
            if unit.heading:
                headings[article.lang].append(unit.heading)
    per_article = 10
    count = max(1, passages // per_article)
    for i in range(count):
        lang = LANGS[i % 3]
        body = "".join(f"## {rng.choice(headings[lang])} ({i}-{q})\n" + " ".join(rng.sample(pool[lang], 2)) + "\n\n"
                       for q in range(per_article))
        front = (f"---\nid: synthetic-{i}.{lang}\ntitle: \"Synthetic {i}\"\nlang: {lang}\ntype: faq\n"
                 f"category: cards\ntags: []\ntranslation_group: synthetic-{i}\nupdated: 2026-11-01\n---\n")
        path = root / "articles" / lang / f"synthetic-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front + body, encoding="utf-8")
    return count


def _timed_searches(snapshot, embedders, settings, texts: list[str], rounds: int = 2):
    for text in texts[:20]:  # warm up: caches, BLAS threads, Chroma segments
        search(text, snapshot, embedders, settings)
    search_ms, embed_ms = [], []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            search(text, snapshot, embedders, settings)
            search_ms.append((time.perf_counter() - started) * 1000)
            model_text = for_models(text, settings.to_simplified)
            started = time.perf_counter()
            for embedder in embedders.values():
                embedder.embed_query(model_text)
            embed_ms.append((time.perf_counter() - started) * 1000)
    return search_ms, embed_ms


def bench_one(settings: Settings, passages: int, n_queries: int) -> dict:
    """One size of ``bench``, in this process (the parent runs each size in a fresh process so
    that peak memory is that size's own)."""
    from indexer.build import build
    from indexer.index import Index
    embedders = create_all(settings.embedders, settings.threads, settings.st_model)
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    try:
        local = settings.replace(content_dir=work / "content", data_dir=work / "data")
        synthetic_content(local.content_dir, passages)
        report = build(local, embedders=embedders, require_translations=False, progress=sys.stderr.isatty())
        snapshot = Index.open(local, embedders).snapshot()
        search_ms, embed_ms = _timed_searches(snapshot, embedders, local, query_texts(n_queries))
        s50, s95 = percentiles(search_ms)
        e50, e95 = percentiles(embed_ms)
        return {"passages": report.passages_total, "build_s": round(report.seconds, 1),
                "passages_per_s": round(report.passages_total / report.seconds, 1),
                "search_p50_ms": round(s50, 2), "search_p95_ms": round(s95, 2),
                "embed_p50_ms": round(e50, 2), "embed_p95_ms": round(e95, 2),
                "ratio_p95": round(s95 / e95, 2), "peak_mb": round(peak_mb())}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_scale(settings: Settings, sizes: list[int], n_queries: int) -> int:
    print(f"embedders: {', '.join(settings.embedders)}; {n_queries} queries x 2 rounds, warm")
    header = ("passages", "build_s", "passages_per_s", "search_p50_ms", "search_p95_ms",
              "embed_p50_ms", "embed_p95_ms", "ratio_p95", "peak_mb")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for size in sizes:
        child = subprocess.run([sys.executable, "-c", "import json,sys; from eval.bench import bench_one; "
                                "from kb.settings import Settings; "
                                f"print(json.dumps(bench_one(Settings.from_env(), {size}, {n_queries})))"],
                               cwd=PROJECT_ROOT, capture_output=True, text=True)
        if child.returncode != 0:
            print(child.stderr[-2000:], file=sys.stderr)
            return 1
        row = json.loads(child.stdout.strip().splitlines()[-1])
        print("| " + " | ".join(str(row[h]) for h in header) + " |", flush=True)
    return 0


def bench_indexer(settings: Settings) -> int:
    from indexer.build import build
    embedders = create_all(settings.embedders, settings.threads, settings.st_model)
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    try:
        bundled = settings.replace(data_dir=work / "bundled")
        cpu = time.process_time()
        report = build(bundled, embedders=embedders)
        cpu = time.process_time() - cpu  # all threads: on a busy machine wall time says little
        print(f"full build of the bundled content: {report.passages_total} passages in "
              f"{report.seconds:.1f} s = {report.passages_total / report.seconds:.0f} passages/s "
              f"({cpu:.1f} s of CPU; load average {os.getloadavg()[0]:.1f}; "
              f"embedders: {', '.join(settings.embedders)})")
        synthetic = settings.replace(content_dir=work / "content", data_dir=work / "data")
        articles = synthetic_content(synthetic.content_dir, 10_000)
        report = build(synthetic, embedders=embedders, require_translations=False)
        print(f"synthetic corpus: {articles} articles, {report.passages_total} passages, full build "
              f"{report.seconds:.1f} s = {report.passages_total / report.seconds:.0f} passages/s")
        times = []
        for round_ in range(5):
            path = synthetic.content_dir / "articles" / "en" / f"synthetic-{round_ * 3}.md"
            path.write_text(path.read_text(encoding="utf-8") + f"\n## Changed {round_}?\nYes, changed.\n",
                            encoding="utf-8")
            report = build(synthetic, embedders=embedders, require_translations=False)
            if report.updated != [f"synthetic-{round_ * 3}.en"]:
                raise RuntimeError(f"expected one updated article, got {report.summary()}")
            times.append(report.seconds)
        print(f"re-index one changed article: median {np.median(times):.2f} s, max {max(times):.2f} s "
              f"over {len(times)} changes")
        print(f"peak memory: {peak_mb():.0f} MB")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_search(settings: Settings) -> int:
    from indexer.build import build
    from indexer.index import Index
    embedders = create_all(settings.embedders, settings.threads, settings.st_model)
    local = settings.replace(data_dir=settings.data_dir / "eval")
    build(local, embedders=embedders)
    snapshot = Index.open(local, embedders).snapshot()
    texts = query_texts()
    search_ms, embed_ms = _timed_searches(snapshot, embedders, local, texts, rounds=3)
    s50, s95 = percentiles(search_ms)
    e50, e95 = percentiles(embed_ms)
    print(f"bundled content: {len(snapshot.passages)} passages; embedders: {', '.join(settings.embedders)}")
    print(f"warm search, {len(search_ms)} searches of {len(texts)} labelled queries: "
          f"p50 {s50:.1f} ms, p95 {s95:.1f} ms (query embedding alone: p50 {e50:.1f} ms, p95 {e95:.1f} ms)")
    print(f"peak memory: {peak_mb():.0f} MB")
    return 0


def bench_portal(settings: Settings, questions: int = 15) -> int:
    """In real headless Chromium against the portal as ``make portal`` starts it
    (``portal/server.py``): process start to a healthy (warm) server; the first page; the first
    answer after the health check answers (cold: nothing has been asked yet); then question to
    visible answer, warm, p50/p95."""
    from playwright.sync_api import sync_playwright
    from indexer.build import build
    from kb.normalize import clean
    from eval.browser import CHROMIUM_ARGS, chromium_path, running_portal
    build(settings, embedders=create_all(settings.embedders, settings.threads, settings.st_model))
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    env = {"KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": f"sqlite:///{work / 'portal.db'}",
           "KB_SEARCHES_PER_MINUTE": "1000"}  # the benchmark asks faster than a customer may
    texts = query_texts(questions + 1)
    started = time.perf_counter()
    with running_portal(env) as url, sync_playwright() as playwright:
        healthy = time.perf_counter() - started
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})

        def ask(text: str) -> float:
            box = page.get_by_label("What can we help you with?")
            box.fill(text)
            begun = time.perf_counter()
            box.press("Enter")
            page.wait_for_function("q => [...document.querySelectorAll('.kb-result')].some(e => e.dataset.query === q)",
                                   arg=clean(text)[:500], timeout=60_000)
            # The answer, "not sure" or "did you mean": each has this heading.
            page.locator("#kb-answer").first.wait_for(state="visible", timeout=60_000)
            return (time.perf_counter() - begun) * 1000

        begun = time.perf_counter()
        page.goto(f"{url}/?lang=en", timeout=120_000)
        page.get_by_label("What can we help you with?").wait_for(timeout=120_000)
        first_page = time.perf_counter() - begun
        first = ask(texts[0])
        warm = [ask(text) for text in texts[1:]]
        browser.close()
    shutil.rmtree(work, ignore_errors=True)
    p50, p95 = percentiles(warm)
    print(f"start to healthy (streamlit, models, index, warm-up questions): {healthy:.1f} s; "
          f"first page: {first_page:.1f} s")
    print(f"cold first answer (first question after the health check): {first:.0f} ms")
    print(f"question to visible answer, warm, {len(warm)} questions: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
          f"max {max(warm):.0f} ms")
    return 0
