"""Compare two evaluation runs: metrics side by side, a paired significance test per metric,
and the queries that got better and worse."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from scipy import stats

from kb.errors import DataFileError
from eval.metrics import NAMES

PERMUTATIONS = 10_000


def read_per_query(run_dir: Path) -> dict[str, dict[str, str]]:
    path = Path(run_dir) / "per_query.csv"
    if not path.exists():
        raise DataFileError(path, 0, "not an evaluation run folder (no per_query.csv); "
                                     "make one with 'python -m eval run --out DIR'")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = {row["query_id"]: row for row in csv.DictReader(handle)}
    return {q: r for q, r in rows.items() if r.get("MRR@10")}  # answerable queries only


def paired_tests(a: np.ndarray, b: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """(randomisation-test p, paired t-test p) for the mean difference b - a."""
    if np.allclose(a, b):
        return 1.0, 1.0
    randomised = stats.permutation_test((a, b), lambda x, y: np.mean(y - x), permutation_type="samples",
                                        n_resamples=PERMUTATIONS, random_state=seed)
    t_test = stats.ttest_rel(b, a)
    return float(randomised.pvalue), float(t_test.pvalue)


def compare(run_a: Path, run_b: Path, alpha: float = 0.05, listed: int = 15) -> str:
    rows_a, rows_b = read_per_query(run_a), read_per_query(run_b)
    shared = sorted(set(rows_a) & set(rows_b))
    if not shared:
        raise DataFileError(run_b, 0, f"no labelled query in common with {run_a}")
    lines = [f"A = {run_a}", f"B = {run_b}", f"{len(shared)} queries in both runs", "",
             "| metric | A | B | B - A | p (randomisation) | p (paired t) | |",
             "|---|---|---|---|---|---|---|"]
    for name in [n for n in NAMES if n in rows_a[shared[0]] and n in rows_b[shared[0]]]:
        a = np.array([float(rows_a[q][name]) for q in shared])
        b = np.array([float(rows_b[q][name]) for q in shared])
        p_random, p_t = paired_tests(a, b)
        mark = "significant" if p_random < alpha else ""
        lines.append(f"| {name} | {a.mean():.3f} | {b.mean():.3f} | {b.mean() - a.mean():+.3f} | "
                     f"{p_random:.4f} | {p_t:.4f} | {mark} |")
    delta = {q: float(rows_b[q]["MRR@10"]) - float(rows_a[q]["MRR@10"]) for q in shared}
    better = sorted((q for q in shared if delta[q] > 0), key=lambda q: -delta[q])
    worse = sorted((q for q in shared if delta[q] < 0), key=lambda q: delta[q])
    for title, ids in ((f"Better in B ({len(better)})", better), (f"Worse in B ({len(worse)})", worse)):
        lines += ["", f"{title}:"]
        for q in ids[:listed]:
            lines.append(f"  {q}  rank {rows_a[q]['rank'] or '-'} -> {rows_b[q]['rank'] or '-'}  "
                         f"[{rows_a[q]['language']}] {rows_a[q]['query'][:70]}")
        if len(ids) > listed:
            lines.append(f"  ... and {len(ids) - listed} more")
    return "\n".join(lines)
