"""The Freshdesk stand-in's rate limits: per account and per endpoint class, per minute, by plan
(D-limits: KB 225439), with the ``X-RateLimit-*`` headers on every answer and ``429`` with
``Retry-After`` past a limit (D-ratelimit).

Whether Freshdesk's window is a fixed calendar minute or a sliding one is not in the sources;
the stand-in counts calendar minutes of its clock. Every call counts one credit (an ``include``
costs more on Freshdesk: not modelled).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime

# Calls per minute: (total, ticket create, ticket update, tickets list, contacts list).
PLANS: dict[str, tuple[int, int, int, int, int]] = {
    "growth": (200, 80, 80, 20, 20),
    "pro": (400, 160, 160, 100, 100),
    "enterprise": (700, 280, 280, 200, 200),
    "trial": (50, 50, 50, 50, 50),
}
_TICKET = re.compile(r"/api/v2/tickets/\d+")


def endpoint_class(method: str, path: str) -> int | None:
    """The index into a plan's tuple of the class a request counts against, if any."""
    if path.rstrip("/") == "/api/v2/tickets":
        return 3 if method == "GET" else 1
    if method == "PUT" and _TICKET.fullmatch(path):
        return 2
    if method == "GET" and path.rstrip("/") == "/api/v2/contacts":
        return 4
    return None


class RateLimits:
    def __init__(self, plan: str, clock: Callable[[], datetime]) -> None:
        self.plan = plan
        self._clock = clock
        self._minute = -1
        self._used: Counter[int] = Counter()
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._used.clear()

    def spend(self, method: str, path: str) -> tuple[dict[str, str], float | None]:
        """Count a call; the headers to answer with, and the wait if it is over a limit."""
        limits = PLANS[self.plan]
        now = self._clock()
        minute = int(now.timestamp() // 60)
        with self._lock:
            if minute != self._minute:
                self._minute, self._used = minute, Counter()
            kind = endpoint_class(method, path)
            over = self._used[0] >= limits[0] or (
                kind is not None and self._used[kind] >= limits[kind]
            )
            if not over:
                self._used[0] += 1
                if kind is not None:
                    self._used[kind] += 1
            headers = {
                "X-RateLimit-Total": str(limits[0]),
                "X-RateLimit-Remaining": str(max(0, limits[0] - self._used[0])),
                "X-RateLimit-Used-CurrentRequest": "0" if over else "1",
            }
        wait = 60 - now.timestamp() % 60 if over else None
        return headers, wait
