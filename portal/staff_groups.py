"""Failed searches grouped by meaning, for the staff area (no Streamlit here).

Each query is represented the way search sees it: its embedding from the search's first
embedder, joined with the topics search ranks for it (weight 0.5 per rank down, so two
wordings that lead to the same articles sit close even across languages). The ranked topics
count as much as search is sure of them (their share is 0.7 times search's confidence): the
ranking of a question nothing answers says little about what it asks. Queries are grouped
by scikit-learn's agglomerative clustering: average linkage over cosine distance, cut at a
distance chosen on labelled paraphrases. The tuning queries (``eval/queries/tune.jsonl``) give
the paraphrases: two queries whose relevant articles are one topic ask the same thing, in other
words and often in other languages; queries with no answer each stand alone. The threshold with
the best pairwise F0.5 on them (precision weighed twice: see ``choose_threshold``) is stored in
``portal/group_threshold.json`` with its precision and recall; ``KB_CONTENT_DIR=...
KB_DATA_DIR=... python -m portal.staff_groups`` measures it again on a built index.

The embedding alone groups these paraphrases poorly (USE's best pairwise F1 on the first 250
tuning queries was 0.17: cross-language and colloquial wordings of one need are often less alike
than two needs in one language); with the ranked topics, weighed by confidence, about 0.56.
"""
from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from kb.normalize import for_models
from kb.settings import PROJECT_ROOT

THRESHOLD_FILE = Path(__file__).with_name("group_threshold.json")
DEFAULT_THRESHOLD = 0.5
CANDIDATES = tuple(round(0.1 + 0.025 * n, 3) for n in range(29))  # 0.1 .. 0.8
PROFILE_WEIGHT = 0.7  # share of the squared length given to the ranked topics, times confidence
PROFILE_DEPTH = 10  # topics of the ranking used


def threshold() -> dict:
    """The stored threshold and how it was chosen: ``distance``, ``precision``, ``recall``,
    ``f1``, ``pairs``, ``queries``, ``source``."""
    try:
        return json.loads(THRESHOLD_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"distance": DEFAULT_THRESHOLD, "source": "default (no measurement stored)"}


def cluster(vectors: np.ndarray, distance: float) -> list[list[int]]:
    """Row indexes of ``vectors`` in groups of meaning: agglomerative clustering, average linkage,
    cosine distance, merged while the groups' average distance stays below ``distance``.
    Largest group first; within a group, input order."""
    count = len(vectors)
    if count == 0:
        return []
    if count == 1:
        return [[0]]
    from sklearn.cluster import AgglomerativeClustering
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=distance).fit_predict(vectors)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def pairwise_scores(groups: Sequence[Sequence[int]], labels: Sequence[str]) -> dict:
    """How well ``groups`` match ``labels`` over pairs of items: a pair is right when both are in
    one group and share a label. Returns ``precision``, ``recall``, ``f1``, ``f0.5`` (precision
    weighed twice) and ``pairs`` (labelled same-need pairs)."""
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    together = same = both = 0
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            grouped = group_of[i] == group_of[j]
            alike = labels[i] == labels[j]
            together += grouped
            same += alike
            both += grouped and alike
    precision = both / together if together else 1.0
    recall = both / same if same else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    f_half = 1.25 * precision * recall / (0.25 * precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "f0.5": round(f_half, 4), "pairs": same}


def choose_threshold(vectors: np.ndarray, labels: Sequence[str],
                     candidates: Sequence[float] = CANDIDATES) -> dict:
    """The candidate distance with the best pairwise F0.5 (ties: the smaller distance, which
    merges less), with its scores and every candidate's scores under ``tried``. Precision weighs
    twice: a group that mixes two needs misleads an action (its queries would all be confirmed
    for one answer); a need split in two groups only costs a second look."""
    tried = [{"distance": d, **pairwise_scores(cluster(vectors, d), labels)} for d in candidates]
    best = max(tried, key=lambda row: (row["f0.5"], -row["distance"]))
    return {**best, "queries": len(labels), "tried": tried}


class QueryVectors:
    """Query representations for grouping (see the module docstring), remembered per index build
    (up to ``size`` queries) so the staff page never embeds or searches a query twice. Each
    query takes the model's lock on its own, so a customer's search waits for at most one staff
    query, never for a whole batch."""

    def __init__(self, snapshot, embedders: Mapping, settings, size: int = 20_000):
        self.snapshot, self.embedders, self.settings, self.size = snapshot, embedders, settings, size
        self.embedder = next(iter(embedders.values()))
        self.topics = {t: i for i, t in enumerate(sorted({a.translation_group
                                                         for a in snapshot.articles.values()}))}
        self._known: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, queries: Sequence[tuple[str, str]]) -> np.ndarray:
        """One row per (query text, query language)."""
        rows = []
        for query in queries:
            with self._lock:
                vector = self._known.get(query)
            if vector is None:
                vector = self._represent(*query)
                with self._lock:
                    self._known[query] = vector
                    while len(self._known) > self.size:
                        self._known.popitem(last=False)
            rows.append(vector)
        return np.vstack(rows) if rows else np.zeros((0, 1), dtype=np.float32)

    def _represent(self, text: str, lang: str) -> np.ndarray:
        from kb.search import search
        embedded = np.asarray(self.embedder.embed_query(for_models(text, self.settings.to_simplified)),
                              dtype=np.float32).reshape(-1)
        profile = np.zeros(len(self.topics), dtype=np.float32)
        result = search(text, self.snapshot, self.embedders, self.settings, ui_lang=lang or "en",
                        limit=PROFILE_DEPTH)
        hits = ((result.best,) if result.best else ()) + tuple(result.others)
        for rank, hit in enumerate(hits):
            profile[self.topics[hit.article.translation_group]] = 0.5 ** rank
        weight = PROFILE_WEIGHT * min(max(float(result.confidence), 0.0), 1.0)
        return np.concatenate([_unit(embedded) * np.sqrt(1 - weight), _unit(profile) * np.sqrt(weight)])


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def failed_groups(failed: Sequence[dict], vectors: np.ndarray, distance: float,
                  topic_of: Callable[[str], str] | None = None) -> list[dict]:
    """Failed searches (rows of ``analytics.search_outcomes`` / ``failed_searches``) grouped by
    meaning, largest first. Each group: ``group`` (a stable key: the smallest search id),
    ``searches``, ``question`` (its most frequent wording), ``examples`` (up to five distinct
    wordings), ``languages``, ``answer`` (the article customers were given most often, or ""),
    ``answer_share`` (how often that one was given), ``helpful_share`` (of the "Yes"/"No"
    answers in the group, the share of "Yes"; None without any), ``reasons`` (reason -> count),
    ``queries`` (every distinct wording) and ``search_ids``.
    ``topic_of`` maps an article id to its topic so translations count as one answer."""
    topic_of = topic_of or (lambda article_id: article_id)
    groups = []
    for members in cluster(vectors, distance):
        rows = [failed[i] for i in members]
        wordings = Counter(" ".join(r["query"].split()) for r in rows)
        question = max(wordings, key=lambda w: (wordings[w], -list(wordings).index(w)))
        answers = Counter(r["top_article_id"] for r in rows if r["top_article_id"])
        by_topic = Counter(topic_of(a) for a in answers.elements())
        answer = ""
        if by_topic:
            topic = by_topic.most_common(1)[0][0]
            answer = max((a for a in answers if topic_of(a) == topic), key=answers.get)
        said = [r["helpful"] for r in rows if r.get("helpful") is not None]
        reasons = Counter(reason for r in rows for reason in _reasons(r))
        groups.append({
            "group": min(r["search_id"] for r in rows), "searches": len(rows), "question": question,
            "examples": list(wordings)[:5], "languages": sorted({r["query_lang"] or "?" for r in rows}),
            "answer": answer,
            "answer_share": round(by_topic[topic_of(answer)] / len(rows), 4) if answer else 0.0,
            "helpful_share": round(sum(said) / len(said), 4) if said else None,
            "reasons": dict(reasons), "queries": list(wordings), "search_ids": [r["search_id"] for r in rows]})
    return groups


def _reasons(row: Mapping) -> list[str]:
    reasons = row.get("reasons") or []
    return reasons.split(",") if isinstance(reasons, str) else list(reasons)


def measure(queries_path: Path = PROJECT_ROOT / "eval" / "queries" / "tune.jsonl") -> dict:
    """Choose the threshold on the labelled paraphrases of ``queries_path`` with the real
    embedders and the index at ``KB_DATA_DIR``, write it to ``THRESHOLD_FILE`` and return it."""
    import os
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from indexer.index import Index
    from kb.embedders import create_all
    from kb.settings import Settings
    settings = Settings.from_env()
    embedders = create_all(settings.embedders, settings.threads, settings.st_model)
    snapshot = Index.open(settings, embedders).snapshot()
    queries, labels = [], []
    for number, line in enumerate(queries_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        topics = {r.split("#")[0].rsplit(".", 1)[0] for r in record["relevant"]}
        queries.append((record["text"], record["lang"]))
        # No answer, or several topics: a need of its own.
        labels.append(topics.pop() if len(topics) == 1 else f"alone-{number}")
    chosen = choose_threshold(QueryVectors(snapshot, embedders, settings)(queries), labels)
    result = {**{k: chosen[k] for k in ("distance", "precision", "recall", "f1", "f0.5", "pairs", "queries")},
              "embedder": settings.embedders[0], "profile_weight": PROFILE_WEIGHT,
              "source": f"{queries_path.relative_to(PROJECT_ROOT).as_posix()}: queries with one relevant "
                        "topic are paraphrases of each other; queries without an answer stand alone",
              "tried": chosen["tried"]}
    THRESHOLD_FILE.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    found = measure()
    print(f"cosine distance {found['distance']}: pairwise precision {found['precision']}, "
          f"recall {found['recall']}, F0.5 {found['f0.5']} over {found['queries']} queries "
          f"({found['pairs']} same-need pairs); written to {THRESHOLD_FILE}")
