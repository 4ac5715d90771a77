"""Parsing one article: structure, plain text, and every per-file problem, located exactly."""
from __future__ import annotations

import pytest

from kb.parsing import parse_article
from tests.articles import article_text, front_matter

TUTORIAL = """Reset your password in the app.

## Before you start
- Your phone

## Steps
1. Open the app and tap **Forgot password**.
2. Enter the code we send you.
   It is valid for 5 minutes.
3. Choose a new password.

## If something goes wrong
Call us.
"""


def parse(text: str | bytes, path="a.md", **kw):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_article(raw, path, **kw)


def test_faq_units_keep_questions_anchors_and_lines():
    result = parse(article_text(body="Intro line.\n\n## First question?\nAnswer one.\n\n"
                                     "## Second question?\nAnswer two.\n\nMore of answer two.\n"))
    assert result.problems == ()
    units = result.article.units
    assert [(u.kind, u.anchor, u.heading, u.line) for u in units] == [
        ("intro", "intro", "", 11), ("question", "q1", "First question?", 13),
        ("question", "q2", "Second question?", 16)]
    assert units[2].text == "Answer two.\nMore of answer two."
    assert units[2].markdown == "Answer two.\n\nMore of answer two."
    assert units[1].heading_path == ("Lost card", "First question?")


def test_tutorial_steps_become_units_under_their_heading():
    article = parse(article_text(type="tutorial", body=TUTORIAL)).article
    kinds = [(u.kind, u.anchor, u.heading) for u in article.units]
    assert kinds == [("intro", "intro", ""), ("section", "s1", "Before you start"),
                     ("step", "step1", "Step 1"), ("step", "step2", "Step 2"),
                     ("step", "step3", "Step 3"), ("section", "s2", "If something goes wrong")]
    step2 = article.units[3]
    assert step2.heading_path == ("Lost card", "Steps", "Step 2")
    assert step2.text == "Enter the code we send you. It is valid for 5 minutes."
    assert step2.markdown.startswith("2. Enter the code")
    assert step2.line == 18


def test_chinese_step_labels_follow_the_article_language():
    body = "說明。\n\n## 操作步驟\n1. 打開 App，點選「忘記密碼」。\n2. 輸入簡訊驗證碼，設定新的密碼。\n"
    article = parse(article_text(lang="zh-Hant", type="tutorial", body=body)).article
    assert [u.heading for u in article.units if u.kind == "step"] == ["步驟 1", "步驟 2"]


def test_markup_is_dropped_from_plain_text_and_raw_html_stays_literal_text():
    body = "## Q?\nTap **Cards**, then `Freeze`. <b>bold</b> [help](https://x.example)\n"
    unit = parse(article_text(body=body)).article.units[0]
    assert unit.text == "Tap Cards, then Freeze. <b>bold</b> help"


def test_bom_and_crlf_are_accepted():
    text = "\ufeff" + article_text().replace("\n", "\r\n")
    result = parse(text)
    assert result.problems == ()
    assert result.article.units[1].heading == "I lost my card. What do I do?"


def test_content_hash_changes_with_the_bytes():
    assert parse(article_text()).article.content_hash != parse(article_text() + "\n").article.content_hash


def test_links_are_collected_with_lines():
    body = "## Q?\nSee [this](?article=x.en) and [that](../cards/y.md).\n"
    assert parse(article_text(body=body)).article.links == (("?article=x.en", 12), ("../cards/y.md", 12))


BAD = [
    # (file text, expected (line, field, message fragment))
    pytest.param("just text\n", (1, "front matter", "missing front matter"), id="no-front-matter"),
    pytest.param("---\nid: x\ntitle: y\n\nbody\n", (1, "front matter", "not closed"), id="unclosed"),
    pytest.param("---\nid: x\ntitle: [unclosed\n---\nbody\n",
                 (4, "front matter", "invalid YAML: did not find expected ',' or ']' (in the value that "
                                     "starts on line 3)"),
                 id="bad-yaml"),
    pytest.param("---\n- a\n- b\n---\nbody\n", (2, "front matter", "'field: value'"), id="yaml-list"),
    pytest.param(article_text(lang="fr"), (4, "lang", "unknown language 'fr'"), id="unknown-lang"),
    pytest.param(article_text(type="howto"), (5, "type", "unknown type 'howto'"), id="unknown-type"),
    pytest.param(article_text(title=None), (1, "title", "required field 'title' is missing"),
                 id="missing-title"),
    pytest.param(article_text(tags="card"), (7, "tags", "must be a list"), id="tags-not-list"),
    pytest.param(article_text(updated="yesterday"), (9, "updated", "not a date"), id="bad-date"),
    pytest.param(article_text(id='"../../etc/passwd"'), (2, "id", "not a valid id"), id="path-like-id"),
    pytest.param(article_text(related="[a, {b: c}]"), (10, "related", "must be a list"),
                 id="related-wrong-type"),
    pytest.param(article_text(body=""), (11, "body", "no text"), id="empty-body"),
    pytest.param(article_text(body="Only an intro.\n"), (11, "body", "at least one '## question'"),
                 id="faq-without-questions"),
    pytest.param(article_text(body="## Q one?\n\n## Q two?\nA.\n"), (11, "body", "'Q one?' has no answer"),
                 id="question-without-answer"),
    pytest.param(article_text(type="tutorial", body="Intro.\n\n## Steps\nNo list here.\n"),
                 (11, "body", "numbered steps"), id="tutorial-without-steps"),
    pytest.param(article_text(lang="zh-Hant",
                              body="## 银行卡丢了怎么办？\n请打开手机银行，点击冻结银行卡，这张卡就不能刷卡了。\n"),
                 (4, "lang", "reads as Simplified"), id="hant-declared-hans-text"),
    pytest.param(article_text(lang="zh-Hans",
                              body="## 卡片遺失怎麼辦？\n請打開行動銀行，點選凍結卡片，這張卡就無法刷卡。\n"),
                 (4, "lang", "Traditional characters"), id="hans-declared-hant-text"),
    pytest.param(article_text(lang="en",
                              body="## 卡片遺失怎麼辦？\n請打開行動銀行，點選凍結卡片，這張卡就無法刷卡。\n"),
                 (4, "lang", "mostly Chinese"), id="en-declared-chinese-text"),
    pytest.param(article_text(lang="en", body="## Que faire si j'ai perdu ma carte bancaire ?\n"
                              "Ouvrez l'application de la banque et appuyez sur le bouton pour bloquer "
                              "la carte. Vous pouvez la débloquer plus tard si vous la retrouvez, "
                              "et nous vous enverrons une nouvelle carte gratuitement dans les cinq jours.\n"),
                 (4, "lang", "reads as language 'fr'"), id="en-declared-french-text"),
    pytest.param(b"\x00\x01binary", (1, "file", "not a text file"), id="binary"),
    pytest.param(article_text().encode() + b"\n\xff\xfe broken\n", (16, "encoding", "not UTF-8"),
                 id="not-utf8"),
    pytest.param("   \n\n", (1, "file", "empty"), id="empty-file"),
]


@pytest.mark.parametrize("text, expected", BAD)
def test_each_problem_names_line_and_field(text, expected):
    result = parse(text, "articles/en/cards/x.md")
    assert result.article is None
    located = [(p.line, p.field) for p in result.errors]
    assert expected[:2] in located, result.problems
    problem = next(p for p in result.errors if (p.line, p.field) == expected[:2])
    assert expected[2] in problem.message
    assert problem.path == "articles/en/cards/x.md"


def test_too_large_article_is_refused_without_parsing():
    result = parse(article_text() + "word " * 300_000, max_bytes=1024 * 1024)
    assert [(p.line, p.field) for p in result.errors] == [(1, "file")]
    assert "MB" in result.errors[0].message


def test_unknown_field_and_raw_html_are_warnings_not_errors():
    text = article_text(colour="blue", body="## Q?\nAnswer <script>alert(1)</script> here.\n")
    result = parse(text)
    assert result.article is not None
    assert {(p.field, p.severity) for p in result.problems} == {("colour", "warning"), ("body", "warning")}


def test_two_thousand_questions_parse():
    body = "".join(f"## Question number {i}?\nAnswer number {i} is here.\n\n" for i in range(2000))
    article = parse(article_text(body=body)).article
    assert len(article.units) == 2000
    assert article.units[-1].anchor == "q2000"


def test_front_matter_helper_is_plain():
    assert front_matter(a=1) == "---\na: 1\n---\n"
