"""A circuit breaker per channel endpoint: when the relay or gateway as a whole does not answer,
the worker stops trying messages on it (their attempts are not spent) and probes the endpoint on an
exponential schedule instead; the first probe that connects closes the breaker and delivery resumes.

The state lives in the worker process (each notifier process finds out for itself); it is keyed by
the endpoint, so two configurations never share a breaker.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

log = logging.getLogger("notifier.breaker")


@dataclass
class Breaker:
    key: str
    base_seconds: float
    cap_seconds: float
    failures: int = 0
    probe_at: float = 0.0
    reason: str = ""

    @property
    def is_open(self) -> bool:
        return self.failures > 0

    def probe_due(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) >= self.probe_at

    def trip(self, reason: str, retry_after: float | None = None, now: float | None = None) -> float:
        """Open (or keep open) the breaker; returns the seconds until the next probe."""
        now = time.monotonic() if now is None else now
        self.failures += 1
        delay = min(self.cap_seconds, self.base_seconds * 2 ** min(self.failures - 1, 32))
        if retry_after:
            delay = max(delay, min(retry_after, self.cap_seconds))
        self.probe_at = now + delay
        self.reason = reason
        if self.failures == 1:
            log.warning("%s is down (%s): backing off the channel, next probe in %.1f s", self.key, reason, delay)
        return delay

    def close(self) -> None:
        if self.failures:
            log.warning("%s answers again after %d failed probes: resuming delivery", self.key, self.failures - 1)
        self.failures = 0
        self.probe_at = 0.0
        self.reason = ""


class Breakers:
    def __init__(self):
        self._breakers: dict[str, Breaker] = {}
        self._lock = threading.Lock()

    def get(self, key: str, base_seconds: float, cap_seconds: float) -> Breaker:
        with self._lock:
            breaker = self._breakers.get(key)
            if breaker is None:
                breaker = self._breakers[key] = Breaker(key, base_seconds, cap_seconds)
            breaker.base_seconds, breaker.cap_seconds = base_seconds, cap_seconds
            return breaker


BREAKERS = Breakers()
