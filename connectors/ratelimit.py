"""A per-desk request budget: a token bucket that refuses instead of sleeping.

The worker must never block on a help desk's rate limit, so an empty bucket raises
``RetryableError`` with the wait in ``retry_after`` and the caller (sync, outbox) reschedules.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from connectors.base import RetryableError

Clock = Callable[[], float]


class TokenBucket:
    """``capacity`` requests at most, refilled at ``capacity`` per ``period`` seconds."""

    def __init__(self, capacity: float, *, period: float = 60.0, clock: Clock, name: str) -> None:
        if capacity <= 0 or period <= 0:
            raise ValueError("capacity and period must be positive")
        self.capacity = float(capacity)
        self.rate = self.capacity / period
        self.name = name
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()
        self._blocked_until = self._stamp
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._stamp)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._stamp = now

    def take(self, tokens: float = 1.0) -> None:
        """Spend ``tokens`` or raise ``RetryableError`` saying how long until they exist."""
        with self._lock:
            self._refill()
            if self._stamp < self._blocked_until:
                wait = self._blocked_until - self._stamp
            elif self._tokens >= tokens:
                self._tokens -= tokens
                return
            else:
                wait = (tokens - self._tokens) / self.rate
        raise RetryableError(
            f"{self.name}: request budget exhausted", status=None, retry_after=round(wait, 3)
        )

    def drain(self, retry_after: float) -> None:
        """The desk said 429: stop spending until its ``Retry-After`` has passed."""
        with self._lock:
            self._refill()
            self._blocked_until = max(self._blocked_until, self._stamp + retry_after)

    def cap(self, tokens: float) -> None:
        """The service says fewer calls are left than this bucket thinks: believe it."""
        with self._lock:
            self._refill()
            self._tokens = max(0.0, min(self._tokens, tokens))

    def remaining(self) -> int:
        with self._lock:
            self._refill()
            if self._stamp < self._blocked_until:
                return 0
            return max(0, int(self._tokens))


def plan_budget(per_minute: int, share: float) -> float:
    """The bridge's slice of a plan's per-minute limit (other integrations share the account)."""
    if not 0 < share <= 1:
        raise ValueError("budget share must be in (0, 1]")
    return max(1.0, per_minute * share)
