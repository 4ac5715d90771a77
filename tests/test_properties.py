"""Property-based tests: whatever text or bytes arrive, the parser, chunker, normaliser, redactor
and search raise nothing but our own errors. How long they take is measured by
``python -m eval bench-text``, not asserted here: a busy machine must not fail the suite."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kb.chunking import chunk, pack
from kb.errors import KbError
from kb.keywords import highlight_spans, query_terms, tokens
from kb.language import detect
from kb.normalize import clean, fold, has_words
from kb.parsing import parse_article
from kb.redact import findings, redact

# Characters customers and editors actually produce, plus the troublesome ones.
TEXT = st.text(alphabet=st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(list("卡片遺失凍結掛失银行卡丢了转账限额 ATM OTP\n\r\t\u200b\u202e\ufeff"
                         "#*-|>`[]()!<>:0123456789@.")),
), max_size=400)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def front_matter_text(body: str, **fields) -> str:
    lines = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\n{lines}---\n{body}"


@FAST
@given(st.binary(max_size=2000))
def test_parser_takes_any_bytes(raw):
    result = parse_article(raw, "any.md")
    assert (result.article is None) == bool(result.errors)


@FAST
@given(body=TEXT, title=TEXT, lang=st.sampled_from(["en", "zh-Hant", "zh-Hans", "xx", ""]),
       kind=st.sampled_from(["faq", "tutorial", "other"]), tags=TEXT)
def test_parser_takes_any_front_matter_and_body(body, title, lang, kind, tags):
    text = front_matter_text(body, id="a.en", title=title.replace("\n", " "), lang=lang, type=kind,
                             category="cards", tags=tags.replace("\n", " "), translation_group="a",
                             updated="2026-01-01")
    result = parse_article(text.encode("utf-8", "surrogatepass"), "any.md")
    for problem in result.problems:
        assert problem.path == "any.md" and problem.line >= 1 and problem.field


@FAST
@given(questions=st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=8), limit=st.integers(20, 600))
def test_chunker_never_loses_words_or_cuts_sentences(questions, limit):
    body = "".join(f"## Q{i} {q.strip()}?\nAnswer {a}\n\n" for i, (q, a) in enumerate(questions))
    article = parse_article(front_matter_text(body, id="a.en", title="T", lang="en", type="faq",
                                              category="c", tags="[]", translation_group="a",
                                              updated="2026-01-01").encode("utf-8", "surrogatepass"),
                            "a.md").article
    if article is None:
        return
    passages = list(chunk(article, limit))
    assert {p.anchor for p in passages} == {u.anchor for u in article.units}
    for passage in passages:
        assert passage.id.startswith("a.en#")


@FAST
@given(TEXT, st.integers(1, 300))
def test_pack_keeps_every_sentence(text, limit):
    def visible(s: str) -> str:
        return "".join(c for c in s if not c.isspace())
    parts = pack(text, limit)
    assert visible("".join(parts)) == visible(text)


@FAST
@given(TEXT, st.integers(1, 600))
def test_normaliser(text, cap):
    cleaned = clean(text, cap)
    assert len(cleaned) <= cap and clean(cleaned) == cleaned
    assert len(fold(cleaned)) == len(cleaned)
    has_words(cleaned)
    detect(cleaned)
    tokens(cleaned)
    terms = query_terms(cleaned)
    for start, end in highlight_spans(cleaned, terms):
        assert 0 <= start < end <= len(cleaned)


@FAST
@given(TEXT)
def test_redactor(text):
    once = redact(text)
    assert redact(once) == once  # nothing left to find
    spans = findings(text)
    assert all(a[2] <= b[1] for a, b in zip(spans, spans[1:]))


@pytest.mark.model
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(query=st.one_of(TEXT, st.text(max_size=12000)), ui=st.sampled_from(["en", "zh-Hant", "zh-Hans", "??"]))
def test_search_answers_anything(search_small, query, ui):
    try:
        result = search_small(query, ui_lang=ui)
    except KbError:
        return  # our own errors are allowed; nothing else is
    assert result.status in ("answered", "unsure", "empty", "no_results")
    assert len(result.query) <= 500


@pytest.fixture(scope="module")
def search_small(small_index, use_embedder):
    from indexer.index import Index
    from kb.search import search
    embedders = {"use": use_embedder}
    snapshot = Index.open(small_index, embedders).snapshot()
    return lambda query, **kw: search(query, snapshot, embedders, small_index, **kw)
