"""The process metrics: pure functions over a ``Dataset`` (see ``load``), no I/O.

Every figure is about one cohort: the tickets created in the period, narrowed by team (a route an
escalation went to) and severity. Definitions are in the README (Measuring the process).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bridge.store.metric_facts import REPEAT_WINDOW, RESOLVED, Dataset, Key, TicketFacts

OVER_WINDOW = timedelta(hours=1)
EXAMPLES = 5  # tickets the report names as examples
RCA_DUE = timedelta(hours=48)
TTE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 15 min", 900),
    ("15-60 min", 3600),
    ("1-2 h", 7200),
    ("2-4 h", 14400),
    ("4-8 h", 28800),
    ("8-24 h", 86400),
    ("> 24 h", math.inf),
)


@dataclass(frozen=True)
class Filters:
    team: str | None = None
    severity: str | None = None


@dataclass(frozen=True)
class RuleKinds:
    """Which of the policy's rules escalate because of a CSAT rating, and which only because of
    who the customer is (VIP): the metrics treat both apart."""

    rating: frozenset[str] = frozenset()
    vip: frozenset[str] = frozenset()


@dataclass
class Metrics:
    since: datetime
    until: datetime
    filters: Filters
    tickets: int = 0
    escalated: int = 0
    tte_seconds: list[float] = field(default_factory=list)
    l2_total: int = 0
    l2_resolved: int = 0
    csat_scores: list[int] = field(default_factory=list)  # every rated escalated ticket
    # ...except those escalated because of that rating (their rating caused the escalation).
    csat_other_scores: list[int] = field(default_factory=list)
    repeats: int = 0
    repeat_reopened: int = 0  # of ``repeats``: the same ticket reopened and escalated again
    vip_only: int = 0  # escalated by the VIP rule alone: never a repeat
    breaches: Counter[tuple[str, str]] = field(default_factory=Counter)  # (tier, severity)
    warnings: Counter[tuple[str, str]] = field(default_factory=Counter)
    tier_seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    over: int = 0
    over_by_trigger: Counter[str] = field(default_factory=Counter)
    over_examples: list[tuple[str, str, str]] = field(default_factory=list)  # source, id, rule
    rca_written: list[tuple[str, str]] = field(default_factory=list)  # tickets with an RCA
    last_trigger: Counter[str] = field(default_factory=Counter)
    under: int = 0
    rca_due: int = 0
    rca_on_time: int = 0
    rca_pending: int = 0
    triggers: Counter[str] = field(default_factory=Counter)
    organizations: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    per_day: dict[date, int] = field(default_factory=dict)
    teams: list[str] = field(default_factory=list)

    @property
    def escalation_rate(self) -> float | None:
        return _ratio(self.escalated, self.tickets)

    @property
    def tte_avg(self) -> float | None:
        return sum(self.tte_seconds) / len(self.tte_seconds) if self.tte_seconds else None

    @property
    def tte_p90(self) -> float | None:
        return percentile(self.tte_seconds, 0.9)

    @property
    def l2_resolution_rate(self) -> float | None:
        return _ratio(self.l2_resolved, self.l2_total)

    @property
    def csat(self) -> float | None:
        """CSAT of escalated tickets not escalated because of their rating."""
        return _mean(self.csat_other_scores)

    @property
    def csat_all(self) -> float | None:
        """CSAT of every rated escalated ticket, low ratings that escalated included."""
        return _mean(self.csat_scores)

    @property
    def repeat_rate(self) -> float | None:
        return _ratio(self.repeats, self.escalated - self.vip_only)

    @property
    def over_rate(self) -> float | None:
        return _ratio(self.over, self.escalated)

    @property
    def rca_rate(self) -> float | None:
        return _ratio(self.rca_on_time, self.rca_due)

    def tier_average(self, tier: str) -> float | None:
        values = self.tier_seconds.get(tier, [])
        return sum(values) / len(values) if values else None

    def tte_histogram(self) -> list[tuple[str, int]]:
        counts = Counter(next(n for n, top in TTE_BUCKETS if v < top) for v in self.tte_seconds)
        return [(name, counts[name]) for name, _ in TTE_BUCKETS]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``q`` of the values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def severity_of(facts: TicketFacts, from_priority: Mapping[str | None, str]) -> str | None:
    """The severity the policy last decided with; before any decision, the priority's."""
    if facts.decisions:
        return facts.decisions[-1].severity
    return from_priority.get(facts.priority, from_priority.get(None))


def over_candidates(dataset: Dataset) -> list[TicketFacts]:
    """Escalated tickets solved within ``OVER_WINDOW`` of their last escalation."""
    out = []
    for facts in dataset.tickets:
        escalations = facts.escalations
        solved = facts.solved_at if facts.status in RESOLVED else None
        if escalations and solved is not None and solved - escalations[-1].at <= OVER_WINDOW:
            out.append(facts)
    return out


def summarize(
    dataset: Dataset,
    filters: Filters,
    from_priority: Mapping[str | None, str],
    rca_due_after: timedelta = RCA_DUE,
    kinds: RuleKinds = RuleKinds(),
) -> Metrics:
    metrics = Metrics(dataset.since, dataset.until, filters)
    metrics.teams = sorted({e.route for t in dataset.tickets for e in t.escalations if e.route})
    day = dataset.since.date()
    while day <= (dataset.until - timedelta(microseconds=1)).date():
        metrics.per_day[day] = 0
        day += timedelta(days=1)
    vip_only = {key for key, rules in dataset.earlier_rules.items() if rules and rules <= kinds.vip}
    earlier = _by_party({k: v for k, v in dataset.earlier.items() if k not in vip_only})
    default = from_priority.get(None)
    for (priority, breached), count in dataset.others.items():
        if filters.severity and from_priority.get(priority, default) != filters.severity:
            continue
        metrics.tickets += count
        metrics.under += count if breached and not filters.team else 0
    for facts in dataset.tickets:
        if filters.severity and severity_of(facts, from_priority) != filters.severity:
            continue
        metrics.tickets += 1
        escalations = facts.escalations
        if filters.team and not any(e.route == filters.team for e in escalations):
            continue
        _decisions(metrics, facts)
        if not escalations:
            end = facts.updated_at if facts.status in RESOLVED else dataset.until
            metrics.under += facts.resolution_due is not None and facts.resolution_due < end
            continue
        _escalated(metrics, facts, dataset.until, rca_due_after, kinds)
        _repeats(metrics, facts, earlier, kinds)
    return metrics


def _decisions(metrics: Metrics, facts: TicketFacts) -> None:
    for d in facts.decisions:
        if d.action == "escalate" and d.rule == "matrix":
            metrics.breaches[(d.tier, d.severity)] += 1
        elif d.action == "warn":
            metrics.warnings[(d.tier, d.severity)] += 1


def _repeats(
    metrics: Metrics, facts: TicketFacts, earlier: Mapping[str, Party], kinds: RuleKinds
) -> None:
    """A repeat: the same requester or organization escalated on another ticket in the 30 days
    before, or this ticket reopened and escalated again. A ticket the VIP rule alone escalated
    is not counted at all: a VIP's every ticket escalates by construction."""
    if {e.rule for e in facts.escalations} <= kinds.vip:
        metrics.vip_only += 1
        return
    again = facts.reopened and len(facts.escalations) > 1
    if again or _repeat(facts, earlier):
        metrics.repeats += 1
        metrics.repeat_reopened += again


def _escalated(
    metrics: Metrics,
    facts: TicketFacts,
    until: datetime,
    rca_due_after: timedelta,
    kinds: RuleKinds,
) -> None:
    escalations = facts.escalations
    first, last = escalations[0], escalations[-1]
    metrics.escalated += 1
    metrics.tte_seconds.append(max(0.0, (first.at - facts.created_at).total_seconds()))
    metrics.per_day[first.at.date()] = metrics.per_day.get(first.at.date(), 0) + 1
    metrics.triggers.update(e.rule for e in escalations)
    metrics.last_trigger[last.rule] += 1
    metrics.organizations[facts.organization or "(none)"] += 1
    metrics.categories[facts.category or "(none)"] += 1
    resolved = facts.status in RESOLVED
    if "L2" in tiers_passed(facts) and resolved:
        metrics.l2_total += 1
        metrics.l2_resolved += facts.tier == 2
    if facts.csat is not None:
        metrics.csat_scores.append(facts.csat)
        if not any(e.rule in kinds.rating for e in escalations):
            metrics.csat_other_scores.append(facts.csat)
    _tiers(metrics, facts, until)
    if _over_escalated(facts, resolved):
        metrics.over += 1
        metrics.over_by_trigger[last.rule] += 1
        if len(metrics.over_examples) < EXAMPLES:
            metrics.over_examples.append((facts.source, facts.ticket_id, last.rule))
    if facts.rca_recorded:
        metrics.rca_written.append(facts.key)
    if facts.solved_at is not None and facts.tier >= 2:
        late = any(d.rule == "rca_reminder" for d in facts.decisions)
        if not late and not facts.rca_recorded and facts.solved_at + rca_due_after > until:
            metrics.rca_pending += 1
        else:
            metrics.rca_due += 1
            metrics.rca_on_time += facts.rca_recorded and not late


def tiers_passed(facts: TicketFacts) -> set[str]:
    """Every tier the ticket was at: each step of its history (one evaluation may move it
    through several) and each escalation's target."""
    passed = {e.tier for e in facts.escalations}
    for _at, from_tier, to_tier in facts.history:
        passed |= {from_tier, to_tier}
    return passed


def _over_escalated(facts: TicketFacts, resolved: bool) -> bool:
    """Solved within the hour after the last escalation, with no agent comment in between."""
    last, solved = facts.escalations[-1].at, facts.solved_at
    if not resolved or solved is None or solved - last > OVER_WINDOW:
        return False
    return not any(last < at <= solved for at in facts.agent_comments)


def _tiers(metrics: Metrics, facts: TicketFacts, until: datetime) -> None:
    current, start = "L1", facts.created_at
    spent: dict[str, float] = defaultdict(float)
    for at, from_tier, to_tier in facts.history:
        spent[from_tier] += max(0.0, (at - start).total_seconds())
        current, start = to_tier, max(start, at)
    end = facts.solved_at if facts.solved_at is not None else until
    spent[current] += max(0.0, (end - start).total_seconds())
    for tier, seconds in spent.items():
        metrics.tier_seconds[tier].append(seconds)


Party = dict[str, list[datetime]]


def _by_party(earlier: Mapping[Key, tuple[datetime, str | None, str | None]]) -> dict[str, Party]:
    parties: dict[str, Party] = {"requester": defaultdict(list), "organization": defaultdict(list)}
    for at, requester, organization in earlier.values():
        if requester:
            parties["requester"][requester].append(at)
        if organization:
            parties["organization"][organization].append(at)
    for party in parties.values():
        for times in party.values():
            times.sort()
    return parties


def _repeat(facts: TicketFacts, parties: Mapping[str, Party]) -> bool:
    """Was the same requester or organization escalated on another ticket in the 30 days before?"""
    first = facts.escalations[0].at
    for kind, name in (("requester", facts.requester), ("organization", facts.org_id)):
        times = parties[kind].get(name or "", [])
        # Times within the window, other than this ticket's own first escalation.
        lo, hi = bisect_left(times, first - REPEAT_WINDOW), bisect_left(times, first)
        if hi > lo:
            return True
    return False
