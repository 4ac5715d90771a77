"""contact.yml and categories.yml: checked with file:line like articles, and a typo keeps the
last good version in the index instead of taking the phone number away from customers."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from indexer.build import build
from indexer.index import Index
from kb.content import load_content
from kb.errors import ContentError
from kb.settings import PROJECT_ROOT
from kb.validation import check
from tests.articles import CATEGORIES, write, write_topic

CONTACT = (PROJECT_ROOT / "content" / "contact.yml").read_text(encoding="utf-8")


def _problems(root, name):
    return [p for p in check(load_content(root), date(2026, 11, 1), require_translations=False)
            if p.path == name]


def test_the_bundled_contact_and_categories_are_valid():
    content = load_content(PROJECT_ROOT / "content")
    assert not content.failed_files
    assert content.contact["phone"]["number"] and len(content.categories) >= 5


@pytest.mark.parametrize("edit, line, field, message", [
    (lambda t: t.replace('  tel: "+886800088123"\n', ""), 3, "phone.tel", "'tel' is missing"),
    (lambda t: t.replace('  tel: "+886800088123"', '  tel: "call us"'), 5, "phone.tel", "not a number to dial"),
    (lambda t: t.replace("    en: Online chat every day", "    fr: Online chat every day"), 13,
     "chat.hours", "hours are missing in en"),
    (lambda t: t.replace('  url: "https://www.luminabank.example/chat"', '  url: "www.luminabank.example"'), 12,
     "chat.url", "must start with https://"),
    (lambda t: t.replace("phone:", "fone:"), 3, "fone", "unknown channel 'fone'"),
    (lambda t: t.replace("  number:", "  number:\n   - x\n  nummer:"), 4, "phone.number", "'number' is missing"),
    (lambda t: t.replace("chat:", "chat:\n  - url"), 13, "yaml", "invalid YAML"),
    (lambda t: t.replace('  abroad: "+886-2-2655-0123"', '  abroad: "+886-2-2655-0123'), 12, "yaml",
     "while parsing a block mapping on line 4"),
])
def test_kb_check_names_the_line_and_field_of_a_bad_contact_file(tmp_path, edit, line, field, message):
    root = tmp_path / "content"
    write(root, "contact.yml", edit(CONTACT))
    problems = _problems(root, "contact.yml")
    [found] = [p for p in problems if p.field == field]
    assert found.severity == "error" and message in found.message, problems
    if field != "yaml" or line != 1:
        assert found.line == line, found
    assert "contact.yml" in load_content(root).failed_files


def test_kb_check_names_the_line_of_a_category_without_a_name(tmp_path):
    root = tmp_path / "content"
    write(root, "categories.yml", CATEGORIES + "savings:\n  zh-Hant: 存款\n  en: Savings\n")
    [problem] = _problems(root, "categories.yml")
    assert (problem.line, problem.field) == (9, "savings") and "zh-Hans" in problem.message


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    write(root, "categories.yml", CATEGORIES)
    write(root, "contact.yml", CONTACT)
    write_topic(root)
    return root


@pytest.mark.model
def test_a_typo_keeps_the_last_good_contact_and_categories_online(content, make_settings, use_embedder):
    settings = make_settings(content, embedders=("use",))
    embedders = {"use": use_embedder}
    first = build(settings, embedders=embedders)
    portal = Index(settings, embedders, check_every=0)
    assert portal.snapshot().contact["phone"]["number"] == "0800-088-123"
    write(content, "contact.yml", CONTACT.replace('  abroad: "+886-2-2655-0123"', '  abroad: "+886-2-2655-0123'))
    write(content, "categories.yml", CATEGORIES.replace("cards:", "cards"))  # a typo in each
    write_topic(content, group="card-pin")  # and a new article, published meanwhile
    report = build(settings, embedders=embedders)
    assert report.published
    kept = {p.path for p in report.problems if "kept the last good version" in p.message}
    assert kept == {"contact.yml", "categories.yml"}
    assert {p.path for p in report.errors} >= {"contact.yml", "categories.yml"}
    snapshot = portal.snapshot()
    assert snapshot.build_id != first.build_id and "card-pin.en" in snapshot.articles
    assert snapshot.contact["phone"]["number"] == "0800-088-123"
    assert snapshot.categories["cards"]["en"] == "Cards"
    write(content, "contact.yml", CONTACT.replace("0800-088-123", "0800-088-999"))  # fixed
    write(content, "categories.yml", CATEGORIES)
    assert build(settings, embedders=embedders).published
    assert portal.snapshot().contact["phone"]["number"] == "0800-088-999"


@pytest.mark.model
def test_no_index_is_published_without_valid_contact_details(content, make_settings, use_embedder):
    settings = make_settings(content, embedders=("use",))
    write(content, "contact.yml", CONTACT.replace("phone:", "phones:"))
    expected = r"(?s)contact.yml:1: error: phone: the phone number.*unknown channel .phones.*not published"
    with pytest.raises(ContentError, match=expected):
        build(settings, embedders={"use": use_embedder})
    assert not (settings.index_dir / "CURRENT").exists()
    shutil.copy(PROJECT_ROOT / "content" / "contact.yml", content / "contact.yml")
    assert build(settings, embedders={"use": use_embedder}).published
