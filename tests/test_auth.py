"""Staff sign-in: hashes, constant-time check, throttling; and grouping of similar questions."""
from __future__ import annotations

import numpy as np
import pytest

from kb.errors import SignInError
from kb.grouping import group_similar, representative
from portal.auth import FREE_TRIES, Throttle, hash_password, sign_in, verify_password


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_hash_and_verify():
    stored = hash_password("a long staff password")
    assert stored.startswith("scrypt$") and "a long staff password" not in stored
    assert verify_password("a long staff password", stored)
    assert not verify_password("a long staff passworD", stored)
    assert hash_password("same") != hash_password("same")  # salted


@pytest.mark.parametrize("stored", ["", "plain-text", "scrypt$x$y$z$salt$hash", "md5$abc", "scrypt$1$1$1$!!$!!"])
def test_malformed_hashes_never_sign_anyone_in(stored):
    assert verify_password("anything", stored) is False


def test_no_configured_hash_means_no_staff_area():
    with pytest.raises(SignInError, match="switched off"):
        sign_in("anything", None, Throttle())


def test_wrong_tries_slow_down_further_tries_even_the_right_one():
    clock = Clock()
    throttle = Throttle(clock)
    stored = hash_password("right password here")
    for _ in range(FREE_TRIES):
        with pytest.raises(SignInError, match="wrong password"):
            sign_in("wrong", stored, throttle)
    with pytest.raises(SignInError, match="too many wrong passwords: try again in 2 s"):
        sign_in("right password here", stored, throttle)
    clock.now += 2
    sign_in("right password here", stored, throttle)  # after the wait, the right one works
    assert throttle.failures == 0


def test_waits_double_and_are_capped():
    clock = Clock()
    throttle = Throttle(clock)
    waits = []
    for _ in range(15):
        throttle.failed()
        waits.append(throttle.wait_left())
    assert waits[:FREE_TRIES - 1] == [0.0] * (FREE_TRIES - 1)
    assert waits[FREE_TRIES - 1:FREE_TRIES + 2] == [2.0, 4.0, 8.0]
    assert max(waits) == 300.0


def test_group_similar_puts_near_vectors_together():
    vectors = np.array([[1, 0], [0.99, 0.141], [0, 1], [0.1, 0.995], [1, 0.01]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert group_similar(vectors, threshold=0.9) == [[0, 1, 4], [2, 3]]
    assert group_similar(np.zeros((0, 2), dtype=np.float32)) == []


def test_representative_is_the_most_asked_wording():
    texts = ["Lost card", "lost  card", "my card is gone"]
    assert representative(texts, [2, 0, 1]) == "Lost card"
