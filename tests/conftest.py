"""Shared fixtures: real models loaded once, settings pointed at temporary folders."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a test that reaches for a model hub must fail fast
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from hypothesis import settings as hypothesis_settings  # noqa: E402

from kb.settings import Settings  # noqa: E402

# No test may fail because the machine is busy: hypothesis's per-example deadline is a wall-clock
# bound, so it is off everywhere (speed is measured by the benchmarks under eval/).
hypothesis_settings.register_profile("kb", deadline=None)
hypothesis_settings.load_profile("kb")

# In CI a skipped test of these groups is a failure: a green run must mean that Chromium,
# PostgreSQL, the Chroma server and the models really ran. Locally a skip stays a skip (-rs
# prints why). .ci/run sets KB_NO_SKIPS=1; most CI services set CI=true.
MUST_RUN = ("browser", "server", "model", "slow")


def _no_skips() -> bool:
    return os.environ.get("KB_NO_SKIPS", "") == "1" or os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail") or not _no_skips():
        return
    groups = [name for name in MUST_RUN if item.get_closest_marker(name)]
    if groups:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = (f"skipped in CI, but {'/'.join(groups)} tests must run: {reason} "
                           "(make test installs what they need; KB_NO_SKIPS=1 or CI=true makes this a failure)")


_skipped_modules: list[str] = []  # whole test modules skipped while collecting (no Chromium, say)


def pytest_collectreport(report):
    if report.skipped and _no_skips():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped_modules.append(f"{report.nodeid}: {reason.removeprefix('Skipped: ')}")


def pytest_terminal_summary(terminalreporter):
    if _skipped_modules:
        terminalreporter.section("test modules skipped in CI: the run fails", red=True)
        for line in _skipped_modules:
            terminalreporter.line(line)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if _skipped_modules and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def use_embedder():
    from kb.embedders import create
    return create("use")


@pytest.fixture(scope="session")
def embedders(use_embedder):
    """The embedders of the default setup, loaded once for the whole run."""
    from kb.embedders import create
    defaults = Settings.from_env({})
    return {key: (use_embedder if key == "use" else create(key)) for key in defaults.embedders}


@pytest.fixture
def make_settings(tmp_path):
    def make(content_dir=None, **overrides) -> Settings:
        return Settings.from_env({}, content_dir=content_dir or tmp_path / "content",
                                 data_dir=tmp_path / "data", **overrides)
    return make


SMALL_TOPICS = ("card-lost-freeze", "card-activate", "login-forgot-password", "transfer-limits",
                "security-otp", "loan-repayment", "loan-apply", "fraud-scam-calls", "contact-us",
                "atm-withdrawal")


@pytest.fixture(scope="session")
def small_index(tmp_path_factory, use_embedder) -> Settings:
    """Ten real topics in three languages (plus the real categories, synonyms and contact
    details), indexed once with the real USE model; returns settings pointing at it."""
    import shutil
    from indexer.build import build
    from kb.settings import PROJECT_ROOT
    root = tmp_path_factory.mktemp("small")
    source, content = PROJECT_ROOT / "content", root / "content"
    content.mkdir()
    for name in ("categories.yml", "synonyms.yml", "contact.yml"):
        shutil.copy(source / name, content / name)
    for path in (source / "articles").rglob("*.md"):
        if path.stem in SMALL_TOPICS:
            target = content / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    settings = Settings.from_env({}, content_dir=content, data_dir=root / "data", embedders=("use",),
                                 watch_content=False)
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    return settings


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on 127.0.0.1 for the session (skips if none is installed)."""
    from tests.postgres import running_server
    with running_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres) -> str:
    return postgres.database("load_tests")
