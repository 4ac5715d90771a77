"""Staff sign-in: a password checked against a scrypt hash from the environment, compared in
constant time, with tries slowed down after a few wrong ones. No hash configured: no staff area."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from typing import Callable

from kb.errors import SignInError

SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
FREE_TRIES = 3  # wrong tries before waiting starts
MAX_WAIT = 300.0  # seconds


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64): what KB_STAFF_PASSWORD_HASH holds."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **SCRYPT)
    encode = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${encode(salt)}${encode(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), dklen=32,
                                n=int(n), r=int(r), p=int(p), maxmem=2 ** 26)
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except (ValueError, TypeError):  # a malformed hash in the environment never signs anyone in
        return False


class Throttle:
    """Wrong tries, counted for the whole process (a new browser session must not reset them):
    after ``FREE_TRIES`` each further try waits twice as long as the one before."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.failures = 0
        self.last_failure = 0.0
        self._lock = threading.Lock()

    def wait_left(self) -> float:
        with self._lock:
            if self.failures < FREE_TRIES:
                return 0.0
            wait = min(MAX_WAIT, 2.0 ** (self.failures - FREE_TRIES + 1))
            return max(0.0, self.last_failure + wait - self.clock())

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            self.last_failure = self.clock()

    def succeeded(self) -> None:
        with self._lock:
            self.failures = 0


def sign_in(password: str, stored_hash: str | None, throttle: Throttle) -> None:
    """Raise ``SignInError`` unless ``password`` matches; never says which part was wrong."""
    if not stored_hash:
        raise SignInError("the staff area is switched off: KB_STAFF_PASSWORD_HASH is not set")
    wait = throttle.wait_left()
    if wait > 0:
        raise SignInError(f"too many wrong passwords: try again in {wait:.0f} s")
    if not verify_password(password, stored_hash):
        throttle.failed()
        raise SignInError("wrong password")
    throttle.succeeded()
