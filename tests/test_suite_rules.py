"""Rules of the suite itself: in CI a skipped browser/server/model/slow test fails the run, and
no unit test asserts a wall-clock bound (speed is for the benchmarks under eval/)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from kb.settings import PROJECT_ROOT

SAMPLE = '''
import pytest

@pytest.mark.browser
def test_needs_chromium():
    pytest.skip("Chromium is not installed")

@pytest.mark.server
@pytest.mark.skipif(True, reason="no PostgreSQL here")
def test_needs_postgres():
    pass

@pytest.mark.skip(reason="an unmarked skip is allowed")
def test_plain_skip():
    pass

def test_runs():
    pass
'''


SKIPPED_MODULE = """
import pytest

pytest.skip("Chromium is not installed", allow_module_level=True)
"""


def _run(tmp_path, *samples: str, **env) -> subprocess.CompletedProcess:
    paths = []
    for number, sample in enumerate(samples or (SAMPLE,)):
        paths.append(tmp_path / f"test_sample{number}.py")
        paths[-1].write_text(sample, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "KB_NO_SKIPS")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
                           "-q", "-rs", *map(str, paths)], cwd=PROJECT_ROOT,
                          env={**environ, **env}, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("env", [{"KB_NO_SKIPS": "1"}, {"CI": "true"}])
def test_in_ci_a_skipped_marked_test_fails_the_run(tmp_path, env):
    result = _run(tmp_path, **env)
    assert result.returncode == 1, result.stdout
    # A skip inside the test fails it; a skip while setting it up (skipif) is an error: both fail the run.
    assert re.search(r"1 failed, 1 passed, 1 skipped.* 1 error", result.stdout), result.stdout
    assert "browser tests must run: Chromium is not installed" in result.stdout
    assert "server tests must run: no PostgreSQL here" in result.stdout


def test_in_ci_a_test_module_skipped_whole_fails_the_run(tmp_path):
    result = _run(tmp_path, SKIPPED_MODULE, "def test_runs():\n    pass\n", KB_NO_SKIPS="1")
    assert result.returncode == 1, result.stdout
    assert "test modules skipped in CI: the run fails" in result.stdout
    assert "test_sample0.py: Chromium is not installed" in result.stdout
    assert _run(tmp_path, SKIPPED_MODULE, "def test_runs():\n    pass\n").returncode == 0  # locally


def test_locally_a_skip_stays_a_skip_and_says_why(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "3 skipped" in result.stdout and "Chromium is not installed" in result.stdout  # -rs


TIMING = re.compile(r"assert\b.*\b(perf_counter|monotonic|time)\(\)\s*-.*<|assert\b.*\b(seconds|elapsed|took)\s*<")
DEADLINE = re.compile(r"deadline\s*=\s*(?!None)\d")


def test_no_unit_test_asserts_a_wall_clock_bound():
    offending = []
    for path in sorted((PROJECT_ROOT / "tests").glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if TIMING.search(line) or DEADLINE.search(line):
                offending.append(f"{path.name}:{number}: {line.strip()}")
    assert offending == [], "move these bounds to a benchmark under eval/:\n" + "\n".join(offending)


def test_eval_does_not_import_from_the_tests():
    offending = [f"{path.name}:{number}: {line.strip()}"
                 for path in sorted((PROJECT_ROOT / "eval").glob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if re.search(r"^\s*(from|import)\s+tests\b", line)]
    assert offending == []


def test_the_project_is_installed_and_nothing_edits_sys_path(tmp_path):
    # From another folder, as `streamlit run portal/app.py` and cron jobs start: pip install -e .
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", "import kb.settings, indexer.layout, portal.i18n, eval.data; "
                             "print(kb.settings.PROJECT_ROOT)"], cwd=tmp_path, env=environ,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(PROJECT_ROOT)
    offending = [f"{path.relative_to(PROJECT_ROOT)}:{number}"
                 for folder in ("kb", "indexer", "portal", "eval", "tests")
                 for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if re.search(r"sys\.path\s*(\.(insert|append|extend)|\[.*\]\s*=|\s*=|\s*\+=)", line)]
    assert offending == []
