"""What the ranker sees of each candidate answer: one row of numbers per unit.

A candidate is a unit (a Q/A pair, step or section) of a topic, identified by its topic (the
translation group) and its language-neutral anchor, so every language version of a unit, every
part of a long one and every similar question (相似問法) of it count for the same answer.

Per retriever (``dense:<model>`` lists hold cosines, ``keyword`` BM25 scores), from the ranked
passage lists of one query:
- ``score`` / ``gap``: the unit's best direct passage (not a similar question) and its distance to
  the query's best score in that list (the part of the evidence reciprocal rank fusion throws
  away); BM25 as a ratio to the list's best, so no query's scale leaks into the model;
- ``any_gap`` (dense) / ``any`` (keyword): the same over the unit's similar questions too;
- ``rrank``, ``topic_rrank``, ``topic_gap``: reciprocal rank of the unit and of its topic, and
  the topic's distance to the best.

Of the unit within its own article, per retriever (``kb.features.unit_evidence``): its place
among the article's units and its lead over the best of them, and its own similar questions' best
score and mean of the best two; and the share of the query in its best similar questions (any
language version). Measured on the tuning queries, out of fold: answer Success@1 0.738 -> 0.756
(USE + BM25), 0.781 -> 0.788 with the content adapter; the holdout moved 0.752 -> 0.745 and
0.801 -> 0.820 (161 answerable queries: one query is 0.006).

And per unit: whether it has similar questions at all (without this, answers that have them win
every close call and one without any becomes unreachable: ../shared/MODELS.md), how many of them
matched, how much of the query its question heading and its article title hold, its kind, whether
it was found in the query's language or at least its script, and its BM25 score among passages
of the query's language.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from kb import keywords
from kb.articles import Article, Unit

SIMILAR = "similar"  # Passage.kind of a similar question
KINDS = ("intro", "question", "section", "step")


@dataclass
class Candidate:
    """One answer on offer: a unit of a topic, with its features."""

    topic: str
    anchor: str
    passage_id: str  # the passage to show it by: its own text where it was found, else a variant
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0  # set by the ranker (or the fallback fusion)


@dataclass
class _Seen:
    """What one retriever found of one unit."""

    direct: float | None = None
    any: float | None = None
    rank: int = 0


def retriever_names(lists: Mapping[str, Sequence]) -> list[str]:
    return sorted(lists)


@functools.lru_cache(maxsize=8192)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(keywords.tokens(text)) if text else frozenset()


def _script(lang: str) -> str:
    return "latin" if lang == "en" else "han"


def _unit(article: Article, anchor: str) -> Unit | None:
    return next((u for u in article.units if u.anchor == anchor), None)


def _similar_texts(snapshot, article: Article, anchor: str) -> list[str]:
    """The similar questions of one unit, in every language version of its article."""
    return [text for version in snapshot.translations(article).values()
            for unit in (_unit(version, anchor),) if unit is not None for text in unit.similar]


def unit_evidence(name: str, key: tuple[str, str], seen: Mapping[tuple[str, str], "_Seen"],
                  topic_units: Sequence[tuple[str, str]], similar: Sequence[float], top: float,
                  last: float) -> dict[str, float]:
    """What one retriever says of THIS unit against the other units of its own article (so the
    ranker can tell a topic's q1 from its q2), and of the unit's own similar questions.

    ``seen`` is what the retriever found of each unit, ``topic_units`` the units of the unit's
    topic in the order the retriever found them, ``similar`` the scores of the unit's own similar
    questions, best first; ``top`` and ``last`` the first and last scores of the retriever's list.
    - ``in_topic_rrank``: 1 / the unit's place among its topic's units (0: not found);
    - ``in_topic_lead``: its best score minus the best of the topic's other units (the list's last
      score stands in for a unit not found); BM25 as a ratio to the list's best;
    - ``similar_max`` / ``similar_top2``: its best similar question, and the mean of its best two
      (the list's last score for one not found), as a gap to the best score (dense) or a ratio
      to it (BM25), like the other features of the retriever.
    """
    dense = name.startswith("dense:")
    scale = 1.0 if dense else (top if top > 0 else 1.0)
    floor = last if dense else 0.0
    entry = seen.get(key)
    own = entry.any if entry and entry.any is not None else floor
    others = [seen[other].any for other in topic_units if other != key and seen[other].any is not None]
    rival = max(others) if others else floor
    padded = list(similar[:2]) + [floor] * (2 - len(similar[:2]))
    best, pair = padded[0], sum(padded) / 2
    return {
        f"{name}.in_topic_rrank": 1.0 / (list(topic_units).index(key) + 1) if key in topic_units else 0.0,
        f"{name}.in_topic_lead": (own - rival) / scale,
        f"{name}.similar_max": (top - best) if dense else best / scale,
        f"{name}.similar_top2": (top - pair) if dense else pair / scale,
    }


def _share(query: frozenset[str], text: str) -> float:
    return len(query & _tokens(text)) / len(query) if query else 0.0


def candidates(lists: Mapping[str, Sequence[tuple[str, float]]], snapshot, query: str,
               query_lang: str, hide_similar: frozenset[str] = frozenset()) -> list[Candidate]:
    """Every unit that any retriever found, with its features, in order of first appearance.

    ``lists`` maps a retriever name to its ranked ``(passage id, score)`` list; ``snapshot`` is
    the index searched (``kb.search.SearchSnapshot``). Passages it does not hold are skipped.
    ``hide_similar`` names topics to treat as if they had no similar questions (the calibration
    trains on such cases, so an answer nobody has written similar questions for stays reachable).
    """
    passages, position, articles = snapshot.passages, snapshot.position, snapshot.articles
    query_tokens = _tokens(query)
    found: dict[tuple[str, str], Candidate] = {}
    seen: dict[str, dict[tuple[str, str], _Seen]] = {}
    shown: dict[tuple[str, str], tuple[int, str, bool]] = {}  # unit -> (best rank, passage, direct)
    langs: dict[tuple[str, str], set[str]] = {}
    similar_hits: dict[tuple[str, str], set[str]] = {}
    topic_rank: dict[str, dict[str, tuple[int, float]]] = {}
    tops: dict[str, tuple[float, float]] = {}  # retriever -> (best score, last score)
    topic_similar: dict[str, dict[str, float]] = {}  # retriever -> topic -> best similar question
    in_lang: dict[tuple[str, str], float] = {}  # unit -> best BM25 among query-language passages
    best_in_lang = 0.0
    similar_scores: dict[str, dict[tuple[str, str], list[float]]] = {}  # retriever -> unit -> best first
    topic_units: dict[str, dict[str, list[tuple[str, str]]]] = {}  # retriever -> topic -> units found, in order
    for name, ranking in lists.items():
        if not ranking:
            continue
        tops[name] = (ranking[0][1], ranking[-1][1])
        units = seen.setdefault(name, {})
        topics = topic_rank.setdefault(name, {})
        similar_best = topic_similar.setdefault(name, {})
        unit_similar = similar_scores.setdefault(name, {})
        in_topic = topic_units.setdefault(name, {})
        # Equal scores share a rank (1, 2, 2, 4): two passages a retriever cannot tell apart must
        # not differ in any feature because of the order the list happened to put them in.
        rank, previous, topic_tie = 0, None, (None, 0)
        for place, (passage_id, score) in enumerate(ranking, start=1):
            if score != previous:
                rank, previous = place, score
            where = position.get(passage_id)
            if where is None:
                continue
            passage = passages[where]
            article = articles[passage.article_id]
            key = (article.translation_group, passage.anchor)
            direct = passage.kind != SIMILAR
            if not direct and key[0] in hide_similar:
                continue
            if key not in found:
                found[key] = Candidate(key[0], key[1], passage_id)
            if key not in units:
                in_topic.setdefault(key[0], []).append(key)
            entry = units.setdefault(key, _Seen(rank=rank))
            if direct and entry.direct is None:
                entry.direct = score
            if entry.any is None:
                entry.any = score
            if key[0] not in topics:
                topic_place = topic_tie[1] if score == topic_tie[0] else len(topics) + 1
                topics[key[0]] = (topic_place, score)
                topic_tie = (score, topic_place)
            best = shown.get(key)
            if best is None or (direct and not best[2]) or (direct == best[2] and rank < best[0]):
                shown[key] = (rank, passage_id, direct)
            langs.setdefault(key, set()).add(passage.lang)
            if not direct:
                similar_hits.setdefault(key, set()).add(passage_id)
                similar_best.setdefault(key[0], score)
                unit_similar.setdefault(key, []).append(score)
            if name == "keyword" and passage.lang == query_lang:
                in_lang[key] = max(in_lang.get(key, 0.0), score)
                best_in_lang = max(best_in_lang, score)
    for key, candidate in found.items():
        candidate.passage_id = shown[key][1]
        where = position[candidate.passage_id]
        passage = passages[where]
        article = articles[passage.article_id]
        unit = _unit(article, passage.anchor)
        f = candidate.features
        f["has_similar"] = float(key[0] not in hide_similar and any(u is not None and bool(u.similar) for u in
                                     (_unit(version, key[1]) for version in snapshot.translations(article).values())))
        for name, (top, last) in tops.items():
            entry = seen[name].get(key)
            topic = topic_rank[name].get(key[0])
            if name.startswith("dense:"):
                direct = entry.direct if entry and entry.direct is not None else last
                any_score = entry.any if entry and entry.any is not None else last
                f[f"{name}.score"] = direct
                f[f"{name}.gap"] = top - direct
                f[f"{name}.any_gap"] = top - any_score
                f[f"{name}.topic_gap"] = top - (topic[1] if topic else last)
                f[f"{name}.topic_similar_gap"] = top - topic_similar[name].get(key[0], last)
            else:
                scale = top if top > 0 else 1.0
                f[f"{name}.score"] = (entry.direct or 0.0) / scale if entry else 0.0
                f[f"{name}.any"] = (entry.any or 0.0) / scale if entry else 0.0
                f[f"{name}.topic_score"] = topic[1] / scale if topic else 0.0
                f[f"{name}.topic_similar"] = topic_similar[name].get(key[0], 0.0) / scale
            f.update(unit_evidence(name, key, seen[name], topic_units[name].get(key[0], []),
                                   similar_scores[name].get(key, []), top, last))
            f[f"{name}.rrank"] = 1.0 / entry.rank if entry else 0.0
            f[f"{name}.topic_rrank"] = 1.0 / topic[0] if topic else 0.0
        f["similar_hits"] = math.log1p(len(similar_hits.get(key, ())))
        heading = unit.heading if unit else passage.heading
        f["heading_match"] = _share(query_tokens, heading)
        f["title_match"] = _share(query_tokens, article.title)
        shares = sorted((_share(query_tokens, text) for text in ([] if key[0] in hide_similar else
                         _similar_texts(snapshot, article, key[1]))), reverse=True)
        f["similar_match"] = shares[0] if shares else 0.0
        f["similar_match2"] = sum(shares[:2]) / 2 if shares else 0.0
        kind = unit.kind if unit else passage.kind
        for name in KINDS:
            f[f"kind.{name}"] = float(kind == name)
        f["lang_match"] = float(query_lang in langs[key])
        f["script_match"] = float(_script(query_lang) in {_script(lang) for lang in langs[key]})
        f["keyword.in_lang"] = in_lang.get(key, 0.0) / best_in_lang if best_in_lang > 0 else 0.0
        # Of the query, the same for every candidate: how much evidence there is at all (the
        # confidence needs it; a ranker only compares candidates of one query).
        f["keyword.top_log"] = math.log1p(max(tops.get("keyword", (0.0, 0.0))[0], 0.0))
        f["query_words"] = math.log1p(len(query_tokens))
    return list(found.values())


