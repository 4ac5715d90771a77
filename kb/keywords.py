"""Keyword tokens for BM25: jieba words and character bigrams for Chinese, stemmed words for
English, and synonym expansion from the editors' list.

Both Chinese tokenisations are kept: character bigrams match colloquial and misspelt phrasing
that jieba segments differently, jieba words reward exact terms (../shared/MODELS.md: bigrams
matched or beat jieba alone on real Chinese bank sets).
"""
from __future__ import annotations

import functools
import logging
import re
from typing import Iterable, Sequence

from kb.language import is_han
from kb.normalize import fold

_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:[.'][a-z0-9]+)*")
_STOPWORDS = frozenset("""a an and are as at be by can do does for from how i if in is it its me my
of on or so than that the this to was what when where which who why will with you your we our
there their them they have has had not no yes please hi hello thanks thank would could should
i'm i've im""".split())
_CHINESE_STOP = frozenset("的 了 吗 呢 吧 啊 我 你 您 是 在 要 怎么 怎样 如何 什么 可以 一下 请问 想".split())


@functools.cache
def _jieba():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@functools.cache
def _stemmer():
    import Stemmer
    return Stemmer.Stemmer("english")


def _han_tokens(run: str) -> list[str]:
    words = [w for w in _jieba().lcut(run) if w not in _CHINESE_STOP]
    bigrams = [run[i:i + 2] for i in range(len(run) - 1)]
    return words + bigrams if len(run) > 1 else [run]


def tokens(text: str) -> list[str]:
    """BM25 tokens of any text in any of our languages."""
    out: list[str] = []
    latin: list[str] = []
    for match in _RUNS.finditer(fold(text)):
        run = match.group()
        if is_han(run[0]):
            out += _han_tokens(run)
        elif run not in _STOPWORDS:
            latin.append(run)
    return out + _stemmer().stemWords(latin)


def query_terms(text: str) -> list[str]:
    """The words of a query worth highlighting, folded: jieba words for Chinese, words for
    English, stop words left out."""
    terms: list[str] = []
    for match in _RUNS.finditer(fold(text)):
        run = match.group()
        if is_han(run[0]):
            terms += [w for w in _jieba().lcut(run) if w not in _CHINESE_STOP and (len(w) > 1 or len(run) == 1)]
        elif run not in _STOPWORDS and len(run) > 1:
            terms.append(run)
    return list(dict.fromkeys(terms))


class Synonyms:
    """Editor-maintained groups of words that mean the same thing, in any language."""

    def __init__(self, groups: Iterable[Sequence[str]]):
        self.groups: list[tuple[str, ...]] = []
        self._han: list[tuple[str, int]] = []  # (Chinese word, group): found by substring
        self._latin: dict[str, list[tuple[frozenset[str], str, int]]] = {}  # first token -> words
        for group in groups:
            words = tuple(dict.fromkeys(fold(str(w)).strip() for w in group if str(w).strip()))
            if len(words) < 2:
                continue
            number = len(self.groups)
            self.groups.append(words)
            for word in words:
                if is_han(word[0]):
                    self._han.append((word, number))
                elif word_tokens := tokens(word):
                    self._latin.setdefault(word_tokens[0], []).append((frozenset(word_tokens), word, number))

    def expand(self, text: str, lang: str | None = None) -> list[str]:
        """Words from every group that ``text`` mentions, other than the ones it already has, in
        the query's language only: Chinese words for a Chinese query (either script: matching
        folds them), English words for an English one. Words of another language would lead the
        keyword list with passages the customer cannot read ("PIN" pulling in Chinese passages).
        Without ``lang``, a query with any Chinese character counts as Chinese."""
        folded = fold(text)
        han = lang.startswith("zh") if lang else any(is_han(c) for c in folded)
        found = set(tokens(folded))
        present = {(word, group) for word, group in self._han if word in folded}
        present |= {(word, group) for token in found for needed, word, group in self._latin.get(token, ())
                    if needed <= found}
        extra: list[str] = []
        for group in sorted({group for _, group in present}):
            extra += [w for w in self.groups[group] if (w, group) not in present and is_han(w[0]) == han]
        return extra


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of ``terms`` in ``text``, matched case- and
    script-insensitively; English words also match their inflections (card -> cards)."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for term in sorted({fold(t) for t in terms}, key=len, reverse=True):
        if not term:
            continue
        pattern = re.escape(term) if is_han(term[0]) else rf"\b{re.escape(_stemmer().stemWord(term))}[a-z]*"
        for m in re.finditer(pattern, folded):
            if all(m.end() <= s or m.start() >= e for s, e in spans):
                spans.append((m.start(), m.end()))
    return sorted(spans)
