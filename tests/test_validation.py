"""Checks across the content folder, and the ``python -m kb check`` command editors run."""
from __future__ import annotations

import io
import os
from datetime import date

import pytest

from kb.__main__ import run_check
from kb.content import load_content
from kb.settings import Settings
from kb.validation import check
from tests.articles import CATEGORIES, article_text, write, write_topic

TODAY = date(2026, 11, 28)


@pytest.fixture
def root(tmp_path):
    write(tmp_path, "categories.yml", CATEGORIES)
    write_topic(tmp_path)
    return tmp_path


def problems(root, **kw):
    return [(p.path, p.line, p.field, p.severity) for p in check(load_content(root), TODAY, **kw)]


def messages(root):
    return [p.message for p in check(load_content(root), TODAY)]


def test_a_complete_topic_is_clean(root):
    assert problems(root) == []


def test_duplicate_id_names_both_files(root):
    write(root, "articles/en/cards/copy.md", article_text())
    found = check(load_content(root), TODAY)
    assert [(p.path, p.line, p.field) for p in found] == [("articles/en/cards/copy.md", 2, "id")]
    assert "articles/en/cards/card-lost.md:2" in found[0].message


def test_related_id_that_does_not_exist(root):
    write(root, "articles/en/cards/card-lost.md", article_text(related="[card-lost.zh-Hant, nope.en]"))
    assert problems(root) == [("articles/en/cards/card-lost.md", 10, "related", "error")]
    assert "'nope.en'" in messages(root)[0]


def test_translation_group_missing_a_language(root):
    (root / "articles/zh-Hans/cards/card-lost.md").unlink()
    assert problems(root) == [("articles/en/cards/card-lost.md", 8, "translation_group", "error")]
    assert "no zh-Hans version" in messages(root)[0]


def test_a_broken_translation_is_reported_once_not_as_a_missing_language(root):
    write(root, "articles/zh-Hans/cards/card-lost.md", "no front matter\n")
    assert problems(root) == [("articles/zh-Hans/cards/card-lost.md", 1, "front matter", "error")]


def test_two_versions_in_one_language(root):
    write(root, "articles/en/cards/card-lost-2.md", article_text(id="card-lost-2.en"))
    assert problems(root) == [("articles/en/cards/card-lost.md", 4, "lang", "error")]  # the second by path
    assert "already has a en version: articles/en/cards/card-lost-2.md" in messages(root)[0]


def test_unknown_category(root):
    write_topic(root, group="pets", category="pets")
    found = problems(root)
    assert ("articles/en/pets/pets.md", 6, "category", "error") in found
    assert len([p for p in found if p[2] == "category"]) == 3


def test_past_review_date_is_a_warning(root):
    write(root, "articles/en/cards/card-lost.md", article_text(review_by="2026-01-31"))
    assert problems(root) == [("articles/en/cards/card-lost.md", 10, "review_by", "warning")]


def test_drifted_translation_is_a_warning(root):
    write(root, "articles/en/cards/card-lost.md", article_text(updated="2026-11-20"))
    write(root, "articles/zh-Hant/cards/card-lost.md", article_text(lang="zh-Hant", updated="2025-01-01"))
    assert problems(root, drift_days=180) == [("articles/zh-Hant/cards/card-lost.md", 9, "updated", "warning")]


@pytest.mark.parametrize("href, severity", [
    ("?article=card-lost.zh-Hant", None), ("?article=gone.en", "error"),
    ("../cards/card-lost.md", None), ("../cards/missing.md", "error"),
    ("https://www.luminabank.example", None), ("javascript:alert(1)", "warning"),
])
def test_links(root, href, severity):
    body = f"## Q?\nSee [here]({href}).\n"
    write(root, "articles/en/cards/card-lost.md", article_text(body=body))
    expected = [("articles/en/cards/card-lost.md", 12, "link", severity)] if severity else []
    assert problems(root) == expected


def test_symlink_outside_content_is_skipped(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text(article_text(id="secret.en"), encoding="utf-8")
    os.symlink(outside, root / "articles/en/cards/link.md")
    content = load_content(root)
    assert "secret.en" not in content.articles
    assert problems(root) == [("articles/en/cards/link.md", 1, "file", "error")]


def test_broken_yaml_in_categories_is_located(root):
    write(root, "categories.yml", "cards:\n  en: [oops\n")
    assert problems(root)[0][:3] == ("categories.yml", 3, "yaml")


def test_check_command_prints_one_line_per_problem_and_fails(root, monkeypatch):
    monkeypatch.chdir(root)
    write(root, "articles/en/cards/card-lost.md", article_text(lang="xx"))
    out = io.StringIO()
    status = run_check(root, Settings.from_env({}), TODAY, out)
    lines = out.getvalue().splitlines()
    assert status == 1
    assert lines[0] == ("articles/en/cards/card-lost.md:4: error: lang: unknown language 'xx': "
                        "use one of zh-Hant, zh-Hans, en")
    assert lines[-1].endswith("1 errors, 0 warnings")


def test_check_command_on_one_file_reports_only_that_file(root, monkeypatch):
    monkeypatch.chdir(root)
    write(root, "articles/en/cards/card-lost.md", article_text(lang="xx"))
    out = io.StringIO()
    assert run_check(root / "articles/zh-Hant", Settings.from_env({}), TODAY, out) == 0
    assert "0 errors" in out.getvalue()


def test_check_command_never_prints_a_traceback_on_hostile_files(root, monkeypatch):
    monkeypatch.chdir(root)
    write(root, "articles/en/cards/bin.md", bytes(range(256)))
    write(root, "articles/en/cards/latin1.md", "caf\xe9".encode("latin-1"))
    out = io.StringIO()
    assert run_check(root, Settings.from_env({}), TODAY, out) == 1
    assert "Traceback" not in out.getvalue()
    assert "articles/en/cards/latin1.md:1: error: encoding:" in out.getvalue()


def test_bundled_content_is_clean():
    settings = Settings.from_env({})
    found = [p for p in check(load_content(settings.content_dir), date.today()) if p.severity == "error"]
    assert found == []
    assert len(load_content(settings.content_dir).articles) >= 120
