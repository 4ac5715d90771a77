"""Fit the confidence model: a logistic regression from a search's signals to the chance its
best answer is right, on the tuning queries (never the held-out ones)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from kb import confidence
from kb.embedders import create_all
from kb.settings import Settings
from eval.run import evaluate
from eval.data import read_queries
from kb.search import SYSTEMS



def calibrate(settings: Settings, queries_path: Path, output: Path = confidence.CALIBRATION_FILE) -> dict:
    from sklearn.linear_model import LogisticRegression
    from indexer.build import build
    from indexer.index import Index
    embedders = create_all(settings.embedders, settings.threads, settings.st_model)
    local = settings.replace(data_dir=settings.data_dir / "eval")
    build(local, embedders=embedders)
    known = set(Index.open(local, embedders).snapshot().articles)
    queries = read_queries(queries_path, known)
    models = json.loads(output.read_text(encoding="utf-8")) if output.exists() else {}
    summary = {}
    for system in SYSTEMS:
        result = evaluate(local, queries, system, embedders, name=f"calibrate-{system}")
        judged = [j for j in result.judged if j.result.signals]
        setup = confidence.setup_key([name for name in _retrievers(system, embedders)])
        x = np.array([[j.result.signals[f] for f in confidence.FEATURES] for j in judged])
        y = np.array([bool(j.query.relevant) and j.values.get("Success@1") == 1.0 for j in judged])
        model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
        models[setup] = {"features": list(confidence.FEATURES), "coef": model.coef_[0].round(6).tolist(),
                         "intercept": round(float(model.intercept_[0]), 6),
                         "fitted_on": f"{queries_path.name}: {len(judged)} queries, {int(y.sum())} right at rank 1"}
        p = model.predict_proba(x)[:, 1]
        answered = p >= settings.confidence_threshold
        summary[setup] = {"queries": len(judged), "right_at_1": round(float(y.mean()), 3),
                          "answered": round(float(answered.mean()), 3),
                          "right_when_answered": round(float(y[answered].mean()), 3) if answered.any() else None,
                          "no_answer_queries_answered": int(sum(a and not j.query.relevant
                                                               for a, j in zip(answered, judged)))}
    output.write_text(json.dumps(models, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    confidence._models.cache_clear()
    return summary


def _retrievers(system: str, embedders) -> list[str]:
    dense = [f"dense:{key}" for key in embedders] if system in ("hybrid", "dense") else []
    return dense + (["keyword"] if system in ("hybrid", "keyword") else [])
