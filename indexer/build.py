"""Incremental, atomic index builds.

A build compares each article's content hash with the live build's manifest: new and changed
articles are embedded, deleted ones dropped, unchanged ones carried over with their stored
vectors. Everything is written to a new build folder; only when it is complete does the pointer
move. Killing the process at any moment leaves the live build untouched, and the next build
deletes the remains.
"""
from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Mapping

from kb import keywords
from kb.articles import Article, Passage, article_from_dict, article_to_dict, passage_to_dict
from kb.chunking import chunk, index_text
from kb.content import load_content
from kb.embedders import Embedder, create_all
from kb.errors import IndexBuildError, KbError, Problem
from kb.normalize import for_models
from kb.settings import Settings
from kb.validation import check
from indexer import keyword_index, vectors
from indexer.layout import PARTIAL, Layout, fsync_tree, read_json, write_json

log = logging.getLogger(__name__)
FORMAT = 1  # bump when the build folder layout or passage records change


@dataclass
class BuildReport:
    build_id: str | None = None
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    passages_embedded: int = 0
    passages_total: int = 0
    seconds: float = 0.0
    full: bool = False
    published: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def summary(self) -> str:
        how = "full rebuild" if self.full else "incremental"
        state = f"published build {self.build_id}" if self.published else "index unchanged"
        return (f"{how}: {len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.removed)} removed, {self.unchanged} unchanged articles; "
                f"{self.passages_embedded} of {self.passages_total} passages embedded; "
                f"{len(self.errors)} errors; {self.seconds:.1f} s; {state}")


def store_name(settings: Settings) -> str:
    return f"server:{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "local"


def collection_name(build_id: str, key: str, settings: Settings) -> str:
    # On a shared server every build needs its own collections; locally each build has its own folder.
    return f"kb-{build_id}-{key}" if settings.chroma_host else f"kb-{key}"


def passage_config(settings: Settings) -> dict:
    return {"format": FORMAT, "chunk_chars": settings.chunk_chars,
            "to_simplified": settings.to_simplified}


def embedder_config(embedders: Mapping[str, Embedder]) -> dict:
    return {key: {"model": e.model, "dim": e.dim} for key, e in embedders.items()}


def _live_manifest(layout: Layout) -> tuple[str | None, dict | None]:
    build_id = layout.current_id()
    if build_id is None:
        return None, None
    try:
        return build_id, read_json(layout.build_dir(build_id) / "manifest.json")
    except (OSError, ValueError):
        log.warning("the live build %s is unreadable; building from scratch", build_id)
        return None, None


def build(settings: Settings, *, full: bool = False, embedders: Mapping[str, Embedder] | None = None,
          progress: bool = False, today: date | None = None, require_translations: bool = True,
          on_stage: Callable[[str], None] | None = None) -> BuildReport:
    """Bring the index in step with the content folder. See the module docstring."""
    started = time.perf_counter()
    layout = Layout(settings.index_dir)
    report = BuildReport(full=full)
    stage = on_stage or (lambda name: None)
    with layout.locked():
        live_id, live = _live_manifest(layout)
        layout.remove_stale(keep={live_id} if live_id else set())
        if settings.chroma_host:
            _drop_orphan_collections(settings, layout)
        content = load_content(settings.content_dir, settings.max_article_kb * 1024)
        report.problems = check(content, today or date.today(), settings.drift_days,
                                require_translations)
        embedders = embedders or create_all(settings.embedders, settings.threads, settings.st_model)
        wanted = {"store": store_name(settings), "passages": passage_config(settings),
                  "embedders": embedder_config(embedders)}
        if live and any(live.get(k) != v for k, v in wanted.items()):
            log.info("embedders, passage settings or store changed: rebuilding everything")
            report.full = full = True
        base = None if full or live is None else live
        articles = dict(content.articles)
        if base:
            articles.update(_last_good_versions(layout, live_id, base, content.failed_paths, report))
        plan = _plan(articles, base, report)
        # Through JSON and back, so it compares equal with the live build's catalog file.
        catalog = json.loads(json.dumps({
            "articles": {a.id: article_to_dict(a) for a in articles.values()},
            "categories": content.categories, "synonyms": content.synonyms,
            "contact": content.contact}, ensure_ascii=False))
        if base and not (report.added or report.updated or report.removed) and \
                _same_catalog(layout, live_id, catalog):
            report.build_id, report.seconds = live_id, time.perf_counter() - started
            report.passages_total = sum(len(a["passages"]) for a in base["articles"].values())
            return report
        build_id = layout.new_build_id()
        staging = layout.builds / (build_id + PARTIAL)
        staging.mkdir(parents=True)
        stage("staging")
        try:
            records = _write_build(settings, layout, staging, build_id, live_id, base, plan,
                                   embedders, report, progress, stage)
            write_json(staging / "catalog.json", catalog)
            write_json(staging / "passages.json", records)
            write_json(staging / "manifest.json", {
                **wanted, "build_id": build_id, "created": time.time(),
                "collections": {key: collection_name(build_id, key, settings) for key in embedders},
                "articles": {a.id: {"hash": a.content_hash, "path": a.path,
                                    "passages": plan.passage_ids[a.id]}
                             for a in articles.values()}})
            keyword_index.build([r["tokens"] for r in records], staging / "keyword")
            fsync_tree(staging)
            stage("publishing")
            final = layout.build_dir(build_id)
            staging.rename(final)
            layout.publish(build_id)
        except KbError:
            raise
        except Exception as exc:
            raise IndexBuildError(f"the build failed ({exc}); the previous index is still "
                                  "serving") from exc
        finally:
            vectors.release(staging / "chroma")
            vectors.release(layout.build_dir(build_id) / "chroma")
        report.build_id, report.published = build_id, True
        report.passages_total = len(records)
        layout.remove_stale(keep={build_id})
        report.seconds = time.perf_counter() - started
        return report


@dataclass
class _Plan:
    embed: list[Article]  # new and changed articles
    drop: list[str]  # passage ids of changed and removed articles
    passage_ids: dict[str, list[str]] = field(default_factory=dict)
    passages: dict[str, list[Passage]] = field(default_factory=dict)


def _plan(articles: Mapping[str, Article], base: dict | None, report: BuildReport) -> _Plan:
    before = base["articles"] if base else {}
    plan = _Plan(embed=[], drop=[])
    for article in articles.values():
        old = before.get(article.id)
        if old is None:
            report.added.append(article.id)
        elif old["hash"] != article.content_hash:
            report.updated.append(article.id)
            plan.drop += old["passages"]
        else:
            report.unchanged += 1
            plan.passage_ids[article.id] = old["passages"]
            continue
        plan.embed.append(article)
    for article_id, old in before.items():
        if article_id not in articles:
            report.removed.append(article_id)
            plan.drop += old["passages"]
    return plan


def _write_build(settings: Settings, layout: Layout, staging: Path, build_id: str,
                 live_id: str | None, base: dict | None, plan: _Plan,
                 embedders: Mapping[str, Embedder], report: BuildReport, progress: bool,
                 stage: Callable[[str], None]) -> list[dict]:
    """Fill the staging folder's vector store; return the passage records of the new build."""
    new_passages = {a.id: list(chunk(a, settings.chunk_chars)) for a in plan.embed}
    for article_id, passages in new_passages.items():
        plan.passage_ids[article_id] = [p.id for p in passages]
    old_records = _old_records(layout, live_id) if base else {}
    if base and not settings.chroma_host:
        shutil.copytree(layout.build_dir(live_id) / "chroma", staging / "chroma")
    api = vectors.client(settings.chroma_host, settings.chroma_port, staging / "chroma")
    articles = {a.id: a for a in plan.embed}
    fresh = [p for passages in new_passages.values() for p in passages]
    texts = [for_models(index_text(p), settings.to_simplified) for p in fresh]
    metadatas = [_metadata(p, articles[p.article_id]) for p in fresh]
    keep_ids = [pid for aid, ids in plan.passage_ids.items() if aid not in new_passages for pid in ids]
    for key, embedder in embedders.items():
        name = collection_name(build_id, key, settings)
        if base and not settings.chroma_host:
            collection = vectors.open_collection(api, name)
            vectors.delete(collection, plan.drop)
        else:
            collection = vectors.create_collection(api, name, {"model": embedder.model, "dim": embedder.dim})
            if base:
                old_name = base["collections"][key]
                vectors.copy(vectors.open_collection(api, old_name), collection, keep_ids)
        stage(f"embedding:{key}")
        vecs = _embed(embedder, texts, progress)
        vectors.add(collection, [p.id for p in fresh], vecs, metadatas, [p.text for p in fresh])
        report.passages_embedded = len(fresh)
    records = []
    fresh_by_id = {p.id: p for p in fresh}
    for article_id in plan.passage_ids:
        for pid in plan.passage_ids[article_id]:
            if pid in fresh_by_id:
                passage = fresh_by_id[pid]
                records.append({**passage_to_dict(passage),
                                "tokens": keywords.tokens(index_text(passage))})
            else:
                records.append(old_records[pid])
    return records


def _last_good_versions(layout: Layout, live_id: str, base: dict, failed_paths: set[str],
                        report: BuildReport) -> dict[str, Article]:
    """Articles whose file is now broken keep their last good version in the index: an
    editor's mistake must not make a page vanish for customers."""
    kept = {article_id for article_id, record in base["articles"].items()
            if record.get("path") in failed_paths}
    if not kept:
        return {}
    old = read_json(layout.build_dir(live_id) / "catalog.json")["articles"]
    for article_id in sorted(kept):
        path = base["articles"][article_id]["path"]
        report.problems.append(Problem(path, 1, "file", f"kept the last good version of "
                                       f"'{article_id}' in the index until this file is fixed",
                                       "warning"))
    return {article_id: article_from_dict(old[article_id]) for article_id in kept}


def _metadata(passage: Passage, article: Article) -> dict:
    return {"article_id": article.id, "lang": article.lang, "category": article.category,
            "type": article.type, "group": article.translation_group}


def _embed(embedder: Embedder, texts: list[str], progress: bool):
    import numpy as np
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    step = 256
    batches = range(0, len(texts), step)
    if progress and len(texts) > step:
        from tqdm import tqdm
        batches = tqdm(batches, desc=f"embedding ({embedder.key})", unit_scale=step, unit="passage")
    return np.vstack([embedder.embed_passages(texts[i:i + step]) for i in batches])


def _old_records(layout: Layout, live_id: str | None) -> dict[str, dict]:
    records = read_json(layout.build_dir(live_id) / "passages.json")
    return {r["id"]: r for r in records}


def _same_catalog(layout: Layout, live_id: str | None, catalog: dict) -> bool:
    try:
        return read_json(layout.build_dir(live_id) / "catalog.json") == catalog
    except (OSError, ValueError):
        return False


def _drop_orphan_collections(settings: Settings, layout: Layout) -> None:
    """On a Chroma server, delete collections of builds that no longer exist on disk."""
    api = vectors.client(settings.chroma_host, settings.chroma_port, None)
    live = set(layout.finished_ids())
    for collection in api.list_collections():
        name = collection if isinstance(collection, str) else collection.name
        parts = name.split("-")
        if name.startswith("kb-") and len(parts) >= 4 and "-".join(parts[1:3]) not in live:
            api.delete_collection(name)

