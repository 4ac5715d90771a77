"""The BM25 keyword index (bm25s), built from the same passages as the dense index."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import bm25s
import numpy as np


def build(passage_tokens: Sequence[Sequence[str]], directory: Path) -> None:
    retriever = bm25s.BM25()
    # A passage with no tokens (digits only, say) gets a placeholder token, so bm25s can never
    # drop it and document numbers always equal passage numbers.
    retriever.index([list(t) or ["\u2400"] for t in passage_tokens], show_progress=False)
    retriever.save(str(directory), show_progress=False)


class KeywordIndex:
    def __init__(self, directory: Path, size: int):
        self._bm25 = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
        self._vocab = self._bm25.vocab_dict
        self.size = size

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage, in passage order; zeros when no token is known."""
        known = [t for t in tokens if t in self._vocab]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return self._bm25.get_scores(known)
