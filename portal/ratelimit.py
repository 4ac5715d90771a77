"""A per-session limit on questions, so one browser (or script) cannot keep the models busy for
everyone else. Pure: the clock is passed in; the portal keeps one limiter in each session."""
from __future__ import annotations

from collections import deque


class RateLimit:
    """At most ``per_minute`` events in any 60-second window (a sliding window, not buckets)."""

    WINDOW = 60.0

    def __init__(self, per_minute: int):
        if per_minute < 1:
            raise ValueError(f"per_minute must be at least 1, got {per_minute}")
        self.per_minute = per_minute
        self._times: deque[float] = deque()

    def allow(self, now: float) -> bool:
        """Count an event at ``now`` (seconds, monotonic) if the window has room; say whether it did."""
        while self._times and now - self._times[0] >= self.WINDOW:
            self._times.popleft()
        if len(self._times) >= self.per_minute:
            return False
        self._times.append(now)
        return True
