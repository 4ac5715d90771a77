"""Load: many customers at once, with feedback written all the while.

- ``portal_load``: a real ``streamlit run`` on 127.0.0.1 driven by concurrent headless Chromium
  pages; each asks questions and answers "Yes" to each answer. Checks every answer appeared and
  every click became exactly one feedback row.
- ``search_load``: the search function from many threads on one shared index, while other
  threads write feedback rows to the log; checks nothing failed and no row was lost or doubled.

Loops are bounded in count and in time. ``python -m eval load`` prints the figures.
"""
from __future__ import annotations

import asyncio
import json
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import select

from kb.normalize import clean
from kb.search import search
from kb.settings import PROJECT_ROOT, Settings

QUESTIONS = [json.loads(line)["text"] for line in
             (PROJECT_ROOT / "eval" / "queries" / "tune.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip() and json.loads(line)["relevant"]]


@dataclass
class LoadReport:
    name: str
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    rows_expected: int = 0
    rows_found: int = 0
    duplicates: int = 0

    def summary(self) -> str:
        p50 = statistics.median(self.latencies_ms) if self.latencies_ms else 0.0
        p95 = float(np.percentile(self.latencies_ms, 95)) if self.latencies_ms else 0.0
        return (f"{self.name}: {self.requests} requests in {self.seconds:.1f} s = "
                f"{self.requests / max(self.seconds, 1e-9):.1f}/s; latency p50 {p50:.0f} ms, p95 {p95:.0f} ms; "
                f"{len(self.errors)} errors; feedback rows {self.rows_found} of {self.rows_expected} expected, "
                f"{self.duplicates} duplicated")


def search_load(settings: Settings, embedders, store, threads: int = 8, per_thread: int = 40,
                writers: int = 4, rows_per_writer: int = 50, time_limit: float = 120.0) -> LoadReport:
    from indexer.index import Index
    from portal.logstore import feedback, session_hash
    snapshot = Index.open(settings, embedders).snapshot()
    report = LoadReport(f"search x{threads} threads + feedback x{writers} writers")
    marker = uuid.uuid4().hex[:8]  # tags this run's rows, so a shared database can be checked
    lock = threading.Lock()
    deadline = time.monotonic() + time_limit

    def searcher(number: int) -> None:
        for i in range(per_thread):
            if time.monotonic() > deadline:
                return
            question = QUESTIONS[(number * per_thread + i) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                result = search(question, snapshot, embedders, settings)
                if result.best is None:
                    raise RuntimeError(f"no answer for {question!r}")
            except Exception as exc:  # counted and reported: the point of a load test
                with lock:
                    report.errors.append(f"search: {exc}")
                continue
            with lock:
                report.latencies_ms.append((time.perf_counter() - started) * 1000)
                report.requests += 1

    def writer(number: int) -> None:
        who = session_hash(f"load-{marker}-{number}", "load")
        for i in range(rows_per_writer):
            if time.monotonic() > deadline:
                return
            try:
                store.log_feedback(who, bool(i % 2), article_id=f"load-{marker}", comment=f"row {number}-{i}")
                with lock:
                    report.rows_expected += 1
            except Exception as exc:
                with lock:
                    report.errors.append(f"feedback: {exc}")

    started = time.perf_counter()
    with ThreadPoolExecutor(threads + writers) as pool:
        jobs = [pool.submit(searcher, n) for n in range(threads)] + [pool.submit(writer, n) for n in range(writers)]
        for job in jobs:
            job.result()
    report.seconds = time.perf_counter() - started
    rows = store.rows(select(feedback.c.comment).where(feedback.c.article_id == f"load-{marker}"))
    comments = [row.comment for row in rows]
    report.rows_found = len(set(comments))
    report.duplicates = len(comments) - len(set(comments))
    return report


async def _customer(browser, url: str, questions: list[str], report: LoadReport, lock: asyncio.Lock,
                    deadline: float) -> None:
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(f"{url}/?lang=en", timeout=60_000)
        box = page.get_by_label("What can we help you with?")
        await box.wait_for(timeout=60_000)
        for question in questions:
            if time.monotonic() > deadline:
                return
            await box.fill(question)
            started = time.perf_counter()
            await box.press("Enter")
            try:  # the page marks the question it answers: wait for this one, not the last one
                await page.wait_for_function("q => [...document.querySelectorAll('.kb-result')]"
                                             ".some(e => e.dataset.query === q)", arg=clean(question)[:500],
                                             timeout=30_000)
                await page.locator(".kb-list, .kb-card, [class*='st-key-pick_'] button").first.wait_for(
                    state="visible", timeout=30_000)
            except Exception as exc:
                async with lock:
                    report.errors.append(f"no answer for {question!r}: {exc}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            choices = page.locator("[class*='st-key-pick_'] button")  # "did you mean ...?": pick one
            if await choices.count():
                await choices.first.click(timeout=30_000)
                await page.locator(".kb-card").first.wait_for(state="visible", timeout=30_000)
            yes = page.get_by_role("button", name="Yes")
            await yes.wait_for(timeout=30_000)  # this answer's own buttons, not the last one's thanks
            await yes.click(timeout=30_000)
            await yes.wait_for(state="detached", timeout=30_000)
            await page.get_by_text("Thank you for your feedback!").first.wait_for(timeout=30_000)
            async with lock:
                report.rows_expected += 1
            async with lock:
                report.requests += 1
                report.latencies_ms.append(elapsed)
    finally:
        await context.close()


async def _drive(url: str, customers: int, per_customer: int, time_limit: float) -> LoadReport:
    from playwright.async_api import async_playwright
    from eval.browser import CHROMIUM_ARGS, chromium_path
    report = LoadReport(f"portal x{customers} browser sessions")
    lock = asyncio.Lock()
    deadline = time.monotonic() + time_limit
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            started = time.perf_counter()
            await asyncio.gather(*(_customer(browser, url, [QUESTIONS[(c * 7 + i * 13) % len(QUESTIONS)]
                                                           for i in range(per_customer)], report, lock, deadline)
                                   for c in range(customers)))
            report.seconds = time.perf_counter() - started
        finally:
            await browser.close()
    return report


def portal_load(env: dict[str, str], database_url: str, customers: int = 6, per_customer: int = 5,
                time_limit: float = 240.0) -> LoadReport:
    from portal.logstore import LogStore, feedback
    from eval.browser import running_portal
    with running_portal(env) as url:
        report = asyncio.run(_drive(url, customers, per_customer, time_limit))
    with LogStore.open(database_url) as store:
        rows = store.rows(select(feedback.c.search_id, feedback.c.session_hash))
        report.rows_found = len({(r.search_id, r.session_hash) for r in rows})
        report.duplicates = len(rows) - report.rows_found
    return report


def main(settings: Settings, customers: int, per_customer: int, threads: int) -> int:
    import tempfile
    from kb.embedders import create_all
    from indexer.build import build
    from portal.logstore import LogStore
    embedders = create_all(settings.embedders, settings.threads, settings.st_model)
    build(settings, embedders=embedders)
    work = Path(tempfile.mkdtemp(prefix="kb-load-"))
    url = f"sqlite:///{work / 'load.db'}"
    with LogStore.open(url) as store:
        report = search_load(settings, embedders, store, threads=threads)
    print(report.summary())
    env = {"KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": f"sqlite:///{work / 'portal.db'}",
           "KB_CONTENT_DIR": str(settings.content_dir), "KB_DATA_DIR": str(settings.data_dir),
           "KB_EMBEDDERS": ",".join(settings.embedders)}
    report = portal_load(env, env["KB_DATABASE_URL"], customers, per_customer)
    print(report.summary())
    for error in report.errors[:5]:
        print("  error:", error)
    return 0 if not report.errors else 1
