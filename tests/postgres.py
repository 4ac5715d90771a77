"""A throw-away PostgreSQL server on 127.0.0.1 for the store tests, from the installed binaries."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

SUPERUSER = "kb"


class PostgresServer:
    """A running server; ``database(name)`` creates an empty database and returns its URL;
    ``stop()`` shuts it down now, as an outage would (the context manager's exit then does nothing)."""

    def __init__(self, port: int, stop=None):
        self.port = port
        self._stop = stop

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()

    def database(self, name: str) -> str:
        import psycopg
        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{name}"


def find_binaries() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and pg_ctl."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")
             if (Path(p).parent / "pg_ctl").exists()]
    return max(found, key=lambda path: _version(path.parent.name), default=None)


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """Start a server in a temporary folder, wait until it accepts connections, stop it after."""
    binaries = find_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                    "`make test-tools` installs it")
    # initdb refuses to run as root: as root, the cluster belongs to the postgres system user.
    as_user: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' system user to run initdb as")
        as_user = ["runuser", "-u", "postgres", "--"]
    # Not under pytest's tmp_path: its 0700 parent folders would shut the postgres user out.
    root = Path(tempfile.mkdtemp(prefix="kb-postgres-"))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, log = root / "data", root / "server.log"
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], cwd=root, check=True, timeout=60,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def stop() -> None:
        subprocess.run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       cwd=root, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    try:
        run(str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync")
        # fsync off: a test database need not survive a power cut, and it halves start-up.
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "30",
            "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off", "start")
    except subprocess.CalledProcessError as exc:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start:\n{exc.stdout.decode(errors='replace')}\n"
                           f"{server_log}") from exc
    try:
        _wait_for(port)
        yield PostgresServer(port, stop)
    finally:
        stop()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(port: int, seconds: float = 30.0) -> None:
    import psycopg
    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres",
                            connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())
