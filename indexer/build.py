"""Incremental, atomic index builds.

A build compares each article's content hash with the live build's manifest: new and changed
articles are embedded, deleted ones dropped, unchanged ones carried over with their stored
vectors (and are not even parsed again). Everything is written to a new build folder; only when
it is complete does the pointer move. Killing the process at any moment leaves the live build
untouched, and the next build deletes the remains.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import logging
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping

import numpy as np
import orjson

from kb import adapter, keywords
from kb.articles import Article, Passage, article_from_dict, article_to_dict
from kb.chunking import chunk, index_text
from kb.content import CATEGORIES_FILE, CONTACT_FILE, Content, load_content
from kb.embedders import Embedder, create_all
from kb.errors import ContentError, IndexBuildError, KbError, Problem
from kb.normalize import for_models
from kb.settings import Settings
from kb.validation import check
from indexer import keyword_index, vectors
from indexer.layout import PARTIAL, Layout, fsync_tree, read_json, write_json

log = logging.getLogger(__name__)
FORMAT = 4  # bump when the build folder layout or passage records change (4: similar questions)
EMBED_BATCH = 256


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
        how = "full build" if self.full else "incremental build"
        state = f"published build {self.build_id}" if self.published else "index unchanged"
        return (f"{how}: {len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.removed)} removed, {self.unchanged} unchanged articles; "
                f"{self.passages_embedded} of {self.passages_total} passages embedded; "
                f"{len(self.errors)} errors; {self.seconds:.1f} s; {state}")


def store_name(settings: Settings) -> str:
    return f"server:{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "local"


def collection_name(build_id: str, key: str, settings: Settings) -> str:
    # On a shared server every build needs its own collections, named after its data folder so
    # that a build deletes only its own folder's; locally each build has its own folder.
    if not settings.chroma_host:
        return f"kb-{key}"
    return f"kb-{Layout(settings.index_dir).namespace()}-{build_id}-{key}"


def passage_config(settings: Settings) -> dict:
    return {"format": FORMAT, "chunk_chars": settings.chunk_chars, "to_simplified": settings.to_simplified}


def embedder_config(embedders: Mapping[str, Embedder]) -> dict:
    return {key: {"model": e.model, "dim": e.dim} for key, e in embedders.items()}


def _json_ready(value):
    """``value`` as it will read back from a JSON file (tuples become lists), for comparing."""
    return orjson.loads(orjson.dumps(value))


@dataclass
class LiveBuild:
    """The build being served, read lazily: what an incremental build starts from."""

    id: str
    folder: Path
    manifest: dict

    @classmethod
    def load(cls, layout: Layout) -> "LiveBuild | None":
        build_id = layout.current_id()
        if build_id is None:
            return None
        folder = layout.build_dir(build_id)
        try:
            manifest = read_json(folder / "manifest.json")
            if not isinstance(manifest, dict) or not all(
                    isinstance(r, dict) and {"hash", "path", "passages"} <= r.keys()
                    for r in manifest["articles"].values()):
                raise ValueError("not a build manifest")
            return cls(build_id, folder, manifest)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("the live build %s is unreadable (%s); building from scratch", build_id, exc)
            return None

    @functools.cached_property
    def catalog(self) -> dict:
        return read_json(self.folder / "catalog.json")

    @functools.cached_property
    def articles(self) -> dict[str, Article]:
        return {k: article_from_dict(v) for k, v in self.catalog["articles"].items()}

    def by_path_and_hash(self) -> dict[tuple[str, str], Article]:
        return {(a.path, a.content_hash): a for a in self.articles.values()}

    @functools.cached_property
    def tokens(self) -> keyword_index.TokenTable:
        return keyword_index.TokenTable.load(self.folder / "keyword")

    def check_readable(self, settings: Settings) -> None:
        """Read what an incremental build takes from this build, so that a damaged build fails
        here, before anything is embedded (``build`` then starts over in full)."""
        passages = [pid for record in self.manifest["articles"].values() for pid in record["passages"]]
        missing = [pid for pid in passages if pid not in self.tokens.rows]
        if missing or len(self.articles) != len(self.manifest["articles"]):
            raise IndexBuildError(f"the live build {self.id} does not match its own manifest")
        if not settings.chroma_host and not (self.folder / "chroma" / "chroma.sqlite3").is_file():
            raise IndexBuildError(f"the live build {self.id} has no vector store")


@dataclass
class _Plan:
    embed: list[Article] = field(default_factory=list)  # new and changed articles
    drop: list[str] = field(default_factory=list)  # passage ids of changed and removed articles
    passage_ids: dict[str, list[str]] = field(default_factory=dict)  # every article's passages
    fresh: list[Passage] = field(default_factory=list)  # passages of ``embed``, once chunked

    @property
    def empty(self) -> bool:
        return not self.embed and not self.drop


def build(settings: Settings, *, full: bool = False, embedders: Mapping[str, Embedder] | None = None,
          progress: bool = False, today: date | None = None, require_translations: bool = True) -> BuildReport:
    """Bring the index in step with the content folder. See the module docstring.

    An incremental build that fails for any reason but the content itself (a damaged catalog,
    keyword index or vector store of the live build, say) is logged and done again in full, so a
    damaged live index is repaired by the next build instead of blocking every build after it."""
    layout = Layout(settings.index_dir)
    with layout.locked(), _cyclic_gc_paused():
        embedders = embedders or create_all(settings.embedders, settings.threads, settings.st_model)
        args = (settings, layout, embedders, progress, today, require_translations)
        try:
            return _build_locked(*args, full=full)
        except ContentError:
            raise
        except Exception as exc:
            if full or layout.current_id() is None:
                if isinstance(exc, KbError):
                    raise
                raise IndexBuildError(f"the build failed ({exc}); the previous index is still "
                                      "serving") from exc
            log.warning("the live build cannot be built upon (%s: %s); building everything again",
                        type(exc).__name__, exc)
            first = exc
        try:
            return _build_locked(*args, full=True)
        except KbError:
            raise
        except Exception as exc:
            # Not "the previous index is still serving": it may be the damage that failed the first try.
            raise IndexBuildError(f"the full build failed ({exc}) after the live build could not be "
                                  f"built upon ({first}); run 'python -m indexer build --full' once "
                                  "the cause is fixed") from exc


def _build_locked(settings: Settings, layout: Layout, embedders: Mapping[str, Embedder], progress: bool,
                  today: date | None, require_translations: bool, *, full: bool) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport(full=full)
    live = LiveBuild.load(layout)
    _remove_stale(settings, layout, keep={live.id} if live else set())
    wanted = {"store": store_name(settings), "passages": passage_config(settings),
              "embedders": embedder_config(embedders), "adapter": settings.adapter}
    if live and any(live.manifest.get(k) != v for k, v in wanted.items()):
        log.info("embedders, passage settings or store changed: rebuilding everything")
        full = True
    base = None if full else live
    report.full = base is None
    if base:
        base.check_readable(settings)
    content = load_content(settings.content_dir, settings.max_article_kb * 1024,
                           known=base.by_path_and_hash() if base else None)
    report.problems = check(content, today or date.today(), settings.drift_days, require_translations)
    _keep_last_good_files(live, content, report)
    articles = dict(content.articles)
    if base:
        articles.update(_last_good_versions(base, content.failed_paths, report))
    plan = _plan(articles, base, report)
    catalog = {"articles": {a.id: _catalog_record(a, base) for a in articles.values()},
               **_json_ready({"categories": content.categories, "synonyms": content.synonyms,
                              "contact": content.contact})}
    if base and plan.empty and catalog == base.catalog and _looks_intact(base, settings):
        report.build_id = base.id
        report.passages_total = sum(len(ids) for ids in plan.passage_ids.values())
        report.seconds = time.perf_counter() - started
        return report
    build_id = layout.new_build_id()
    staging = layout.builds / (build_id + PARTIAL)
    staging.mkdir(parents=True)
    try:
        _write_vectors(settings, staging, build_id, base, plan, embedders, report, progress)
        order = [pid for article_id in articles for pid in plan.passage_ids[article_id]]
        adapters = (_write_adapters(settings, staging, build_id, articles, embedders, base)
                    if settings.adapter else {})
        write_json(staging / "catalog.json", catalog)
        _write_keywords(base, order, plan, staging / "keyword")
        write_json(staging / "manifest.json", {
            **wanted, "build_id": build_id, "created": time.time(),
            "collections": {key: collection_name(build_id, key, settings) for key in embedders},
            "adapters": adapters,
            "articles": {a.id: {"hash": a.content_hash, "path": a.path, "passages": plan.passage_ids[a.id]}
                         for a in articles.values()}})
        vectors.release(staging / "chroma")
        fsync_tree(staging)
        staging.rename(layout.build_dir(build_id))
        layout.publish(build_id)
    finally:  # failures are told apart and reported by ``build``
        vectors.release(staging / "chroma")
    report.build_id, report.published = build_id, True
    report.passages_total = len(order)
    _remove_stale(settings, layout, keep={build_id})
    report.seconds = time.perf_counter() - started
    return report


KEYWORD_FILES = ("tokens.npz", "vocabulary.json", "passages.json", "params.index.json", "vocab.index.json",
                 "data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")


def _looks_intact(base: LiveBuild, settings: Settings) -> bool:
    """Whether the live build still has every file it was published with, so a build with
    nothing to change may keep it. A build that changes something reads them all anyway."""
    files = [base.folder / "keyword" / name for name in KEYWORD_FILES]
    if not settings.chroma_host:
        files.append(base.folder / "chroma" / "chroma.sqlite3")
    missing = [str(f.relative_to(base.folder)) for f in files if not f.is_file() or f.stat().st_size == 0]
    if settings.chroma_host:
        api = vectors.client(settings.chroma_host, settings.chroma_port, None)
        stored = {c if isinstance(c, str) else c.name for c in api.list_collections()}
        missing += [f"collection {name}" for name in base.manifest.get("collections", {}).values()
                    if name not in stored]
    if missing:
        log.warning("the live build %s is damaged (%s missing or empty)", base.id, ", ".join(missing))
    return not missing


@contextlib.contextmanager
def _cyclic_gc_paused():
    """A build makes hundreds of thousands of small, acyclic objects (the catalog, articles,
    tokens) that reference counting frees by itself; left on, the cyclic collector re-scans the
    growing heap again and again, a fifth of the time it takes to re-index one article."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _catalog_record(article: Article, base: LiveBuild | None) -> dict:
    old = base.catalog["articles"].get(article.id) if base else None
    if old is not None and old["content_hash"] == article.content_hash and old["path"] == article.path:
        return old  # unchanged: reuse the stored record rather than serialise it again
    return _json_ready(article_to_dict(article))


def _plan(articles: Mapping[str, Article], base: LiveBuild | None, report: BuildReport) -> _Plan:
    before = base.manifest["articles"] if base else {}
    plan = _Plan()
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


def _write_vectors(settings: Settings, staging: Path, build_id: str, base: LiveBuild | None, plan: _Plan,
                   embedders: Mapping[str, Embedder], report: BuildReport, progress: bool) -> None:
    """Fill the staging folder's vector store with the passages of the new build."""
    fresh: list[Passage] = []
    for article in plan.embed:
        passages = list(chunk(article, settings.chunk_chars))
        plan.passage_ids[article.id] = [p.id for p in passages]
        fresh += passages
    local_copy = base is not None and not settings.chroma_host
    if local_copy:  # a local build starts as a file copy of the live one: no vector is re-added
        shutil.copytree(base.folder / "chroma", staging / "chroma")
    api = vectors.client(settings.chroma_host, settings.chroma_port, staging / "chroma")
    articles = {a.id: a for a in plan.embed}
    texts = [for_models(index_text(p), settings.to_simplified) for p in fresh]
    metadatas = [_metadata(articles[p.article_id]) for p in fresh]
    fresh_ids = {p.id for p in fresh}
    kept = [pid for ids in plan.passage_ids.values() for pid in ids if pid not in fresh_ids]
    for key, embedder in embedders.items():
        name = collection_name(build_id, key, settings)
        if local_copy:
            collection = vectors.open_collection(api, name)
            vectors.delete(collection, plan.drop)
        else:
            collection = vectors.create_collection(api, name, {"model": embedder.model, "dim": embedder.dim})
            if base is not None:  # server mode: copy the stored vectors of unchanged passages
                vectors.copy(vectors.open_collection(api, base.manifest["collections"][key]), collection, kept)
        vectors.add(collection, [p.id for p in fresh], _embed(embedder, texts, progress), metadatas,
                    [p.text for p in fresh])
    report.passages_embedded = len(fresh)
    plan.fresh = fresh


def _write_adapters(settings: Settings, staging: Path, build_id: str, articles: Mapping[str, Article],
                    embedders: Mapping[str, Embedder], base: LiveBuild | None = None) -> dict[str, str]:
    """Fit each embedder's content adapter (``kb.adapter``) on the new build's own content and
    passage vectors; write it beside the index as ``adapter.<embedder>.npy``, with the training
    questions' vectors (``adapter.<embedder>.questions.npz``: the next build embeds only the
    questions that are new). Returns the files written, by embedder, for the manifest."""
    passages = [p for article in articles.values() for p in chunk(article, settings.chunk_chars)]
    pairs = adapter.training_pairs(articles, passages)
    if not pairs:
        return {}
    ids = [passages[i].id for i in adapter.answer_passages(passages)]
    api = vectors.client(settings.chroma_host, settings.chroma_port, staging / "chroma")
    written = {}
    for key, embedder in embedders.items():
        known = _question_vectors(base.folder / f"adapter.{key}.questions.npz") if base else {}
        if _previous_adapter_fits(base, key, pairs, known, settings.adapter_refit_share):
            # Fitting takes seconds; a small edit would miss the one-second re-index. The map is
            # still valid for new passages (they share the model's space), so it is kept until
            # enough of the content's questions are new.
            for name in (f"adapter.{key}.npy", f"adapter.{key}.questions.npz"):
                shutil.copy2(base.folder / name, staging / name)
            written[key] = f"adapter.{key}.npy"
            continue
        collection = vectors.open_collection(api, collection_name(build_id, key, settings))
        stored: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 1000):
            batch = collection.get(ids=ids[start:start + 1000], include=["embeddings"])
            stored.update(zip(batch["ids"], batch["embeddings"]))
        started = time.perf_counter()
        questions = np.vstack([known[pair.text] if pair.text in known else
                               embedder.embed_query(for_models(pair.text, settings.to_simplified))
                               for pair in pairs]).astype(np.float32)
        np.savez(staging / f"adapter.{key}.questions.npz", texts=np.array([p.text for p in pairs]),
                 vectors=questions)
        matrix = adapter.fit(questions, np.vstack([stored[pid] for pid in ids]), [p.targets for p in pairs])
        np.save(staging / f"adapter.{key}.npy", matrix.astype(np.float32))
        written[key] = f"adapter.{key}.npy"
        log.info("content adapter for %s: %d questions, %.1f s", key, len(pairs), time.perf_counter() - started)
    return written


def _previous_adapter_fits(base: LiveBuild | None, key: str, pairs: list, known: Mapping[str, np.ndarray],
                           refit_share: float) -> bool:
    """True when the live build's adapter was fitted on nearly the same questions as ``pairs``:
    fewer than ``refit_share`` of them are new to it (a full build has no base and always fits)."""
    if base is None or not known or not (base.folder / f"adapter.{key}.npy").is_file():
        return False
    new = sum(pair.text not in known for pair in pairs)
    return new < refit_share * len(pairs)


def _question_vectors(path: Path) -> dict[str, np.ndarray]:
    """The previous build's adapter questions and their vectors; none if the file is missing or
    damaged (they are then embedded again)."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            return dict(zip(stored["texts"].tolist(), stored["vectors"]))
    except (OSError, ValueError, KeyError):
        return {}


def _write_keywords(base: LiveBuild | None, order: list[str], plan: _Plan, directory: Path) -> None:
    """The BM25 index of the new build, numbering passages in ``order``: stored tokens of kept
    passages, new tokens for fresh ones."""
    table = base.tokens if base else keyword_index.TokenTable()
    for passage in plan.fresh:
        table.add(passage.id, keywords.tokens(index_text(passage)))
    keyword_index.build(table, order, directory)


def _metadata(article: Article) -> dict:
    return {"article_id": article.id, "lang": article.lang, "category": article.category,
            "type": article.type, "group": article.translation_group}


def _embed(embedder: Embedder, texts: list[str], progress: bool) -> np.ndarray:
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    batches = range(0, len(texts), EMBED_BATCH)
    if progress and len(texts) > EMBED_BATCH:
        from tqdm import tqdm
        batches = tqdm(batches, desc=f"embedding ({embedder.key})", unit="batch")
    return np.vstack([embedder.embed_passages(texts[i:i + EMBED_BATCH]) for i in batches])


def _last_good_versions(base: LiveBuild, failed_paths: set[str], report: BuildReport) -> dict[str, Article]:
    """Articles whose file is now broken keep their last good version in the index: an
    editor's mistake must not make a page vanish for customers."""
    kept = sorted(article_id for article_id, record in base.manifest["articles"].items()
                  if record.get("path") in failed_paths)
    for article_id in kept:
        path = base.manifest["articles"][article_id]["path"]
        report.problems.append(Problem(path, 1, "file", f"kept the last good version of '{article_id}' "
                                       "in the index until this file is fixed", "warning"))
    return {article_id: base.articles[article_id] for article_id in kept}


def _keep_last_good_files(live: LiveBuild | None, content: Content, report: BuildReport) -> None:
    """A ``contact.yml`` or ``categories.yml`` that cannot be used keeps its last good version
    in the index, like an article: a typo must not take the phone number away from customers
    who get no answer. With no good version to keep, contact details stop the publish."""
    for name, attribute in ((CONTACT_FILE, "contact"), (CATEGORIES_FILE, "categories")):
        if name not in content.failed_files:
            continue
        try:
            good = live.catalog.get(attribute) if live else None
        except Exception:  # a damaged live catalog has nothing to keep
            good = None
        if good:
            setattr(content, attribute, good)
            report.problems.append(Problem(name, 1, "file", "kept the last good version in the index "
                                           "until this file is fixed", "warning"))
        elif name == CONTACT_FILE:
            raise ContentError(sorted(p for p in report.problems if p.path == name) + [Problem(
                name, 1, "file", "the index is not published without valid contact details: "
                "customers who get no answer must be shown how to reach a person")])


def _remove_stale(settings: Settings, layout: Layout, keep: set[str]) -> None:
    """Delete killed builds and builds replaced long enough ago (``Layout.stale``), with their
    collections on a Chroma server."""
    doomed = layout.stale(keep, settings.keep_replaced_minutes * 60)
    if not settings.chroma_host:
        layout.remove_stale(keep, 0, doomed=doomed)
        return
    api = vectors.client(settings.chroma_host, settings.chroma_port, None)
    namespace = layout.namespace()
    ours = []
    for path in doomed:  # finished builds name their collections; pre-namespace names included
        try:
            ours += read_json(path / "manifest.json")["collections"].values()
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
    layout.remove_stale(keep, 0, doomed=doomed)
    finished = set(layout.finished_ids())
    existing = [c if isinstance(c, str) else c.name for c in api.list_collections()]
    for name in existing:
        if name in ours and (name.startswith(f"kb-{namespace}-") or _LEGACY_NAME.match(name)):
            api.delete_collection(name)
        elif name.startswith(f"kb-{namespace}-"):  # a killed build's, or one removed by hand
            if "-".join(name.split("-")[2:4]) not in finished:
                api.delete_collection(name)


# ``kb-<build id>-<embedder>``: collections made before they were named after their data folder.
_LEGACY_NAME = re.compile(r"^kb-\d{8}T\d{6}-[0-9a-f]+-")
