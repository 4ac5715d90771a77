"""Language detection, normalisation, sentence splitting and keyword tokens: pure functions."""
from __future__ import annotations

import pytest

from kb.chunking import chunk, pack, sentences
from kb.keywords import Synonyms, highlight_spans, query_terms, tokens
from kb.language import contradiction, detect
from kb.normalize import clean, fold, has_words
from kb.parsing import parse_article
from tests.articles import article_text


@pytest.mark.parametrize("text, lang", [
    ("忘記登入密碼怎麼辦", "zh-Hant"),  # langdetect alone says Korean
    ("忘记登录密码怎么办", "zh-Hans"),
    ("ATM取款限额", "zh-Hans"),  # langdetect alone says Vietnamese
    ("台灣的ATM", "zh-Hant"),  # 台 is in both scripts: the Traditional 灣 decides
    ("信用卡", "zh"),  # characters common to both scripts
    ("reset login password", "en"),  # langdetect alone says Afrikaans
    ("How do I freeze my card if I lost it on holiday?", "en"),
    ("Je voudrais ouvrir un compte bancaire en ligne aujourd'hui", "fr"),
    ("カードを紛失しました", "ja"),
    ("카드 분실 신고", "ko"),
    ("12345", None),
    ("", None),
])
def test_detect(text, lang):
    assert detect(text) == lang


@pytest.mark.parametrize("declared, text, fits", [
    ("zh-Hant", "請打開行動銀行，點選凍結卡片，這張卡就無法刷卡消費。", True),
    ("zh-Hant", "请打开手机银行，点击冻结银行卡，这张卡就不能刷卡消费了。", False),
    ("zh-Hans", "请打开手机银行，点击冻结银行卡，这张卡就不能刷卡消费了。", True),
    ("zh-Hans", "請打開行動銀行，點選凍結卡片，這張卡就無法刷卡消費。", False),
    ("zh-Hans", "台湾的客户请拨打客服电话，我们会尽快为您处理。", True),
    ("en", "Open the app and tap Freeze card. Your card stops working at once.", True),
    ("en", "請打開行動銀行，點選凍結卡片，這張卡就無法刷卡消費。", False),
    ("zh-Hant", "Open the app and tap Freeze card. Your card stops working at once.", False),
    # Short real questions: judged by their share of Han characters, not by a count of ten.
    ("zh-Hans", "怎么撤销借款", True),
    ("zh-Hans", "会有逾期记录吗", True),
    ("zh-Hans", "信用卡PIN忘了", True),
    ("zh-Hant", "信用卡PIN忘了", True),
    ("zh-Hant", "怎麼撤銷借款", True),
    ("zh-Hant", "怎么撤销借款", False),  # short, and Simplified
    ("zh-Hans", "reset login password", False),
    ("zh-Hant", "ATM", False),
    ("en", "reset login password", True),
    ("en", "怎么撤销借款", False),
    ("zh-Hans", "12345", True),  # nothing to judge
])
def test_contradiction(declared, text, fits):
    assert (contradiction(declared, text) is None) is fits


@pytest.mark.parametrize("raw, cleaned", [
    ("  ＡＴＭ　提款\u200b限額  ", "ATM 提款 限額"),
    ("line\none\ttab\x00nul\u202eRTL", "line one tab nul RTL"),
    ("", ""),
])
def test_clean(raw, cleaned):
    assert clean(raw) == cleaned


def test_clean_caps_length_at_a_space():
    text = "word " * 200
    capped = clean(text, 100)
    assert len(capped) <= 100 and not capped.endswith(" ") and capped.endswith("word")


def test_fold_keeps_length_and_folds_script_and_case():
    assert fold("網銀 ATM") == "网银 atm"
    assert len(fold("裡面後來發現")) == 6


@pytest.mark.parametrize("text, words", [("?!。", False), ("🙂🙂", False), ("a", True), ("卡", True)])
def test_has_words(text, words):
    assert has_words(text) is words


def test_sentences_split_on_chinese_and_english_punctuation():
    assert sentences("第一句。第二句！Third one. Fourth? NT$1.5 fee\nNext") == [
        "第一句。", "第二句！", "Third one.", "Fourth?", "NT$1.5 fee", "Next"]


def test_pack_never_cuts_a_sentence():
    text = "一二三四五。六七八九十。甲乙丙丁。"
    assert pack(text, 11) == ["一二三四五。", "六七八九十。甲乙丙丁。"]
    assert pack("Short.", 3) == ["Short."]  # one sentence longer than the limit stays whole


def test_long_answers_become_several_passages_of_one_unit():
    answer = " ".join(f"Sentence number {i} says something useful." for i in range(40))
    article = parse_article(article_text(body=f"## Q?\n{answer}\n").encode(), "a.md").article
    passages = list(chunk(article, 300))
    assert len(passages) > 4
    assert {p.anchor for p in passages} == {"q1"}
    assert [p.part for p in passages] == list(range(len(passages)))
    assert passages[1].id == "card-lost.en#q1/1"
    assert all(len(p.text) <= 300 for p in passages)
    assert " ".join(p.text for p in passages) == answer


def test_tokens_mix_jieba_words_bigrams_and_stemmed_english():
    assert tokens("忘記密碼") == ["忘记", "密码", "忘记", "记密", "密码"]
    assert tokens("Transfers to my accounts") == ["transfer", "account"]


def test_query_terms_skip_stop_words():
    assert query_terms("How do I freeze my card?") == ["freeze", "card"]
    assert query_terms("我的卡片被盜刷了怎麼辦") == ["卡片", "被盗", "怎么办"]  # jieba's segmentation


def test_synonyms_expand_across_scripts_within_the_querys_language():
    synonyms = Synonyms([["掛失", "停卡", "lost card", "freeze card"], ["網銀", "online banking"]])
    assert synonyms.expand("我要挂失") == ["停卡"]  # Simplified finds Traditional; no English words
    assert synonyms.expand("I have a lost card") == ["freeze card"]  # no Chinese words
    assert synonyms.expand("I have a lost card", "zh-Hant") == ["挂失", "停卡"]  # searching Chinese content
    assert synonyms.expand("我要挂失", "en") == ["lost card", "freeze card"]
    assert synonyms.expand("transfer money") == []


def test_highlight_spans_match_original_text_positions():
    text = "請到「卡片」頁面凍結卡片 and Freeze Cards"
    spans = highlight_spans(text, ["卡片", "freeze", "card"])
    assert [text[a:b] for a, b in spans] == ["卡片", "卡片", "Freeze", "Cards"]
