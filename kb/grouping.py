"""Group similar texts (failed searches, say) so editors see one question asked many ways."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def group_similar(vectors: np.ndarray, threshold: float = 0.75) -> list[list[int]]:
    """Indexes of ``vectors`` (L2-normalised rows) in groups: each row joins the first group
    whose first member it is at least ``threshold`` cosine-similar to, or starts a new group.
    Groups come largest first; order within a group is input order."""
    leaders: list[int] = []
    groups: list[list[int]] = []
    for i in range(len(vectors)):
        if leaders:
            similarity = vectors[leaders] @ vectors[i]
            best = int(np.argmax(similarity))
            if similarity[best] >= threshold:
                groups[best].append(i)
                continue
        leaders.append(i)
        groups.append([i])
    return sorted(groups, key=lambda g: (-len(g), g[0]))


def representative(texts: Sequence[str], group: Sequence[int]) -> str:
    """The group's most common text (case- and space-insensitively), else its first."""
    counts: dict[str, int] = {}
    for i in group:
        key = " ".join(texts[i].lower().split())
        counts[key] = counts.get(key, 0) + 1
    best = max(counts.values())
    return next(texts[i] for i in group if counts[" ".join(texts[i].lower().split())] == best)
