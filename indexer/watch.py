"""``python -m indexer watch``: re-index whenever an editor saves a file under the content folder."""
from __future__ import annotations

import logging
import time

from kb.embedders import create_all
from kb.errors import IndexBuildError, KbError
from kb.settings import Settings

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0


def watch(settings: Settings, debounce: float = 0.5, stop_event=None, embedders=None,
          quiet: bool = False) -> int:
    """Build now, then again after every change under the content folder, until ``stop_event``.
    ``quiet`` logs the errors and one line per build, not every warning (for the portal's own
    watcher)."""
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
        except Exception:  # a bug must not stop re-indexing for good: the next save tries again
            log.exception("the index build crashed; the live index keeps serving and the watcher "
                          "goes on (it builds again on the next save)")
            return
        # Quiet (the portal's own watcher) still names every file that fails, with its error.
        for problem in report.problems:
            if not quiet or problem.severity == "error":
                log.warning("%s", problem)
        log.info("%s", report.summary())

    rebuild()
    while stop_event is None or not stop_event.is_set():
        log.info("watching %s for changes", settings.content_dir)
        try:
            for _changes in file_changes(settings.content_dir, debounce=int(debounce * 1000),
                                         stop_event=stop_event, watch_filter=_content_file,
                                         raise_interrupt=False):
                rebuild()
            return 0
        except Exception:  # the folder vanished or the OS refused a watch: wait, then watch again
            log.exception("watching %s failed; the watcher tries again in %.0f s", settings.content_dir,
                          RETRY_SECONDS)
            if stop_event is not None:
                stop_event.wait(RETRY_SECONDS)
            else:
                time.sleep(RETRY_SECONDS)
    return 0


def _content_file(_change, path: str) -> bool:
    return path.endswith((".md", ".yml", ".yaml"))
