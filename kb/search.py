"""Search: one function that the portal and the evaluation both call.

A question is cleaned and capped, embedded by every configured model and tokenised for BM25
(with synonyms in its own language); every candidate answer the retrievers found is scored by the
learned ranker (``kb.ranker``; reciprocal rank fusion when no ranker is fitted for the setup), and
the best topic (one article in all its languages) is shown in the customer's language at the same
place. The ranker's calibrated confidence decides whether to answer or to say so and offer a
person; when the top topics are too close to call, the result says which.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Mapping, Protocol, Sequence

import numpy as np

from kb import adapter, confidence, keywords, language, ranker
from kb.articles import LANGS, Article, Passage, Unit
from kb.embedders import Embedder
from kb.features import Candidate, candidates
from kb.fusion import max_score, reciprocal_rank_fusion
from kb.keywords import Synonyms
from kb.normalize import clean, for_models, has_words
from kb.settings import Settings
from kb.similar import key as question_key

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
    lists = retrieve(text, lang, snapshot, embedders, settings, filters, system, timings)
    ranking = rank(lists, snapshot, settings, text, lang)
    if ranking is None:
        return SearchResult(status="no_results", timings_ms=timings, **base)
    terms = keywords.query_terms(text) + snapshot.synonyms.expand(text, lang)
    shown = ranking.topics[:limit]
    hits = [_hit(snapshot, candidate.passage_id, score, lang, terms if rank == 0 else ())
            for rank, (candidate, score) in enumerate(shown)]
    best = hits[0]
    close = tuple(hits[:1 + ranking.rivals]) if ranking.rivals else ()
    timings["total"] = (time.perf_counter() - started) * 1000
    return SearchResult(
        status="answered" if ranking.confidence >= settings.confidence_threshold else "unsure",
        confidence=ranking.confidence, calibrated=ranking.calibrated, best=best, others=tuple(hits[1:]),
        related=tuple(related_articles(snapshot, best.article, lang)), close=close,
        signals=ranking.signals, timings_ms=timings, **base)


def retrieve(text: str, lang: str, snapshot: SearchSnapshot, embedders: Mapping[str, Embedder],
             settings: Settings, filters: Filters, system: str = "hybrid",
             timings: dict | None = None) -> dict[str, list[tuple[str, float]]]:
    """Every retriever's ranked (passage id, score) list for one cleaned query. Every embedder
    runs on every query: the ranker weighs all their scores (a slower model skipped when the
    first looked sure would leave its features blank)."""
    timings = {} if timings is None else timings
    lists: dict[str, list[tuple[str, float]]] = {}
    if system in ("hybrid", "keyword"):
        # Synonyms in the language of the content searched: the query's own, or the one language
        # a filter searches (a Chinese question over English content needs the English words).
        lists["keyword"] = _keyword(text, snapshot.synonyms.expand(text, filters.lang or lang), snapshot,
                                    settings, filters, timings)
    if system != "keyword":
        lists.update(_dense(text, snapshot, embedders, settings, filters, timings))
    return lists


@dataclass(frozen=True)
class Ranking:
    topics: list[tuple[Candidate, float]]  # each topic's best unit and the topic's score, best first
    confidence: float
    calibrated: bool  # False: no fitted ranker for this setup, reciprocal rank fusion ranked
    rivals: int = 0  # how many topics after the first are too close to call
    signals: dict = field(default_factory=dict)


def rank(lists: Mapping[str, Sequence[tuple[str, float]]], snapshot: SearchSnapshot,
         settings: Settings, text: str, lang: str) -> Ranking | None:
    """Rank the topics and, within each, the unit that answers.

    With a ranker fitted for this setup (``python -m eval calibrate``), every candidate unit is
    scored by it; a topic scores as its best unit, and the confidence is the calibrated chance
    that the best unit is right. Without one, topics are ranked by fusing each retriever's topic
    ranking (reciprocal rank fusion) and the confidence is uncalibrated.
    """
    found = candidates(lists, snapshot, text, lang)
    if not found:
        return None
    model = ranker.load(settings.ranker_dir, ranker.setup_key(list(lists)))
    if model is None:
        return _exact_question_first(_fused(lists, found, snapshot, settings), found, snapshot, text)
    for candidate, score in zip(found, model.scores([c.features for c in found])):
        candidate.score = float(score)
    topics = _best_per_topic(found)
    probability, shares = model.confidence([score for _, score in topics], topics[0][0].features)
    rivals = sum(1 for share in shares[1:3] if shares[0] - share < model.close_margin)
    signals = {"top": topics[0][1], "share": float(shares[0]),
               "margin": float(shares[0] - (shares[1] if len(shares) > 1 else 0.0))}
    return _exact_question_first(Ranking(topics, probability, True, rivals, signals), found, snapshot, text)


def _exact_question_first(ranking: Ranking, found: Sequence[Candidate], snapshot: SearchSnapshot,
                          text: str) -> Ranking:
    """A query that is one of a unit's own questions, letter for letter once folded (its heading,
    or a reviewed similar question, learned ones included), is answered by that unit, sure:
    editors or staff said that is its answer. Only when exactly one unit has it. Evaluation queries
    never equal a similar question (tests/test_similar_fresh.py), so measured figures stay the
    ranker's own."""
    wanted = question_key(text)
    matches = {(c.topic, c.anchor): c for c in found if wanted and wanted in _question_keys(snapshot, c)}
    if len(matches) != 1:
        return ranking
    (exact,) = matches.values()
    top = max(score for _, score in ranking.topics)
    topics = [(exact, top)] + [(c, s) for c, s in ranking.topics if c.topic != exact.topic]
    return Ranking(topics, 1.0, ranking.calibrated, 0, {**ranking.signals, "exact_question": 1.0})


def _question_keys(snapshot: SearchSnapshot, candidate: Candidate) -> set[str]:
    """The folded questions of a candidate's unit, in every language version of its topic."""
    article = snapshot.articles[snapshot.passages[snapshot.position[candidate.passage_id]].article_id]
    return {question_key(q) for version in snapshot.translations(article).values()
            for unit in version.units if unit.anchor == candidate.anchor
            for q in (unit.heading, *unit.similar) if q}


def _best_per_topic(found: Sequence[Candidate]) -> list[tuple[Candidate, float]]:
    best: dict[str, Candidate] = {}
    for candidate in found:
        if candidate.topic not in best or candidate.score > best[candidate.topic].score:
            best[candidate.topic] = candidate
    return sorted(((c, c.score) for c in best.values()), key=lambda pair: -pair[1])


def _fused(lists: Mapping[str, Sequence[tuple[str, float]]], found: list[Candidate],
           snapshot: SearchSnapshot, settings: Settings) -> Ranking:
    """The fallback without a fitted ranker: topics by fusing each retriever's topic ranking, so a
    topic with many matching passages cannot crowd the others down a list; within a topic, the
    unit whose passages fused best."""
    by_unit = {(c.topic, c.anchor): c for c in found}
    for passage_id, score in reciprocal_rank_fusion(lists, settings.rrf_k):
        key = _unit_key(snapshot, passage_id)
        if key in by_unit:
            by_unit[key].score += score
    topic_lists = {name: [(t, s) for t, (s, _) in _by_topic(ranking, snapshot).items()]
                   for name, ranking in lists.items()}
    topics = reciprocal_rank_fusion(topic_lists, settings.rrf_k)
    units = {c.topic: c for c, _ in _best_per_topic(found)}
    signals = confidence.signals(topics, max_score(lists, settings.rrf_k), topic_lists)
    return Ranking([(units[t], score) for t, score in topics if t in units],
                   confidence.uncalibrated(signals), False, 0, signals)


def _unit_key(snapshot: SearchSnapshot, passage_id: str) -> tuple[str, str] | None:
    position = snapshot.position.get(passage_id)
    if position is None:
        return None
    passage = snapshot.passages[position]
    return snapshot.articles[passage.article_id].translation_group, passage.anchor


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
        # The build's content adapter for this model, when it has one (kb.adapter).
        vector = adapter.apply(getattr(snapshot, "adapters", {}).get(key), embedder.embed_query(model_text))
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
