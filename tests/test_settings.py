"""The one settings object: defaults, environment overrides, and that each is documented."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kb.errors import SettingsError
from kb.settings import PROJECT_ROOT, Settings, describe


def test_defaults_point_inside_the_project():
    settings = Settings.from_env({})
    assert settings.content_dir == PROJECT_ROOT / "content"
    assert settings.data_dir == PROJECT_ROOT / "data"
    assert settings.resolved_database_url == f"sqlite:///{PROJECT_ROOT / 'data' / 'portal.db'}"


def test_environment_overrides_each_type():
    settings = Settings.from_env({"KB_CONTENT_DIR": "/tmp/c", "KB_TOP_K": "7", "KB_TO_SIMPLIFIED": "no",
                                  "KB_EMBEDDERS": "e5, use", "KB_CONFIDENCE_THRESHOLD": "0.3",
                                  "CHROMA_HOST": "10.0.0.5"})
    assert settings.content_dir == Path("/tmp/c")
    assert settings.top_k == 7 and settings.to_simplified is False
    assert settings.embedders == ("e5", "use") and settings.confidence_threshold == 0.3
    assert settings.chroma_host == "10.0.0.5"


def test_kb_prefixed_name_wins_over_alias():
    assert Settings.from_env({"KB_CHROMA_HOST": "a", "CHROMA_HOST": "b"}).chroma_host == "a"


def test_a_bad_value_names_the_variable():
    with pytest.raises(SettingsError, match="KB_TOP_K='many'"):
        Settings.from_env({"KB_TOP_K": "many"})


def test_every_setting_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for name, _default, help_text in describe():
        assert help_text and name in readme, name
    assert len(describe()) == len(dataclasses.fields(Settings))
