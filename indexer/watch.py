"""``python -m indexer watch``: re-index whenever an editor saves a file under the content folder."""
from __future__ import annotations

import logging
import sys

from kb.embedders import create_all
from kb.errors import KbError
from kb.settings import Settings

log = logging.getLogger(__name__)


def watch(settings: Settings, debounce: float = 0.5, stop_event=None) -> int:
    from watchfiles import watch as file_changes
    from indexer.build import build
    embedders = create_all(settings.embedders, settings.threads, settings.st_model)  # load once

    def rebuild() -> None:
        try:
            report = build(settings, embedders=embedders)
        except KbError as exc:  # the live index keeps serving; say why and wait for the next save
            print(f"error: {exc}", file=sys.stderr)
            return
        for problem in report.problems:
            print(problem, file=sys.stderr)
        print(report.summary(), flush=True)

    rebuild()
    print(f"watching {settings.content_dir} for changes (Ctrl+C to stop)", flush=True)
    for _changes in file_changes(settings.content_dir, debounce=int(debounce * 1000),
                                 stop_event=stop_event, watch_filter=_content_file):
        rebuild()
    return 0


def _content_file(_change, path: str) -> bool:
    return path.endswith((".md", ".yml", ".yaml"))
