"""Shared fixtures: real models loaded once, settings pointed at temporary folders."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a test that reaches for a model hub must fail fast
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from kb.settings import Settings  # noqa: E402


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
