"""The one settings object: defaults, environment overrides, and that each is documented."""
from __future__ import annotations

import dataclasses
import re
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


@pytest.mark.parametrize("variable, raw, message", [
    ("KB_TOP_K", "0", "KB_TOP_K='0': must be at least 1"),  # broke every search before
    ("KB_CANDIDATES", "-3", "must be at least 1"),
    ("KB_THREADS", "0", "must be at least 1"),
    ("KB_CHUNK_CHARS", "10", "must be at least 50"),
    ("KB_CONFIDENCE_THRESHOLD", "1.5", "must be between 0.0 and 1.0"),
    ("KB_CONFIDENCE_THRESHOLD", "-0.1", "must be between 0.0 and 1.0"),
    ("KB_CONFIDENCE_THRESHOLD", "nan", "must be a number"),
    ("KB_CHROMA_PORT", "70000", "must be between 1 and 65535"),
    ("KB_RETENTION_DAYS", "0", "must be at least 1"),
    ("KB_QUERY_MAX_CHARS", "0", "must be at least 1"),
    ("KB_KEEP_REPLACED_MINUTES", "0.5", "must be at least 2.0"),
    ("KB_EMBEDDERS", "use,bert", "bert is not one of use, e5, st"),
    ("KB_EMBEDDERS", " , ", "name at least one of use, e5, st"),
])
def test_a_value_out_of_range_is_refused_with_its_range(variable, raw, message):
    with pytest.raises(SettingsError, match=re.escape(message)) as error:
        Settings.from_env({variable: raw})
    assert str(error.value).startswith(f"{variable}=")


@pytest.mark.parametrize("variable, raw", [
    ("KB_TOP_K", "1"), ("KB_CONFIDENCE_THRESHOLD", "0"), ("KB_CONFIDENCE_THRESHOLD", "1"),
    ("KB_RRF_K", "0"), ("KB_DRIFT_DAYS", "0"), ("KB_CHROMA_PORT", "1"),
    ("KB_EMBEDDERS", "use,e5,st"),
])
def test_the_ends_of_each_range_are_allowed(variable, raw):
    Settings.from_env({variable: raw})


def test_code_cannot_bypass_the_ranges():
    with pytest.raises(SettingsError, match="KB_TOP_K='0'"):
        Settings.from_env({}).replace(top_k=0)
    with pytest.raises(SettingsError, match="KB_CANDIDATES"):
        Settings.from_env({}, candidates=0)


def test_every_default_is_within_its_range():
    defaults = Settings.from_env({})
    for f in dataclasses.fields(Settings):
        meta = f.metadata
        value = getattr(defaults, f.name)
        if meta.get("minimum") is not None:
            assert value >= meta["minimum"], f.name
        if meta.get("maximum") is not None:
            assert value <= meta["maximum"], f.name
