"""Search: one function that the portal and the evaluation both call.

A question is cleaned and capped, embedded by every configured model and tokenised for BM25
(with synonyms); the ranked passage lists are fused, grouped per topic (a topic is one article
in all its languages), and the best topic is shown in the customer's language at the same place.
A calibrated confidence decides whether to answer or to say so and offer a person.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Mapping, Protocol, Sequence

import numpy as np

from kb import confidence, keywords, language
from kb.articles import LANGS, Article, Passage, Unit
from kb.embedders import Embedder
from kb.fusion import max_score, reciprocal_rank_fusion
from kb.keywords import Synonyms
from kb.normalize import clean, for_models, has_words
from kb.settings import Settings

SYSTEMS = ("hybrid", "dense", "keyword")  # both sides fused, or one alone (for evaluation)


@dataclass(frozen=True)
class Filters:
    """Limit a search to one category, article type or content language."""

    category: str | None = None
    type: str | None = None
    lang: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("category", self.category), ("type", self.type),
                                  ("lang", self.lang)) if v}

    def __bool__(self) -> bool:
        return bool(self.as_dict())


class SearchSnapshot(Protocol):
    """What search needs from an index (``indexer.index.Snapshot`` is the real one)."""

    articles: Mapping[str, Article]
    passages: Sequence[Passage]
    position: Mapping[str, int]
    synonyms: Synonyms
    contact: dict

    def dense(self, key: str, vector: np.ndarray, k: int, filters: Filters) -> list[tuple[str, float]]: ...

    def keyword(self, tokens: list[str], k: int, filters: Filters) -> list[tuple[str, float]]: ...

    def translations(self, article: Article) -> dict[str, Article]: ...


@dataclass(frozen=True)
class Hit:
    """One topic in the results, shown in the customer's language where it exists."""

    article: Article  # the version shown
    unit: Unit  # the Q/A pair, step or section that answers, in the version shown
    passage_id: str  # the passage that matched (possibly in another language)
    score: float
    matched_terms: tuple[str, ...] = ()  # words of the answer that match the query (best hit only)

    @property
    def anchor(self) -> str:
        return self.unit.anchor

    @property
    def found_in(self) -> str:
        """Id of the article whose passage matched: another language than ``article`` when the
        answer was found across languages."""
        return self.passage_id.split("#", 1)[0]


@dataclass(frozen=True)
class SearchResult:
    query: str  # as searched: cleaned and capped
    status: str  # answered | unsure | empty | no_results
    lang: str  # the customer's language: detected from the query, else the interface's
    confidence: float = 0.0
    calibrated: bool = False
    best: Hit | None = None
    others: tuple[Hit, ...] = ()  # further topics, best first
    related: tuple[Article, ...] = ()  # the best article's related articles, in ``lang``
    # When the top topics are too close to call: the best hit and the one or two closest rivals,
    # so the portal can ask "did you mean A or B?". Empty when the best answer stands clear.
    close: tuple[Hit, ...] = ()
    truncated: bool = False  # the query was longer than KB_QUERY_MAX_CHARS and was cut
    contact: dict = field(default_factory=dict)
    signals: dict = field(default_factory=dict)
    timings_ms: dict = field(default_factory=dict)

    @property
    def unsure(self) -> bool:
        return self.status in ("unsure", "no_results")


def search(query: str, snapshot: SearchSnapshot, embedders: Mapping[str, Embedder],
           settings: Settings, *, ui_lang: str = "en", filters: Filters | None = None,
           system: str = "hybrid", limit: int | None = None) -> SearchResult:
    """Answer one customer question. Never raises for any query text."""
    started = time.perf_counter()
    filters = filters or Filters()
    limit = limit or settings.top_k
    text = clean(query or "")
    truncated = len(text) > settings.query_max_chars
    text = clean(text, settings.query_max_chars)
    lang = customer_language(text, ui_lang)
    base = dict(query=text, lang=lang, truncated=truncated, contact=snapshot.contact)
    if not has_words(text):
        return SearchResult(status="empty", **base)
    timings: dict[str, float] = {}
    keys = list(embedders) if system != "keyword" else []
    # Escalation: the first (fast) embedder and BM25 answer alone when they are sure enough;
    # only the remaining questions pay for the slower embedders (KB_ESCALATE_BELOW).
    stages = [keys[:1], keys[1:]] if len(keys) > 1 and settings.escalate_below < 1 else [keys]
    lists: dict[str, list[tuple[str, float]]] = {}
    expansion = snapshot.synonyms.expand(text)
    if system in ("hybrid", "keyword"):
        lists["keyword"] = _keyword(text, expansion, snapshot, settings, filters, timings)
    for number, stage in enumerate(stages):
        lists.update(_dense(text, snapshot, {k: embedders[k] for k in stage}, settings, filters, timings))
        ranking = _rank(lists, snapshot, settings)
        if ranking is None or number == len(stages) - 1 or ranking.confidence >= settings.escalate_below:
            break
    if ranking is None:
        return SearchResult(status="no_results", timings_ms=timings, **base)
    terms = keywords.query_terms(text) + expansion
    hits = [_hit(snapshot, ranking.best_passage[topic], score, lang, terms if rank == 0 else ())
            for rank, (topic, score) in enumerate(ranking.topics[:limit])]
    best = hits[0]
    timings["total"] = (time.perf_counter() - started) * 1000
    return SearchResult(
        status="answered" if ranking.confidence >= settings.confidence_threshold else "unsure",
        confidence=ranking.confidence, calibrated=ranking.calibrated, best=best, others=tuple(hits[1:]),
        related=tuple(related_articles(snapshot, best.article, lang)), signals=ranking.signals,
        timings_ms=timings, **base)


@dataclass(frozen=True)
class _Ranking:
    topics: list[tuple[str, float]]  # translation groups, best first
    best_passage: dict[str, str]  # topic -> the passage that answers
    signals: dict[str, float]
    confidence: float
    calibrated: bool


def _rank(lists: Mapping[str, Sequence[tuple[str, float]]], snapshot: SearchSnapshot,
          settings: Settings) -> _Ranking | None:
    """Fuse the retrievers' lists into ranked topics, with the confidence in the first.

    Topics are ranked by fusing each retriever's topic ranking, so a topic with many matching
    passages cannot crowd the others down a list (+3 points Success@1 on the tuning queries);
    within a topic, the passage that fused best is the answer shown.
    """
    topic_lists = {name: [(t, s) for t, (s, _) in _by_topic(ranking, snapshot).items()]
                   for name, ranking in lists.items()}
    topics = reciprocal_rank_fusion(topic_lists, settings.rrf_k)
    if not topics:
        return None
    passages = _by_topic(reciprocal_rank_fusion(lists, settings.rrf_k), snapshot)
    signals = confidence.signals(topics, max_score(lists, settings.rrf_k), topic_lists)
    probability, calibrated = confidence.confidence(signals, confidence.setup_key(list(lists)))
    return _Ranking(topics, {t: pid for t, (_, pid) in passages.items()}, signals, probability, calibrated)


def customer_language(text: str, ui_lang: str) -> str:
    """The language to answer in: the query's own if we can tell, else the interface's."""
    found = language.detect(text) if text else None
    if found == language.EN and ui_lang in LANGS and language.is_bare_latin(text):
        return ui_lang  # "ATM", "OTP fee": no sign of English beyond the letters themselves
    if found in LANGS:
        return found
    if found == "zh":  # Han characters shared by both scripts
        return ui_lang if ui_lang.startswith("zh") else language.HANT
    return ui_lang if ui_lang in LANGS else language.EN


def _dense(text: str, snapshot: SearchSnapshot, embedders: Mapping[str, Embedder], settings: Settings,
           filters: Filters, timings: dict) -> dict[str, list[tuple[str, float]]]:
    lists = {}
    model_text = for_models(text, settings.to_simplified)
    for key, embedder in embedders.items():
        t0 = time.perf_counter()
        vector = embedder.embed_query(model_text)
        t1 = time.perf_counter()
        lists[f"dense:{key}"] = snapshot.dense(key, vector, settings.candidates, filters)
        timings[f"embed:{key}"] = (t1 - t0) * 1000
        timings[f"dense:{key}"] = (time.perf_counter() - t1) * 1000
    return lists


def _keyword(text: str, expansion: list[str], snapshot: SearchSnapshot, settings: Settings,
             filters: Filters, timings: dict) -> list[tuple[str, float]]:
    t0 = time.perf_counter()
    tokens = keywords.tokens(text)
    if expansion:
        tokens += keywords.tokens(" ".join(expansion))
    ranking = snapshot.keyword(tokens, settings.candidates, filters)
    timings["keyword"] = (time.perf_counter() - t0) * 1000
    return ranking


def _by_topic(ranking: Sequence[tuple[str, float]], snapshot: SearchSnapshot) -> dict[str, tuple[float, str]]:
    """Topic (translation group) -> (score, best passage id), best topic first; each topic once."""
    groups: dict[str, tuple[float, str]] = {}
    for passage_id, score in ranking:
        position = snapshot.position.get(passage_id)
        if position is None:
            continue
        article = snapshot.articles[snapshot.passages[position].article_id]
        groups.setdefault(article.translation_group, (score, passage_id))
    return groups


def _hit(snapshot: SearchSnapshot, passage_id: str, score: float, lang: str,
         terms: Sequence[str]) -> Hit:
    passage = snapshot.passages[snapshot.position[passage_id]]
    found = snapshot.articles[passage.article_id]
    shown = snapshot.translations(found).get(lang, found)
    unit = _unit_at(shown, passage.anchor)
    if unit is None:  # the translation is structured differently: show the version that matched
        shown, unit = found, _unit_at(found, passage.anchor)
    words = f"{unit.heading}\n{unit.text}"
    matched = tuple(dict.fromkeys(words[a:b] for a, b in keywords.highlight_spans(words, terms)))
    return Hit(article=shown, unit=unit, passage_id=passage_id, score=score, matched_terms=matched)


def _unit_at(article: Article, anchor: str) -> Unit | None:
    return next((u for u in article.units if u.anchor == anchor), None)


def related_articles(snapshot: SearchSnapshot, article: Article, lang: str) -> list[Article]:
    """The article's own ``related`` list, each in the customer's language where it exists."""
    out = []
    for related_id in article.related:
        other = snapshot.articles.get(related_id)
        if other is not None:
            version = snapshot.translations(other).get(lang, other)
            if version.id not in {a.id for a in out}:
                out.append(version)
    return out


def similar_articles(snapshot: SearchSnapshot, embedders: Mapping[str, Embedder], settings: Settings,
                     article: Article, lang: str, limit: int = 3) -> list[Article]:
    """Other topics most like ``article`` (searched by its title and opening), in ``lang``."""
    opening = article.units[0].text[:200] if article.units else ""
    result = search(f"{article.title} {opening}", snapshot, embedders, settings, ui_lang=lang,
                    limit=limit + 1)
    hits = ((result.best,) if result.best else ()) + result.others
    return [h.article for h in hits if h.article.translation_group != article.translation_group][:limit]
