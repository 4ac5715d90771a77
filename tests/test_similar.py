"""Similar questions (相似問法): the ```similar format, its checks, its passages."""
from __future__ import annotations

import pytest

from kb.chunking import chunk, index_text
from kb.parsing import parse_article
from kb.similar import key, language_problem
from portal.render import article_html, markdown_html
from tests.articles import article_text

FAQ = """If your card is lost, freeze it first.

```similar
card problems in general
```

## I lost my card. What should I do first?

```similar
lost my card what now

card gone how do i block it
```
Open the app and tap **Freeze card**.

## Can I unfreeze it?
```similar
found my card again
```
Yes, tap **Unfreeze**.
"""

TUTORIAL = """```similar
how do i reset my password
```

## Before you start
- Your phone

## Steps

```similar
reset password steps
```
1. Open the app and tap **Forgot password**.
   ```similar
   where is forgot password
   ```
2. Enter the code we send you.

## If something goes wrong
Call us.
"""


def parse(body: str, **fields):
    return parse_article(article_text(body=body, **fields).encode("utf-8"), "a.md")


def by_anchor(article):
    return {u.anchor: u for u in article.units}


def test_faq_blocks_belong_to_their_question_with_file_lines():
    result = parse(FAQ)
    assert result.problems == ()
    units = by_anchor(result.article)
    # front matter is lines 1-10, the body starts on line 11
    assert units["intro"].similar == ("card problems in general",)
    assert units["intro"].similar_lines == (14,)
    assert units["q1"].similar == ("lost my card what now", "card gone how do i block it")
    assert units["q1"].similar_lines == (20, 22)
    assert units["q2"].similar == ("found my card again",)
    assert units["q2"].similar_lines == (28,)


def test_similar_questions_are_never_shown_nor_part_of_the_text():
    article = parse(FAQ).article
    for unit in article.units:
        for question in (*article.units[0].similar, *by_anchor(article)["q1"].similar):
            assert question not in unit.markdown and question not in unit.text
    assert by_anchor(article)["q1"].markdown == "Open the app and tap **Freeze card**."
    assert "lost my card what now" not in article.body
    page = article_html(article, lang="en")
    assert "lost my card what now" not in page and "found my card" not in page
    assert "<code" not in page and 'id="q1"' in page
    # a raw preview of a file that does not parse hides them too
    assert "what now" not in markdown_html(FAQ) and "<code" not in markdown_html(FAQ)


def test_tutorial_blocks_go_to_the_first_unit_the_first_step_or_their_step():
    result = parse(TUTORIAL, type="tutorial")
    assert result.problems == ()
    units = by_anchor(result.article)
    assert result.article.units[0].anchor == "s1"  # no intro text: the first unit takes it
    assert units["s1"].similar == ("how do i reset my password",)
    assert units["step1"].similar == ("reset password steps", "where is forgot password")
    assert units["step1"].similar_lines == (21, 25)
    assert units["step1"].markdown == "1. Open the app and tap **Forgot password**."
    assert units["step1"].text == "Open the app and tap Forgot password."
    assert units["step2"].similar == ()


def test_line_numbers_of_everything_else_are_unchanged():
    plain = parse(FAQ.replace("```similar\nfound my card again\n```\n", "")).article
    assert [u.line for u in parse(FAQ).article.units][:2] == [u.line for u in plain.units][:2]


@pytest.mark.parametrize("body, line, severity, words", [
    ("## Q?\nA.\n\n```similar\n\n```\n", 14, "warning", "empty"),
    ("## Q?\n```similar\nsame\nSame!\n```\nA.\n", 14, "warning", "twice"),
    ("## Q?\nA.\n\n> ```similar\n> quoted\n> ```\n", 14, "error", "blockquote"),
    ("## Q?\nA.\n\n- item\n\n  ```similar\n  nested\n  ```\n", 16, "error", "list item"),
    ("## Q?\nA.\n```similar\nnever closed\n## Q2?\nB.\n", 13, "error", "never closed"),
])
def test_misplaced_empty_repeated_or_unclosed_blocks_are_located(body, line, severity, words):
    problems = [p for p in parse(body).problems if p.field == "similar"]
    assert [(p.line, p.severity) for p in problems] == [(line, severity)]
    assert words in problems[0].message


def test_a_block_under_a_heading_with_nothing_else_belongs_to_nothing():
    result = parse("Intro.\n\n## Steps\n\n```similar\norphan\n```\n\n## More\nText.\n", type="tutorial")
    problems = [p for p in result.problems if p.field == "similar"]
    assert [(p.line, p.severity) for p in problems] == [(15, "error")]
    assert "belongs to no question" in problems[0].message


def test_a_block_in_a_tutorial_step_list_is_the_steps():
    body = "Intro.\n\n## Steps\n1. Open the app.\n\n   ```similar\n   open app\n   ```\n2. Tap.\n"
    units = by_anchor(parse(body, type="tutorial").article)
    assert units["step1"].similar == ("open app",) and units["step1"].similar_lines == (17,)


def test_similar_passages_resolve_to_their_unit():
    article = parse(FAQ).article
    passages = list(chunk(article))
    assert [(p.id, p.kind, p.anchor, p.ordinal) for p in passages] == [
        ("card-lost.en#intro", "intro", "intro", 0),
        ("card-lost.en#intro~1", "similar", "intro", 0),
        ("card-lost.en#q1", "question", "q1", 1),
        ("card-lost.en#q1~1", "similar", "q1", 1),
        ("card-lost.en#q1~2", "similar", "q1", 1),
        ("card-lost.en#q2", "question", "q2", 2),
        ("card-lost.en#q2~1", "similar", "q2", 2)]
    variant = passages[4]
    assert variant.text == "card gone how do i block it"
    assert variant.heading_path == ("Lost card", "I lost my card. What should I do first?")
    assert index_text(variant) == "card gone how do i block it"  # the question alone
    assert index_text(passages[2]).startswith("Lost card / I lost my card.")


@pytest.mark.parametrize("a, b", [
    ("Lost my card!", "lost  my card"),
    ("ＡＴＭ吞卡了？", "atm 吞卡了"),
    ("卡片遺失怎麼辦", "卡片遗失 怎么办"),
])
def test_the_same_phrasing_has_the_same_key(a, b):
    assert key(a) == key(b)


@pytest.mark.parametrize("lang, text, verdict", [
    ("zh-Hant", "信用卡 PIN 忘了", None),
    ("zh-Hant", "網銀 login 不了", None),
    ("zh-Hant", "台幣提款上限", None),
    ("zh-Hant", "我的卡被吞了", None),
    ("zh-Hant", "卡丢了怎么办", "error"),
    ("zh-Hant", "lost my card what now", "error"),
    ("zh-Hant", "how do i reset my 密碼", "error"),
    ("zh-Hant", "OTP", "warning"),
    ("zh-Hans", "卡丢了怎么办", None),
    ("zh-Hans", "银行卡 PIN 忘了", None),
    ("zh-Hans", "卡片遺失怎麼辦", "error"),
    ("en", "lost my card what now", None),
    ("en", "my card 不見了", "error"),
    ("en", "ATM ate my card", None),
])
def test_language_is_judged_by_script_share_even_for_short_text(lang, text, verdict):
    found = language_problem(lang, text)
    assert (found[0] if found else None) == verdict
