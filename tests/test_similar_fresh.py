"""The bundled similar questions are written fresh: none equals or nearly equals a labelled
evaluation query. A similar question that copies a query would let search "learn" the test set,
and every figure measured on it would overstate what customers get."""
from __future__ import annotations

import difflib
import json

import pytest

from kb.content import load_content
from kb.settings import PROJECT_ROOT
from kb.similar import key

QUERIES = sorted((PROJECT_ROOT / "eval" / "queries").glob("*.jsonl"))
# Two phrasings this alike (difflib ratio over their folded letters and digits) differ only by a
# typo, a particle or a word order change: for evaluation they are the same question.
NEARLY_EQUAL = 0.85


def nearly_equal(a: str, b: str) -> bool:
    a, b = key(a), key(b)
    if not a or not b:
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    # The cheap upper bounds first: millions of pairs are compared, nearly all far apart.
    return a == b or (matcher.real_quick_ratio() >= NEARLY_EQUAL and matcher.quick_ratio() >= NEARLY_EQUAL
                      and matcher.ratio() >= NEARLY_EQUAL)


def test_nearly_equal_sees_through_case_script_punctuation_and_typos():
    assert nearly_equal("Lost my card!", "lost my card")
    assert nearly_equal("卡片遺失怎麼辦？", "卡片遗失怎么办")
    assert nearly_equal("how do i reset my pasword", "how do I reset my password?")
    assert not nearly_equal("how do i reset my password", "how do i freeze my card")
    assert not nearly_equal("轉帳限額", "信用卡年費")


@pytest.mark.slow
def test_no_similar_question_copies_an_evaluation_query():
    content = load_content(PROJECT_ROOT / "content")
    queries = [(path.name, json.loads(line)) for path in QUERIES
               for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_lang: dict[str, list[tuple[str, dict]]] = {}
    for name, query in queries:
        by_lang.setdefault(query["lang"], []).append((name, query))
    copies = []
    for article in content.articles.values():
        for unit in article.units:
            for question, line in zip(unit.similar, unit.similar_lines or (0,) * len(unit.similar)):
                for name, query in by_lang.get(article.lang, ()):
                    if nearly_equal(question, query["text"]):
                        copies.append(f"{article.path}:{line}: {question!r} ~ {name} {query['id']} "
                                      f"{query['text']!r}")
    assert sum(len(u.similar) for a in content.articles.values() for u in a.units) > 1000
    assert not copies, "similar questions that copy evaluation queries:\n" + "\n".join(copies)
