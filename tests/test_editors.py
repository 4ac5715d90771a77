"""The editors' workflow: new articles from templates, preview of any file, exports for QA."""
from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import date

from kb.__main__ import run_check, run_new
from kb.content import load_content
from kb.settings import Settings
from portal.staff_tools import csv_bytes, labelled_queries, preview
from tests.articles import CATEGORIES, article_text, write, write_topic

TODAY = date(2026, 11, 28)


def new(root, **kw):
    args = argparse.Namespace(type=kw.get("type", "faq"), lang=kw.get("lang", "en"),
                              category=kw.get("category", "cards"), title=kw.get("title"), group=kw.get("group"),
                              content_dir=str(root),
                              all_langs=kw.get("all_langs", False), question=kw.get("question"))
    out = io.StringIO()
    return run_new(args, Settings.from_env({}), TODAY, out), out.getvalue()


def test_kb_new_all_langs_writes_a_complete_topic_that_stays_a_draft(tmp_path):
    write(tmp_path, "categories.yml", CATEGORIES)
    status, printed = new(tmp_path, type="tutorial", lang="zh-Hant", title="Change card limit", all_langs=True)
    assert status == 0
    paths = sorted(tmp_path.rglob("*.md"))
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "articles/en/cards/change-card-limit.md", "articles/zh-Hans/cards/change-card-limit.md",
        "articles/zh-Hant/cards/change-card-limit.md"]
    assert "wrote" in printed and "draft" in printed
    content = load_content(tmp_path)
    assert content.articles == {} and len(content.failed_paths) == 3  # drafts: never indexed
    out = io.StringIO()
    assert run_check(tmp_path, Settings.from_env({}), TODAY, out) == 0, out.getvalue()  # warnings only
    assert out.getvalue().count("warning: draft:") >= 3 * 3
    # With the template text replaced, the article is published as it is.
    path = tmp_path / "articles/zh-Hant/cards/change-card-limit.md"
    text = path.read_text(encoding="utf-8")
    for placeholder in ("新文章：請改成標題", "請用一兩句話說明這篇文章能幫客戶解決什麼問題。", "客戶需要先準備的東西",
                        "說明下一個動作。", "說明該怎麼處理，以及如何聯絡我們。", "請改成, "):
        text = text.replace(placeholder, "調整刷卡額度" if "標題" in placeholder else "在 App 裡調整。"
                            if not placeholder.endswith(", ") else "額度, ")
    path.write_text(text, encoding="utf-8")
    article = load_content(tmp_path).articles["change-card-limit.zh-Hant"]
    assert (article.type, article.category, article.updated) == ("tutorial", "cards", TODAY)
    assert any(u.kind == "step" for u in article.units)


def test_kb_new_adds_a_language_to_an_existing_topic_and_refuses_duplicates(tmp_path):
    write(tmp_path, "categories.yml", CATEGORIES)
    write(tmp_path, "articles/en/cards/card-lost.md", article_text())
    status, _ = new(tmp_path, lang="zh-Hans", group="card-lost")
    assert status == 0 and (tmp_path / "articles/zh-Hans/cards/card-lost.md").exists()
    assert not (tmp_path / "articles/zh-Hant/cards/card-lost.md").exists()
    status, printed = new(tmp_path, lang="en", group="card-lost")
    assert status == 2 and "already has a en version" in printed
    status, printed = new(tmp_path, category="pets")
    assert status == 2 and "unknown category 'pets'" in printed


def test_fresh_ids_never_collide(tmp_path):
    write(tmp_path, "categories.yml", CATEGORIES)
    new(tmp_path, title="Same title")
    new(tmp_path, title="Same title")
    names = sorted(p.stem for p in tmp_path.rglob("*.md"))  # drafts, not loaded until finished
    assert len(names) == 2 and "same-title" in names and names[0] != names[1]


def test_preview_of_a_valid_article_is_what_customers_see(tmp_path):
    write_topic(tmp_path)
    html, problems = preview(tmp_path, "articles/en/cards/card-lost.md", 1024 * 1024, {})
    assert problems == [] and "<h1>Lost card</h1>" in html and 'id="q1"' in html


def test_preview_of_a_broken_article_still_renders_with_its_problems(tmp_path):
    broken = "---\nid: broken.en\ntitle: [oops\n---\n## Question?\nAnswer with <script>alert(1)</script>.\n"
    write(tmp_path, "articles/en/cards/broken.md", broken)
    html, problems = preview(tmp_path, "articles/en/cards/broken.md", 1024 * 1024, {})
    assert "<h2>Question?</h2>" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert [(p.line, p.field) for p in problems] == [(4, "front matter")]


def test_preview_of_a_file_without_front_matter(tmp_path):
    write(tmp_path, "articles/en/cards/plain.md", "Just **text**.\n")
    html, problems = preview(tmp_path, "articles/en/cards/plain.md", 1024 * 1024, {})
    assert "<strong>text</strong>" in html and problems[0].field == "front matter"


def test_csv_export_keeps_every_row_and_chinese_text():
    rows = [{"query": "卡片不見了", "searches": 3}, {"query": "lost card, stolen", "searches": 1}]
    data = csv_bytes(rows).decode("utf-8-sig")
    assert list(csv.DictReader(io.StringIO(data))) == [{"query": "卡片不見了", "searches": "3"},
                                                     {"query": "lost card, stolen", "searches": "1"}]


def test_csv_export_neutralises_spreadsheet_formulas():
    rows = [{"query": "=HYPERLINK(\"http://x\")", "n": 1}, {"query": "+1 (555)", "n": -2},
            {"query": "-2+3", "n": 0}, {"query": "@SUM(A1)", "n": 0}, {"query": "\tcell", "n": 0},
            {"query": "\rcell", "n": 0}, {"query": "plain = fine", "n": 0}]
    data = list(csv.DictReader(io.StringIO(csv_bytes(rows).decode("utf-8-sig"), newline="")))
    assert [r["query"] for r in data] == ["'=HYPERLINK(\"http://x\")", "'+1 (555)", "'-2+3", "'@SUM(A1)",
                                          "'\tcell", "'\rcell", "plain = fine"]
    assert [r["n"] for r in data] == ["1", "-2", "0", "0", "0", "0", "0"]  # numbers stay numbers


def test_failed_groups_export_as_labelled_queries_with_passage_labels():
    groups = [{"group": 7, "searches": 3, "queries": ["pet insurance", "寵物保險"], "languages": ["en", "zh-Hant"],
               "closest": "fees-overview.en#q2"},
              {"group": 9, "searches": 1, "queries": ["card eaten by atm"], "languages": ["en"], "closest": ""}]
    text = labelled_queries(groups, confirmed={"card eaten by atm": "atm-withdrawal.en#q4"},
                            languages={"寵物保險": "zh-Hant"})
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0] == {"id": "failed-7-1", "text": "pet insurance", "lang": "en", "relevant": [],
                        "suggested": ["fees-overview.en#q2"], "group": 7, "searches": 3}
    assert lines[1]["lang"] == "zh-Hant" and lines[1]["relevant"] == []
    assert lines[2]["relevant"] == ["atm-withdrawal.en#q4"] and lines[2]["suggested"] == []
    assert all(set(line) >= {"id", "text", "lang", "relevant"} for line in lines)  # the evaluation's format
