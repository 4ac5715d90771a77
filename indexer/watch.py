"""``python -m indexer watch``: re-index whenever an editor saves a file under the content folder."""
from __future__ import annotations

import logging

from kb.embedders import create_all
from kb.errors import IndexBuildError, KbError
from kb.settings import Settings

log = logging.getLogger(__name__)


def watch(settings: Settings, debounce: float = 0.5, stop_event=None, embedders=None,
          quiet: bool = False) -> int:
    """Build now, then again after every change under the content folder, until ``stop_event``.
    ``quiet`` logs one line per build instead of every problem (for the portal's own watcher)."""
    from watchfiles import watch as file_changes
    from indexer.build import build
    embedders = embedders or create_all(settings.embedders, settings.threads, settings.st_model)

    def rebuild() -> None:
        try:
            report = build(settings, embedders=embedders)
        except IndexBuildError as exc:  # another process is building, or this build failed
            log.warning("%s", exc)
            return
        except KbError as exc:  # the live index keeps serving; say why and wait for the next save
            log.error("%s", exc)
            return
        if not quiet:
            for problem in report.problems:
                log.warning("%s", problem)
        log.info("%s", report.summary())

    rebuild()
    log.info("watching %s for changes", settings.content_dir)
    for _changes in file_changes(settings.content_dir, debounce=int(debounce * 1000), stop_event=stop_event,
                                 watch_filter=_content_file, raise_interrupt=False):
        rebuild()
    return 0


def _content_file(_change, path: str) -> bool:
    return path.endswith((".md", ".yml", ".yaml"))
