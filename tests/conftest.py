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
