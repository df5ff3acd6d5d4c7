"""The per-evaluation context: collects decisions (skipping fired keys) and wake-up times."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from policies.calendar import INF, Clock, Interval
from policies.compiled import CompiledPolicy
from policies.model import Decision, DecisionKind, Explanation, Route, Severity, Tier

UTC = dt.UTC
TIER_NAMES = ("L0", "L1", "L2", "L3", "L4")


@lru_cache(maxsize=4096)  # one evaluation writes ``now`` and the same deadlines many times
def iso(t: float) -> str:
    if t == INF:
        return "paused (no deadline)"
    return dt.datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


def as_datetime(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, UTC)


class Context:
    """Everything one evaluation shares; ``emit`` builds a decision only if its key is new."""

    __slots__ = (
        "candidates",
        "decisions",
        "fired",
        "marks",
        "now",
        "pauses",
        "policy",
        "prefix",
        "requests",
        "sev",
    )

    def __init__(
        self,
        policy: CompiledPolicy,
        prefix: str,
        fired: Mapping[str, Any],
        now: float,
        sev: Severity,
        pauses: Sequence[Interval],
    ) -> None:
        self.policy = policy
        self.prefix = prefix
        self.fired = fired
        self.now = now
        self.sev = sev
        self.pauses = pauses
        self.decisions: list[Decision] = []
        self.candidates: list[float] = []
        self.marks: list[str] = []  # keys recorded in ``fired`` that are not decisions
        # Requests for management seen by now: (rule, what held, source), for severities whose
        # management column says "on request".
        self.requests: list[tuple[str, str, str]] = []

    def key(self, rule: str, tier: Tier | None, action: DecisionKind) -> str:
        # Plain attribute and tuple lookups: enum properties are slow in the hot path.
        if tier is None:
            return f"{self.prefix}{rule}:{action._value_}"
        return f"{self.prefix}{rule}:{TIER_NAMES[tier]}:{action._value_}"

    def fresh(self, key: str) -> bool:
        return key not in self.fired

    def wake(self, t: float) -> None:
        """A future moment at which a new decision becomes due."""
        if self.now < t < INF:
            self.candidates.append(t)

    def emit(
        self,
        key: str,
        rule: str,
        action: DecisionKind,
        tier: Tier,
        route: Route,
        text: str,
        source: str,
        inputs: Mapping[str, Any] | None = None,
        clock: Mapping[str, Any] | None = None,
        template: str | None = None,
    ) -> None:
        if key in self.fired:
            return
        reason = Explanation(rule, text, source, inputs or {}, clock or {})
        self.decisions.append(Decision(rule, action, tier, route, key, reason, self.sev, template))

    def next_check(self) -> dt.datetime | None:
        # Whole seconds, rounded up, so evaluating at the returned time always sees the change.
        if not self.candidates:
            return None
        return as_datetime(math.ceil(min(self.candidates) - 1e-6))

    def arithmetic(
        self, clock: Clock, start: float, limit: float, deadline: float
    ) -> dict[str, Any]:
        """The clock arithmetic behind a deadline, for the explanation."""
        end = min(self.now, deadline) if deadline < INF else self.now
        paused = [
            [iso(max(s, start)), None if e == INF else iso(e)]
            for s, e in self.pauses
            if e > start and s < end
        ]
        return {
            "clock": clock.name,
            "start": iso(start),
            "limit": clock.describe(limit),
            "elapsed": clock.describe(clock.active(start, self.now, self.pauses)),
            "paused": paused,
            "deadline": None if deadline == INF else iso(deadline),
            "now": iso(self.now),
        }
