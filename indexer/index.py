"""Open the live index for searching, and follow it when a new build is published.

A ``Snapshot`` is one immutable build in memory: catalog, passages, BM25 and Chroma
collections. ``Index`` holds the current snapshot and swaps in a new one when the pointer moves,
so searches running in other threads keep the snapshot they started with.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Mapping

import numpy as np

from kb.articles import Article, Passage, article_from_dict
from kb.chunking import chunk
from kb.embedders import Embedder
from kb.errors import IndexMismatch, IndexNotReady, KbError
from kb.keywords import Synonyms
from kb.search import Filters
from kb.settings import Settings
from indexer import vectors
from indexer.build import embedder_config, passage_config, store_name
from indexer.keyword_index import KeywordIndex
from indexer.layout import Layout, read_json

log = logging.getLogger(__name__)
REBUILD = "python -m indexer build --full"
RETIRE_AFTER = 60.0  # seconds a replaced build stays open for searches that started on it


class Snapshot:
    """One published build, loaded for searching."""

    def __init__(self, settings: Settings, build_id: str, embedders: Mapping[str, Embedder]):
        self.build_id = build_id
        folder = Layout(settings.index_dir).build_dir(build_id)
        try:
            manifest = read_json(folder / "manifest.json")
            catalog = read_json(folder / "catalog.json")
            if not isinstance(manifest, dict) or not isinstance(manifest.get("articles"), dict):
                raise ValueError("manifest.json is not a build manifest")
            self.articles: dict[str, Article] = {k: article_from_dict(v) for k, v in catalog["articles"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:  # any damage
            raise IndexNotReady(f"index build {build_id} is unreadable ({exc}); run "
                                f"'{REBUILD}'") from exc
        _check_compatible(manifest, settings, embedders)
        self.categories: dict[str, dict[str, str]] = catalog.get("categories") or {}
        self.contact: dict = catalog.get("contact") or {}
        self.synonyms = Synonyms(catalog.get("synonyms") or [])
        # Passages are not stored: chunking is deterministic, so they are cut again here, in the
        # manifest's order, which is the keyword index's numbering.
        self.passages: list[Passage] = []
        for article_id, entry in manifest["articles"].items():
            article = self.articles.get(article_id)
            passages = list(chunk(article, settings.chunk_chars)) if article else []
            if not article or not isinstance(entry, dict) or [p.id for p in passages] != entry.get("passages"):
                raise IndexNotReady(f"index build {build_id} does not match its own catalog at "
                                    f"'{article_id}'; run '{REBUILD}'")
            self.passages += passages
        self.position = {p.id: i for i, p in enumerate(self.passages)}
        self._groups: dict[str, dict[str, Article]] = {}
        for article in self.articles.values():
            self._groups.setdefault(article.translation_group, {})[article.lang] = article
        self._columns = {name: np.array([getattr(self.articles[p.article_id], name) for p in self.passages])
                         for name in ("category", "type", "lang")} if self.passages else {}
        try:
            self.keyword_index = KeywordIndex(folder / "keyword", [p.id for p in self.passages])
        except Exception as exc:  # a damaged BM25 folder: any error from bm25s/numpy
            raise IndexNotReady(f"keyword index of build {build_id} is damaged ({exc}); run "
                                f"'{REBUILD}'") from exc
        self._chroma_path = None if settings.chroma_host else folder / "chroma"
        api = vectors.client(settings.chroma_host, settings.chroma_port, self._chroma_path)
        try:
            self.collections = {key: vectors.open_collection(api, manifest["collections"][key])
                                for key in embedders}
        except KbError:
            raise
        except Exception as exc:
            raise IndexNotReady(f"vector store of build {build_id} cannot be opened ({exc}); "
                                f"run '{REBUILD}'") from exc

        try:  # each embedder's content adapter (kb.adapter), fitted by the build
            self.adapters: dict[str, np.ndarray] = {
                key: np.load(folder / name) for key, name in (manifest.get("adapters") or {}).items()
                if key in embedders}
            for key, matrix in self.adapters.items():
                if matrix.shape != (embedders[key].dim, embedders[key].dim):
                    raise ValueError(f"adapter of '{key}' is {matrix.shape}, not {embedders[key].dim}-square")
        except (OSError, ValueError) as exc:
            raise IndexNotReady(f"content adapter of build {build_id} is unreadable ({exc}); run "
                                f"'{REBUILD}'") from exc

    def translations(self, article: Article) -> dict[str, Article]:
        return self._groups.get(article.translation_group, {article.lang: article})

    def dense(self, key: str, vector: np.ndarray, k: int, filters: Filters) -> list[tuple[str, float]]:
        # The count is the build's own (it never changes): asking Chroma costs 1.4 ms a query.
        return vectors.query(self.collections[key], vector, k, vectors.where_clause(filters.as_dict()),
                             len(self.passages))

    def keyword(self, tokens: list[str], k: int, filters: Filters) -> list[tuple[str, float]]:
        scores = self.keyword_index.scores(tokens)
        if filters:
            mask = np.ones(len(scores), dtype=bool)
            for name, value in filters.as_dict().items():
                mask &= self._columns[name] == value
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(scores))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.passages[i].id, float(scores[i])) for i in top if scores[i] > 0]

    def close(self) -> None:
        """Release the local Chroma store. Chroma shares one store per folder in a process, so
        only the one ``Index`` of a process (the portal's) may close what it opened."""
        if self._chroma_path is not None:
            vectors.release(self._chroma_path)


def _check_compatible(manifest: dict, settings: Settings, embedders: Mapping[str, Embedder]) -> None:
    built = manifest.get("embedders", {})
    wanted = embedder_config(embedders)
    for key, config in wanted.items():
        if key not in built:
            raise IndexMismatch(f"the index has no '{key}' vectors (built with "
                                f"{', '.join(built) or 'none'}); run '{REBUILD}'")
        if built[key] != config:
            raise IndexMismatch(f"the index was built with {built[key]['model']} "
                                f"({built[key]['dim']}-d) but the configured '{key}' embedder is "
                                f"{config['model']} ({config['dim']}-d); run '{REBUILD}'")
    if manifest.get("passages") != passage_config(settings):
        raise IndexMismatch(f"the index was built with other passage settings "
                            f"({manifest.get('passages')}); run '{REBUILD}'")
    if manifest.get("store") != store_name(settings):
        raise IndexMismatch(f"the index was built for {manifest.get('store')}, not "
                            f"{store_name(settings)}; run '{REBUILD}'")


class Index:
    """The live index. ``snapshot()`` returns the current build, reloading when a new build has
    been published (checked at most every ``check_every`` seconds)."""

    def __init__(self, settings: Settings, embedders: Mapping[str, Embedder], check_every: float = 1.0):
        self.settings, self.embedders = settings, dict(embedders)
        self._layout = Layout(settings.index_dir)
        self._check_every = check_every
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._retired: list[tuple[float, Snapshot]] = []

    @classmethod
    def open(cls, settings: Settings, embedders: Mapping[str, Embedder]) -> "Index":
        index = cls(settings, embedders)
        index.snapshot()
        return index

    def snapshot(self) -> Snapshot:
        current = self._snapshot
        now = time.monotonic()
        if current is not None and now - self._checked < self._check_every:
            return current
        with self._lock:
            self._checked = now
            build_id = self._layout.current_id()
            if build_id is None:
                if current is not None:
                    return current  # the pointer vanished: keep serving what we have
                raise IndexNotReady(f"no index has been built under {self._layout.root}; run "
                                    "'python -m indexer build'")
            if current is not None and current.build_id == build_id:
                return current
            try:
                fresh = Snapshot(self.settings, build_id, self.embedders)
            except IndexNotReady:
                if current is not None:
                    log.exception("new index build %s cannot be opened; still serving %s",
                                  build_id, current.build_id)
                    return current
                raise
            log.info("now serving index build %s", build_id)
            self._snapshot = fresh
            self._retire(current, now)
            return fresh

    def _retire(self, replaced: Snapshot | None, now: float) -> None:
        """Close builds replaced more than a minute ago: Chroma keeps every opened store in
        memory for the life of the process otherwise."""
        if replaced is not None:
            self._retired.append((now, replaced))
        keep = []
        for retired_at, snapshot in self._retired:
            if now - retired_at > RETIRE_AFTER:
                snapshot.close()
            else:
                keep.append((retired_at, snapshot))
        self._retired = keep

    @property
    def root(self) -> Path:
        return self._layout.root
