"""Staff sign-in: a password checked against an argon2id hash from the environment, with tries
throttled per client and for the whole process, every attempt recorded, and sessions that end
after idle time. No hash configured: no staff area.

Hashes are argon2id at OWASP's recommended minimum (19 MiB of memory, 2 passes, 1 lane; see the
OWASP Password Storage Cheat Sheet). Hashes made before (``scrypt$n$r$p$salt$hash``) still verify;
after a successful sign-in with one, the password is hashed again with argon2id and the new hash
is kept in a private file in the data folder (``upgrade_file``), bound to the configured value it
replaces: change ``KB_STAFF_PASSWORD_HASH`` and the file no longer applies. The operator is told,
in the log, to put the new hash into the environment.

For a real deployment, put the staff area behind the bank's single sign-on (README: "Staff
sign-in"); this password is the fallback for a single host.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import math
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import Type

from kb.errors import SignInError

log = logging.getLogger("portal.auth")

# OWASP Password Storage Cheat Sheet, argon2id: m=19456 KiB (19 MiB), t=2, p=1.
ARGON2 = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16,
                        type=Type.ID)
FREE_TRIES = 3  # wrong tries per client before waiting starts
GLOBAL_FREE_TRIES = 10  # wrong tries from all clients together before everyone waits
MAX_WAIT = 300.0  # seconds
FORGET_AFTER = 3600.0  # a client quiet this long starts afresh
MAX_CLIENTS = 10_000  # clients remembered at once; the oldest are forgotten first
_MAX_EXPONENT = math.ceil(math.log2(MAX_WAIT)) + 1  # 2.0 ** n never grows past this


def hash_password(password: str) -> str:
    """An argon2id hash (``$argon2id$v=19$m=19456,t=2,p=1$salt$hash``): what
    KB_STAFF_PASSWORD_HASH holds."""
    return ARGON2.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (argon2id, or a legacy scrypt hash). A malformed
    hash never signs anyone in."""
    if not isinstance(stored, str):
        return False
    if stored.startswith("$argon2"):
        try:
            return ARGON2.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError, ValueError):
            return False
    return _verify_scrypt(password, stored)


def needs_upgrade(stored: str) -> bool:
    """True for a legacy scrypt hash, or an argon2 hash made with weaker parameters."""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return ARGON2.check_needs_rehash(stored)
    except (InvalidHashError, ValueError):
        return True


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), dklen=32,
                                n=int(n), r=int(r), p=int(p), maxmem=2 ** 28)
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except (ValueError, TypeError, MemoryError):  # malformed, or parameters past the memory cap
        return False


# ---- the upgraded hash ------------------------------------------------------------------------

def _fingerprint(configured: str) -> str:
    return hashlib.sha256(configured.encode("utf-8")).hexdigest()


def current_hash(configured: str, upgrade_file: Path | None) -> str:
    """The hash to check: the upgraded one in ``upgrade_file`` if it replaces exactly
    ``configured``, else ``configured``."""
    if upgrade_file is None:
        return configured
    try:
        saved = json.loads(upgrade_file.read_text(encoding="utf-8"))
        if saved.get("replaces") == _fingerprint(configured) and isinstance(saved.get("hash"), str):
            return saved["hash"]
    except FileNotFoundError:
        pass
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("ignoring the upgraded staff password hash in %s: %s", upgrade_file, exc)
    return configured


def save_upgrade(configured: str, new_hash: str, upgrade_file: Path) -> None:
    """Keep ``new_hash`` in ``upgrade_file`` (0600, written atomically) for as long as the
    environment still holds ``configured``."""
    upgrade_file.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"replaces": _fingerprint(configured), "hash": new_hash})
    handle, temporary = tempfile.mkstemp(dir=upgrade_file.parent, prefix=".staff-hash-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp creates it 0600
            out.write(payload)
        os.replace(temporary, upgrade_file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---- throttling -------------------------------------------------------------------------------

@dataclass
class _Tries:
    count: int = 0  # tries not (yet) known to be right
    last: float = 0.0


def _wait(tries: _Tries, free: int, now: float) -> float:
    if tries.count < free:
        return 0.0
    exponent = min(tries.count - free + 1, _MAX_EXPONENT)  # capped: 2.0 ** n cannot overflow
    return max(0.0, tries.last + min(MAX_WAIT, 2.0 ** exponent) - now)


class Throttle:
    """Tries counted per client and for the whole process (a new browser session must not reset
    them). A try is counted when it starts, before the password is checked, so parallel tries
    cannot all slip through: after ``FREE_TRIES`` for one client, or ``GLOBAL_FREE_TRIES`` for
    everyone, each further try waits twice as long as the one before, up to ``MAX_WAIT``.
    A right password takes its own try back."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, free_tries: int = FREE_TRIES,
                 global_free_tries: int = GLOBAL_FREE_TRIES, max_clients: int = MAX_CLIENTS):
        self.clock = clock
        self.free_tries, self.global_free_tries, self.max_clients = free_tries, global_free_tries, max_clients
        self._clients: dict[str, _Tries] = {}
        self._all = _Tries()
        self._lock = threading.Lock()

    def begin(self, client: str = "") -> float:
        """Count a try by ``client`` and return 0, or, if it must wait, count nothing and return
        the seconds left to wait."""
        with self._lock:
            now = self.clock()
            self._forget(now)
            tries = self._clients.get(client) or _Tries()
            wait = max(_wait(tries, self.free_tries, now), _wait(self._all, self.global_free_tries, now))
            if wait > 0:
                return wait
            for counted in (tries, self._all):
                counted.count += 1
                counted.last = now
            self._clients.pop(client, None)
            self._clients[client] = tries  # most recent last: eviction takes the oldest
            return 0.0

    def succeeded(self, client: str = "") -> None:
        """The try ``client`` began was right: forget its tries, give back its global one."""
        with self._lock:
            self._clients.pop(client, None)
            self._all.count = max(0, self._all.count - 1)

    def wait_left(self, client: str = "") -> float:
        with self._lock:
            now = self.clock()
            tries = self._clients.get(client) or _Tries()
            return max(_wait(tries, self.free_tries, now), _wait(self._all, self.global_free_tries, now))

    def _forget(self, now: float) -> None:
        for client in [c for c, t in self._clients.items() if now - t.last > FORGET_AFTER]:
            del self._clients[client]
        while len(self._clients) >= self.max_clients:
            del self._clients[next(iter(self._clients))]
        if now - self._all.last > FORGET_AFTER:
            self._all.count = 0


# ---- signing in -------------------------------------------------------------------------------

def sign_in(password: str, configured: str | None, throttle: Throttle, *, client: str = "",
            record: Callable[[str], None] | None = None, upgrade_file: Path | None = None) -> None:
    """Raise ``SignInError`` unless ``password`` matches; never says which part was wrong.

    ``client`` keys the throttle (a hash of the client's address). ``record(result)`` is called
    for every attempt with ``ok``, ``wrong`` or ``throttled`` (the portal writes it to the log
    store). After a right password checked against an outdated hash, an argon2id hash of it is
    saved to ``upgrade_file`` and the operator is told how to move it into the environment.
    """
    if not configured:
        raise SignInError("the staff area is switched off: KB_STAFF_PASSWORD_HASH is not set")
    notify = record or (lambda result: None)
    wait = throttle.begin(client)
    if wait > 0:
        notify("throttled")
        raise SignInError(f"too many wrong passwords: try again in {math.ceil(wait)} s")
    stored = current_hash(configured, upgrade_file)
    if not verify_password(password, stored):
        notify("wrong")
        raise SignInError("wrong password")
    throttle.succeeded(client)
    notify("ok")
    if needs_upgrade(stored):
        _upgrade(password, configured, upgrade_file)


def _upgrade(password: str, configured: str, upgrade_file: Path | None) -> None:
    new_hash = hash_password(password)
    if upgrade_file is None:
        log.warning("KB_STAFF_PASSWORD_HASH uses an outdated scheme; replace it with the output of "
                    "'python -m portal hash-password'")
        return
    try:
        save_upgrade(configured, new_hash, upgrade_file)
    except OSError as exc:
        log.warning("KB_STAFF_PASSWORD_HASH uses an outdated scheme and the upgraded hash could not "
                    "be saved to %s (%s); replace it with the output of 'python -m portal "
                    "hash-password'", upgrade_file, exc)
        return
    log.warning("the staff password hash was upgraded to argon2id and saved in %s (private, used "
                "instead of KB_STAFF_PASSWORD_HASH while that stays unchanged); to keep it in the "
                "environment, set KB_STAFF_PASSWORD_HASH to the \"hash\" value in that file and "
                "delete the file", upgrade_file)


# ---- idle sessions ----------------------------------------------------------------------------

def still_active(last_active: float | None, now: float, idle_seconds: float) -> bool:
    """Whether a staff session last used at ``last_active`` may go on at ``now``: signed in, and
    idle for no more than ``idle_seconds``."""
    return last_active is not None and 0 <= now - last_active <= idle_seconds
