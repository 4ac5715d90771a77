"""Staff sign-in: hashes, constant-time check, throttling; and grouping of similar questions."""
from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading

import numpy as np
import pytest
from argon2 import PasswordHasher

from kb.errors import SignInError
from kb.grouping import group_similar, representative
from portal.auth import (FREE_TRIES, GLOBAL_FREE_TRIES, MAX_WAIT, Throttle, current_hash, hash_password,
                         needs_upgrade, sign_in, still_active, verify_password)

PASSWORD = "a long staff password"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def scrypt_hash(password: str, n: int = 2 ** 14) -> str:
    """A hash as the portal made them before argon2id (``scrypt$n$r$p$salt$hash``)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, dklen=32)
    return f"scrypt${n}$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_hashes_are_argon2id_at_owasp_parameters():
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and PASSWORD not in stored
    assert verify_password(PASSWORD, stored)
    assert not verify_password("a long staff passworD", stored)
    assert hash_password("same") != hash_password("same")  # salted
    assert not needs_upgrade(stored)


def test_older_scrypt_hashes_still_verify_and_need_an_upgrade():
    stored = scrypt_hash(PASSWORD)
    assert verify_password(PASSWORD, stored) and not verify_password("wrong", stored)
    assert needs_upgrade(stored)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    assert verify_password(PASSWORD, weak) and needs_upgrade(weak)


@pytest.mark.parametrize("stored", ["", "plain-text", "scrypt$x$y$z$salt$hash", "md5$abc", "scrypt$1$1$1$!!$!!",
                                    "$argon2id$v=19$m=19456,t=2,p=1$bad", "$argon2id$garbage"])
def test_malformed_hashes_never_sign_anyone_in(stored):
    assert verify_password("anything", stored) is False


def test_no_configured_hash_means_no_staff_area():
    with pytest.raises(SignInError, match="switched off"):
        sign_in("anything", None, Throttle())


def test_wrong_tries_slow_down_further_tries_even_the_right_one():
    clock = Clock()
    throttle = Throttle(clock)
    stored = hash_password(PASSWORD)
    for _ in range(FREE_TRIES):
        with pytest.raises(SignInError, match="wrong password"):
            sign_in("wrong", stored, throttle, client="a")
    with pytest.raises(SignInError, match="too many wrong passwords: try again in 2 s"):
        sign_in(PASSWORD, stored, throttle, client="a")
    clock.now += 2
    sign_in(PASSWORD, stored, throttle, client="a")  # after the wait, the right one works
    assert throttle.wait_left("a") == 0.0


def test_a_try_is_counted_before_it_is_checked_so_parallel_tries_do_not_all_get_through():
    stored = hash_password(PASSWORD)
    throttle = Throttle()
    results: list[str] = []
    start = threading.Barrier(20)

    def attempt() -> None:
        start.wait()
        with pytest.raises(SignInError):
            sign_in("wrong guess", stored, throttle, client="attacker", record=results.append)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["throttled"] * (20 - FREE_TRIES) + ["wrong"] * FREE_TRIES


def test_tries_are_throttled_per_client_and_for_everyone():
    clock = Clock()
    throttle = Throttle(clock)
    stored = hash_password(PASSWORD)
    for _ in range(FREE_TRIES):
        with pytest.raises(SignInError, match="wrong password"):
            sign_in("wrong", stored, throttle, client="attacker")
    with pytest.raises(SignInError, match="too many"):
        sign_in(PASSWORD, stored, throttle, client="attacker")
    sign_in(PASSWORD, stored, throttle, client="staff")  # another client is not held up by one attacker
    # One wrong try from each of many addresses: after the global allowance everyone waits.
    for n in range(GLOBAL_FREE_TRIES - FREE_TRIES):
        with pytest.raises(SignInError, match="wrong password"):
            sign_in("wrong", stored, throttle, client=f"botnet-{n}")
    with pytest.raises(SignInError, match="too many"):
        sign_in(PASSWORD, stored, throttle, client="staff")
    clock.now += 2
    sign_in(PASSWORD, stored, throttle, client="staff")


def test_waits_double_are_capped_and_never_overflow():
    clock = Clock()
    throttle = Throttle(clock, global_free_tries=10 ** 9)
    waits = []
    for _ in range(2000):  # 2.0 ** 1026 raised OverflowError before, locking staff out until restart
        assert throttle.begin("a") == 0.0
        waits.append(throttle.wait_left("a"))
        clock.now += waits[-1]
    assert waits[:FREE_TRIES - 1] == [0.0] * (FREE_TRIES - 1)
    assert waits[FREE_TRIES - 1:FREE_TRIES + 2] == [2.0, 4.0, 8.0]
    assert max(waits) == MAX_WAIT == waits[-1]


def test_many_clients_are_remembered_within_a_bound():
    throttle = Throttle(Clock(), max_clients=100, global_free_tries=10 ** 9)
    for n in range(1000):
        throttle.begin(f"client-{n}")
    assert len(throttle._clients) <= 100


def test_every_sign_in_is_recorded():
    clock = Clock()
    stored = hash_password(PASSWORD)
    results: list[str] = []
    throttle = Throttle(clock)
    for password in ("wrong", PASSWORD, "wrong", "wrong", "wrong", PASSWORD):
        try:
            sign_in(password, stored, throttle, client="c", record=results.append)
        except SignInError:
            pass
    assert results == ["wrong", "ok", "wrong", "wrong", "wrong", "throttled"]


def test_an_old_hash_is_upgraded_on_sign_in_into_a_private_file(tmp_path, caplog):
    old = scrypt_hash(PASSWORD)
    upgrade = tmp_path / "data" / "staff-password.json"
    with caplog.at_level(logging.WARNING, logger="portal.auth"):
        sign_in(PASSWORD, old, Throttle(), upgrade_file=upgrade)
    assert upgrade.stat().st_mode & 0o777 == 0o600
    new = current_hash(old, upgrade)
    assert new.startswith("$argon2id$") and verify_password(PASSWORD, new)
    assert "KB_STAFF_PASSWORD_HASH" in caplog.text and str(upgrade) in caplog.text
    assert new not in caplog.text  # the log says where the hash is, not the hash
    sign_in(PASSWORD, old, Throttle(), upgrade_file=upgrade)  # now checked against argon2id
    with pytest.raises(SignInError, match="wrong password"):
        sign_in("wrong", old, Throttle(), upgrade_file=upgrade)
    # A new password in the environment: the upgrade of the old one no longer applies.
    other = hash_password("another long password")
    assert current_hash(other, upgrade) == other
    sign_in("another long password", other, Throttle(), upgrade_file=upgrade)


@pytest.mark.parametrize("last_active, now, expected", [
    (None, 1000.0, False), (1000.0, 1000.0, True), (1000.0, 1000.0 + 900, True),
    (1000.0, 1000.0 + 900.5, False), (1000.0, 999.0, False)])
def test_staff_sessions_end_after_idle_time(last_active, now, expected):
    assert still_active(last_active, now, idle_seconds=900) is expected


def test_group_similar_puts_near_vectors_together():
    vectors = np.array([[1, 0], [0.99, 0.141], [0, 1], [0.1, 0.995], [1, 0.01]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert group_similar(vectors, threshold=0.9) == [[0, 1, 4], [2, 3]]
    assert group_similar(np.zeros((0, 2), dtype=np.float32)) == []


def test_representative_is_the_most_asked_wording():
    texts = ["Lost card", "lost  card", "my card is gone"]
    assert representative(texts, [2, 0, 1]) == "Lost card"
