"""Search on a small real index: real articles, the real USE model, real Chroma and BM25."""
from __future__ import annotations

import pytest

from indexer.index import Index
from kb.search import Filters, search

pytestmark = pytest.mark.model

@pytest.fixture(scope="session")
def small(small_index, use_embedder):
    """Search the small real index (see conftest.small_index)."""
    embedders = {"use": use_embedder}
    snapshot = Index.open(small_index, embedders).snapshot()

    def ask(query, **kw):
        return search(query, snapshot, embedders, small_index, **kw)
    ask.snapshot = snapshot
    return ask


def topic(result):
    return result.best.article.translation_group


@pytest.mark.parametrize("query, content_lang, expected", [
    ("I lost my credit card, how do I stop it being used?", "zh-Hant", "card-lost-freeze"),
    ("forgot my login password", "zh-Hans", "login-forgot-password"),
], ids=["en-to-zh-Hant", "en-to-zh-Hans"])
def test_english_question_finds_chinese_content(small, query, content_lang, expected):
    result = small(query, filters=Filters(lang=content_lang))
    assert topic(result) == expected
    assert result.best.found_in == f"{expected}.{content_lang}"  # matched in Chinese...
    assert result.best.article.lang == "en"  # ...and shown in the customer's language


@pytest.mark.parametrize("query, expected", [
    ("忘記登入密碼怎麼辦", "login-forgot-password"),
    ("每天转账最多能转多少钱", "transfer-limits"),
], ids=["zh-Hant-to-en", "zh-Hans-to-en"])
def test_chinese_question_finds_english_content(small, query, expected):
    result = small(query, filters=Filters(lang="en"))
    assert topic(result) == expected and result.best.found_in == f"{expected}.en"


@pytest.mark.parametrize("query, content_lang", [
    ("轉帳限額是多少", "zh-Hans"),  # Traditional question, Simplified content
    ("转账限额是多少", "zh-Hant"),  # and back
])
def test_traditional_and_simplified_find_each_other(small, query, content_lang):
    result = small(query, filters=Filters(lang=content_lang))
    assert topic(result) == "transfer-limits" and result.best.found_in == f"transfer-limits.{content_lang}"


@pytest.mark.xfail(strict=True, reason="known gap since the content adapter (KB_ADAPTER): on this "
                   "10-topic index its map sends the misspelt words toward the login article (search "
                   "is unsure, 0.21); passes without the adapter or with a stronger pull to the "
                   "identity (keep 0.01, worse on tune: 0.788 vs 0.809). On the full content this "
                   "query was wrong before the adapter too")
def test_a_misspelt_question(small):
    assert topic(small("how do i actvate my new crad")) == "card-activate"


def test_a_synonym_widens_the_keyword_side(small):
    query = "收不到OTP"
    assert "验证码" in small.snapshot.synonyms.expand(query)  # OTP -> 驗證碼 / 验证码 / SMS code
    result = small(query)
    assert topic(result) == "security-otp"
    assert result.best.article.lang in ("zh-Hant", "zh-Hans")


def test_a_long_colloquial_story(small):
    query = ("hi, so i was at the night market yesterday and my wallet with my bank card in it got "
             "stolen, what should i do now?? im really worried someone will use it")
    result = small(query)
    assert topic(result) == "card-lost-freeze"
    assert result.best.article.lang == "en"


@pytest.mark.parametrize("filters, category, kind", [
    (Filters(category="loans"), "loans", None),
    (Filters(type="tutorial"), None, "tutorial"),
])
def test_filters_limit_every_result(small, filters, category, kind):
    result = small("how do I pay", filters=filters)
    for hit in (result.best, *result.others):
        assert category in (None, hit.article.category)
        assert kind in (None, hit.article.type)


def test_an_unanswerable_question_is_unsure_and_offers_a_person(small):
    result = small("what will the weather be like in Taipei tomorrow")
    assert result.unsure
    assert result.contact["phone"]["number"] == "0800-088-123"
    assert result.best is not None and len(result.others) >= 2  # the closest articles, offered as such


def test_the_answer_is_shown_in_the_customers_language_at_the_same_place(small):
    english = small("Do I have to pay for a replacement card?")
    chinese = small("補發新卡要錢嗎")
    simplified = small("补卡要收费吗")
    assert [r.best.article.lang for r in (english, chinese, simplified)] == ["en", "zh-Hant", "zh-Hans"]
    assert english.best.anchor == chinese.best.anchor == simplified.best.anchor == "q5"
    assert "收費" in chinese.best.unit.heading and "收费" in simplified.best.unit.heading
    shown_across = small("Do I have to pay for a replacement card?", ui_lang="en",
                         filters=Filters(lang="zh-Hant"))  # found in Chinese, shown in English
    assert shown_across.best.found_in == "card-lost-freeze.zh-Hant"
    assert shown_across.best.article.id == "card-lost-freeze.en" and shown_across.best.anchor == "q5"


def test_matched_terms_explain_the_answer(small):
    result = small("How do I freeze my card?")
    assert topic(result) == "card-lost-freeze" and "card" in {t.lower() for t in result.best.matched_terms}
    for term in result.best.matched_terms:
        assert term in result.best.unit.heading + "\n" + result.best.unit.text


def test_the_question_that_answers_is_shown_first(small):
    # Was a known gap (it showed 'Can I unfreeze it?', q2) until the content adapter and the
    # unit-within-article features: answer Success@1 on tune, out of fold, 0.738 -> 0.809.
    result = small("How do I freeze my card?")
    assert topic(result) == "card-lost-freeze" and result.best.anchor == "q1"


def test_a_query_that_is_one_of_a_units_own_questions_is_answered_by_it(small):
    """Typed exactly as a reviewed similar question (case, width, script and punctuation aside),
    the question is answered by that unit, sure; one word more and the ranker decides alone."""
    article = small.snapshot.articles["card-lost-freeze.en"]
    unit = next(u for u in article.units if len(u.similar) >= 2)
    for asked in (unit.similar[1], unit.similar[1].upper() + "?!"):
        result = small(asked)
        assert (topic(result), result.best.anchor, result.status) == ("card-lost-freeze", unit.anchor, "answered")
        assert result.confidence == 1.0 and result.signals["exact_question"] == 1.0
    assert "exact_question" not in small(unit.similar[1] + " please tell me about fees").signals


def test_ui_language_decides_when_the_query_cannot(small):
    assert small("ATM", ui_lang="zh-Hans").lang == "zh-Hans"
    assert small("信用卡", ui_lang="en").lang == "zh-Hant"  # Chinese, script unknown: Traditional


@pytest.mark.parametrize("query, status", [
    ("", "empty"), ("   \n\t ", "empty"), ("🙂🙂🙂", "empty"), ("?!。，", "empty"),
    ("\u200b\u200b\x00\x07", "empty"),
])
def test_queries_without_words_get_a_friendly_empty_result(small, query, status):
    result = small(query)
    assert result.status == status and result.best is None and result.contact


def test_an_absurdly_long_query_is_capped_not_an_error(small):
    result = small("my card was stolen " * 600)  # 11,400 characters
    assert result.truncated and len(result.query) <= 500
    assert topic(result) == "card-lost-freeze"


@pytest.mark.parametrize("query", ["'; DROP TABLE searches; --", "<script>alert(1)</script>",
                                   "卡片 lost 🙂 карта カード", "%s %d {0} ${x}", "\\x00\\n"])
def test_hostile_looking_queries_are_just_text(small, query):
    result = small(query)
    assert result.status in ("answered", "unsure", "empty")
