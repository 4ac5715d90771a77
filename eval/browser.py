"""A real portal (``streamlit run``) on 127.0.0.1 and Debian's headless Chromium to drive it: used by
the browser tests, the portal benchmark and the load test."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from kb.settings import PROJECT_ROOT

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 # Without these, Chromium floods the closed network with connection attempts.
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = PROJECT_ROOT / "test-output"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_portal(env: dict[str, str], timeout: float = 120):
    """Start the portal as customers get it; yield its base URL; stop it."""
    port = free_port()
    # portal/server.py: the health check answers once the models are warm (see its docstring).
    command = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "portal" / "server.py"),
               "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]
    log = open(OUTPUT / f"streamlit-{port}.log", "w") if OUTPUT.exists() else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the portal did not start (exit {process.poll()})")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Until Streamlit has finished running the script for the current page."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && "
        "document.querySelectorAll('[data-testid=\"stMarkdownContainer\"]').length > 0",
        timeout=timeout)
    page.wait_for_timeout(300)
