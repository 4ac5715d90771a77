"""Where index versions live on disk and how the live one is named.

    <data_dir>/index/
        CURRENT             the id of the live build, replaced atomically
        .lock               held by the one build that may run at a time
        builds/<id>/        a finished build: manifest.json, catalog.json, keyword/ (BM25),
                            chroma/ (local mode)
        builds/<id>.partial a build in progress, or the remains of one that was killed
"""
from __future__ import annotations

import contextlib
import fcntl
import orjson
import os
import secrets
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from kb.errors import IndexBuildError

PARTIAL = ".partial"
KEEP_PREVIOUS = 1  # a portal that opened the previous build a moment ago may still be reading it


class Layout:
    def __init__(self, index_dir: Path):
        self.root = Path(index_dir)
        self.builds = self.root / "builds"
        self.pointer = self.root / "CURRENT"

    def current_id(self) -> str | None:
        try:
            build_id = self.pointer.read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError:
            return None
        return build_id or None

    def build_dir(self, build_id: str) -> Path:
        return self.builds / build_id

    def new_build_id(self) -> str:
        return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One build at a time. The lock is released by the kernel if the build is killed."""
        self.builds.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBuildError("another index build is running; wait for it to finish") from None
            yield

    def publish(self, build_id: str) -> None:
        """Make ``build_id`` the live build: write the pointer beside, then rename over."""
        temporary = self.pointer.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(build_id + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.pointer)
        _fsync_dir(self.root)

    def remove_stale(self, keep: set[str]) -> list[str]:
        """Delete killed builds and old ones, keeping ``keep`` and the newest previous builds.
        Call only while holding the lock."""
        if not self.builds.exists():
            return []
        finished = sorted((p for p in self.builds.iterdir() if not p.name.endswith(PARTIAL)),
                          key=lambda p: p.name)
        old = [p for p in finished if p.name not in keep]
        doomed = [p for p in self.builds.iterdir() if p.name.endswith(PARTIAL)]
        doomed += old[:-KEEP_PREVIOUS] if KEEP_PREVIOUS else old
        for path in doomed:
            shutil.rmtree(path, ignore_errors=True)
        return [p.name for p in doomed]

    def finished_ids(self) -> list[str]:
        if not self.builds.exists():
            return []
        return sorted(p.name for p in self.builds.iterdir() if not p.name.endswith(PARTIAL))


def write_json(path: Path, value: Any) -> None:
    # orjson (already a dependency of chromadb) is several times faster than json on the
    # catalog, which is most of the time a one-article re-index takes.
    with open(path, "wb") as handle:
        handle.write(orjson.dumps(value))
        handle.flush()
        os.fsync(handle.fileno())


def read_json(path: Path) -> Any:
    with open(path, "rb") as handle:
        return orjson.loads(handle.read())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Flush every file of a finished build to disk before it is published."""
    for folder, _dirs, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(folder))
