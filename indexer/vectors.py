"""ChromaDB access: the embedded store under a build folder, or a Chroma server.

Chroma never embeds anything itself: we pass our own vectors, and every collection is created
with ``PrecomputedEmbeddings``, which refuses to embed. Its default embedding function would
download a model, which fails offline. The class is registered with Chroma, so any process that
imports this module can open our collections.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb  # noqa: E402
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings  # noqa: E402
from chromadb.utils.embedding_functions import register_embedding_function  # noqa: E402

from kb.errors import IndexNotReady  # noqa: E402

log = logging.getLogger(__name__)
ADD_BATCH = 1000


@register_embedding_function
class PrecomputedEmbeddings(EmbeddingFunction[Documents]):
    """Marks a collection whose vectors come from kb embedders; embedding here is a bug."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        raise RuntimeError("kb collections take precomputed embeddings only")

    @staticmethod
    def name() -> str:
        return "kb-precomputed"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "PrecomputedEmbeddings":
        return PrecomputedEmbeddings()

    def is_legacy(self) -> bool:
        return False


def client(chroma_host: str | None, chroma_port: int, path: Path | None):
    """A Chroma client: ``HttpClient`` when a server is configured, else ``PersistentClient``."""
    settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
    try:
        if chroma_host:
            return chromadb.HttpClient(host=chroma_host, port=chroma_port, settings=settings)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except Exception as exc:  # chroma raises many kinds; all mean the store is not usable
        where = f"Chroma server {chroma_host}:{chroma_port}" if chroma_host else f"index at {path}"
        raise IndexNotReady(f"cannot open the {where}: {exc}") from exc


def release(path: Path) -> None:
    """Forget Chroma's cached system for a local folder, so it can be copied, reopened or
    deleted. Chroma keeps one per path for the life of the process otherwise."""
    from chromadb.api.shared_system_client import SharedSystemClient
    system = SharedSystemClient._identifier_to_system.pop(str(path), None)
    if system is not None:
        try:
            system.stop()
        except Exception:  # stopping a half-broken system must not hide the real outcome
            log.debug("chroma system for %s did not stop cleanly", path, exc_info=True)


def create_collection(api, name: str, metadata: dict[str, Any]):
    return api.create_collection(name, embedding_function=PrecomputedEmbeddings(),
                                 configuration={"hnsw": {"space": "cosine"}}, metadata=metadata)


def open_collection(api, name: str):
    return api.get_collection(name, embedding_function=PrecomputedEmbeddings())


def add(collection, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict],
        documents: Sequence[str] | None = None) -> None:
    for start in range(0, len(ids), ADD_BATCH):
        end = start + ADD_BATCH
        collection.add(ids=list(ids[start:end]), embeddings=vectors[start:end],
                       metadatas=list(metadatas[start:end]),
                       documents=list(documents[start:end]) if documents else None)


def delete(collection, ids: Iterable[str]) -> None:
    ids = list(ids)
    for start in range(0, len(ids), ADD_BATCH):
        collection.delete(ids=ids[start:start + ADD_BATCH])


def copy(source, target, ids: Sequence[str]) -> None:
    """Copy passages with their stored vectors from one collection to another (server mode)."""
    for start in range(0, len(ids), ADD_BATCH):
        batch = source.get(ids=list(ids[start:start + ADD_BATCH]),
                           include=["embeddings", "metadatas", "documents"])
        if batch["ids"]:
            target.add(ids=batch["ids"], embeddings=batch["embeddings"],
                       metadatas=batch["metadatas"], documents=batch["documents"])


def query(collection, vector: np.ndarray, k: int, where: dict | None, count: int) -> list[tuple[str, float]]:
    """(passage id, cosine similarity) of the ``k`` nearest of the ``count`` passages stored."""
    if count == 0:
        return []
    result = collection.query(query_embeddings=[vector], n_results=min(k, count),
                              where=where or None, include=["distances"])
    return [(pid, 1.0 - float(dist)) for pid, dist in zip(result["ids"][0], result["distances"][0])]


def where_clause(filters: dict[str, str]) -> dict | None:
    clauses = [{key: value} for key, value in sorted(filters.items()) if value]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
