"""Fit the ranker on an external labelled corpus (``python -m eval calibrate --corpus``).

The bundled rankers (``kb/models``) are fitted on the bundled tuning queries. Whether they
transfer to another bank's FAQ is measured with ``eval run --corpus``; when they do not, a ranker
can be fitted on that corpus's own labelled queries, the same way (``eval.calibrate``), with its
labelled questions attached as similar questions (``--examples``) exactly as ``eval run`` attaches
them. Fit on one part of the queries and measure on another: never on the queries reported.

The fitted rankers go to ``KB_RANKER_DIR``, which must then be another folder than the bundled
one: a ranker fitted on someone else's data must never replace the bundled content's.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from kb.errors import DataFileError
from kb.settings import PROJECT_ROOT, Settings
from eval.data import read_queries

BUNDLED_RANKERS = PROJECT_ROOT / "kb" / "models"


def calibrate_corpus(settings: Settings, corpus: Path, queries_path: Path, examples: Path | None = None,
                     skip_unknown: bool = False, embedders=None) -> dict:
    """Index ``corpus`` (with ``examples`` as similar questions), fit every setup's ranker on the
    labelled ``queries_path`` and write them to ``settings.ranker_dir``; returns what was fitted,
    with the out-of-fold figures."""
    from eval.calibrate import collect, fit_setup, summarise
    from eval.examples import attach
    from eval.run import index_corpus
    from indexer.index import Index
    from kb import ranker
    from kb.embedders import create_all
    from kb.search import SYSTEMS
    if Path(settings.ranker_dir).resolve() == BUNDLED_RANKERS.resolve():
        raise DataFileError(corpus, 0, "set KB_RANKER_DIR to a folder of its own: a ranker fitted on an "
                                       "external corpus must not replace the bundled content's (kb/models)")
    warnings: list[str] = []
    attached = attach(examples, corpus, queries_path, skip_unknown, warnings)
    embedders = embedders or create_all(settings.embedders, settings.threads, settings.st_model)
    workdir = Path(tempfile.mkdtemp(prefix="kb-calibrate-"))
    try:
        local, known = index_corpus(corpus, workdir, settings, embedders,
                                    similar=attached.similar if attached else None)
        snapshot = Index.open(local, embedders).snapshot()
        queries = read_queries(queries_path, known, skip_unknown, warnings)
        found = collect(snapshot, queries, embedders, local)
        fitted_on = (f"{corpus.name}{f' + {examples.name} ({attached.attached} similar questions)' if attached else ''}"
                     f"; {queries_path.name}: {len(found)} queries")
        summary: dict = {"warnings": warnings}
        Path(settings.ranker_dir).mkdir(parents=True, exist_ok=True)
        for system in SYSTEMS:
            model, outcomes = fit_setup(found, system, snapshot, fitted_on=fitted_on)
            path = ranker.save(model, settings.ranker_dir)
            summary[model.setup] = {"file": str(path), **summarise(model, outcomes)}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return summary
