"""The quality gate: hybrid search on the bundled labelled queries must not fall below the
figures recorded in ``eval/recorded.json``. Raising or lowering them is a deliberate commit made
with ``python -m eval record``."""
from __future__ import annotations

import json

from kb.settings import PROJECT_ROOT, Settings
from eval.run import run

RECORDED = PROJECT_ROOT / "eval" / "recorded.json"
QUERIES = PROJECT_ROOT / "eval" / "queries"
SETS = ("tune", "holdout")
GATED = ("AnswerSuccess@1", "Success@1", "Recall@5", "MRR@10", "nDCG@10")


def measure(settings: Settings, embedders=None) -> dict:
    """Hybrid figures on each bundled set, rounded as they are recorded."""
    figures = {}
    for name in SETS:
        result = run(QUERIES / f"{name}.jsonl", None, settings, "hybrid", embedders=embedders)
        figures[name] = {m: round(result.overall[m], 3) for m in GATED}
        figures[name]["no_answer_said_unsure"] = round(result.unanswerable["said_unsure"], 3)
    return {"embedders": list(settings.embedders), "figures": figures}


def record(settings: Settings) -> dict:
    measured = measure(settings)
    RECORDED.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
    return measured


def shortfalls(measured: dict, recorded: dict, tolerance: float = 0.001) -> list[str]:
    """Each figure that fell below its recorded value, as a sentence."""
    found = []
    for name, figures in recorded["figures"].items():
        for metric, floor in figures.items():
            value = measured["figures"][name][metric]
            if value < floor - tolerance:
                found.append(f"{name} {metric}: {value:.3f} < recorded {floor:.3f}")
    return found
