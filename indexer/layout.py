"""Where index versions live on disk and how the live one is named.

    <data_dir>/index/
        CURRENT             the id of the live build, replaced atomically
        NAMESPACE           a random id of this data folder, made once: on a shared Chroma
                            server, this folder's collections are named after it
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
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from kb.errors import IndexBuildError

PARTIAL = ".partial"


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
        # Microseconds: ids sort in the order builds were made, which ``stale`` relies on, even
        # for builds made within one second of each other (an editor saving twice).
        return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(3)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One build at a time. The lock is released by the kernel if the build is killed."""
        if not self.root.parent.exists():  # the data folder: private, it also holds the search log
            self.root.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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

    def namespace(self) -> str:
        """This data folder's stable id, made on first use; a copy of the folder (found at
        another path) gets its own. Call only while holding the lock."""
        path, here = self.root / "NAMESPACE", str(self.root.resolve())
        try:
            value, _, made_at = path.read_text(encoding="utf-8").strip().partition(" ")
        except FileNotFoundError:
            value = made_at = ""
        if not value or made_at != here:
            value = secrets.token_hex(6)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(f"{value} {here}\n", encoding="utf-8")
            os.replace(temporary, path)
        return value

    def stale(self, keep: set[str], keep_seconds: float, now: float | None = None) -> list[Path]:
        """Killed builds, and finished builds replaced more than ``keep_seconds`` ago.

        Age, not count: a portal switches to a new build within a second or two and keeps the
        one it replaced open for the searches already running on it, so a build is safe to delete
        only some time after it was replaced, however many builds came since. The build just
        before the newest of ``keep`` stays too: a portal that cannot open a new build keeps
        serving the one it has. A build counts as replaced when the next one finished (its
        manifest, the last file written before publishing)."""
        if not self.builds.exists():
            return []
        now = time.time() if now is None else now
        finished = sorted((p for p in self.builds.iterdir() if not p.name.endswith(PARTIAL)),
                          key=lambda p: p.name)
        doomed = [p for p in self.builds.iterdir() if p.name.endswith(PARTIAL)]
        kept = [i for i, p in enumerate(finished) if p.name in keep]
        previous = finished[kept[-1] - 1].name if kept and kept[-1] > 0 else None
        for i, path in enumerate(finished):
            if path.name in keep or path.name == previous:
                continue
            successor = finished[i + 1] if i + 1 < len(finished) else path
            try:
                replaced_at = (successor / "manifest.json").stat().st_mtime
            except OSError:
                replaced_at = (successor).stat().st_mtime
            if now - replaced_at > keep_seconds:
                doomed.append(path)
        return doomed

    def remove_stale(self, keep: set[str], keep_seconds: float, now: float | None = None,
                     doomed: list[Path] | None = None) -> list[str]:
        """Delete what ``stale`` names (or ``doomed``). Call only while holding the lock."""
        doomed = self.stale(keep, keep_seconds, now) if doomed is None else doomed
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
