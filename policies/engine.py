"""``evaluate``: a ticket, its escalation state, the policy and ``now`` -> decisions.

The tier is found by replaying time from the last known tier (or from the ticket's creation when
there is no state): matrix deadlines and trigger events are taken in time order, so a ticket
first seen late lands where the clock puts it, and the deadlines that remain are exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from policies import outage, solved, timers, triggers, verification
from policies.calendar import INF, BusinessClock, Interval
from policies.compiled import NEXT, CompiledPolicy, Row
from policies.context import Context, as_datetime
from policies.facts import Facts, gather
from policies.loader import Policy
from policies.model import (
    Decision,
    EscalationState,
    HistoryEntry,
    Route,
    Severity,
    Status,
    Ticket,
    Tier,
)
from policies.timers import Step
from policies.triggers import Event

_OPEN = (Status.NEW, Status.OPEN)
_RESOLVED = (Status.SOLVED, Status.CLOSED)
_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


@dataclass(frozen=True)
class Evaluation:
    severity: Severity
    tier: Tier  # the tier once these decisions are applied
    decisions: tuple[Decision, ...]
    next_check_at: dt.datetime | None
    tier_since: dt.datetime | None = None  # when the ticket reached ``tier``
    steps: tuple[HistoryEntry, ...] = ()  # tier changes found by this evaluation
    # Keys to record in ``fired`` besides the decisions': trigger events used up by these steps,
    # escalations fully handed out.
    consumed: tuple[str, ...] = ()
    solved_at: dt.datetime | None = None


def _severity(
    cp: CompiledPolicy, ticket: Ticket, facts: Facts, now: float
) -> tuple[Severity, list[tuple[str, Route, str, str]]]:
    sev = cp.from_priority.get(ticket.priority, cp.from_priority[None])
    notices: list[tuple[str, Route, str, str]] = []
    for rule in cp.overrides:
        hit = rule.when.match(ticket, facts)
        if hit is None or hit[0] > now:
            continue
        if _RANK[rule.severity] < _RANK[sev]:
            sev = rule.severity
        notices += [(rule.id, route, hit[1], rule.source) for route in rule.notify]
    return sev, notices


def _pauses(ticket: Ticket, paused: frozenset[Status], updated: float) -> list[Interval]:
    out: list[Interval] = []
    start: float | None = None
    for change in ticket.status_history:
        at = change.at.timestamp()
        if change.status in paused and start is None:
            start = at
        elif change.status not in paused and start is not None:
            out.append((start, at))
            start = None
    if ticket.status in paused:
        out.append((start if start is not None else updated, INF))
    elif start is not None:
        out.append((start, updated))
    return out


def _solves(ticket: Ticket) -> tuple[float | None, float | None]:
    """(when the ticket was last solved, when its current solved stretch began), from the status
    history; a solved-then-closed ticket was solved when it was solved."""
    last: float | None = None
    stretch: float | None = None
    for change in ticket.status_history:
        if change.status in _RESOLVED:
            last = change.at.timestamp()
            stretch = last if stretch is None else stretch
        else:
            stretch = None
    return last, stretch


def _walk(
    ctx: Context, row: Row, state: EscalationState, created: float, events: list[Event], run: bool
) -> tuple[Tier, float, list[Step], list[str]]:
    tier = state.tier
    since = state.tier_since.timestamp() if state.tier_since is not None else created
    owner = state.owner
    steps: list[Step] = []
    consumed: list[str] = []
    pending = sorted((e for e in events if e.at <= ctx.now), key=lambda e: e.at)
    i = 0
    while True:
        limit = row.limits[tier] if run else None
        due = row.clock.deadline(since, limit, ctx.pauses) if limit is not None else INF
        if i < len(pending) and pending[i].at <= due:
            event = pending[i]
            i += 1
            target = Tier(min(tier + 1, event.top)) if event.target == NEXT else event.target
            at = max(event.at, since)
            if target > tier:
                steps.append(Step(at, event.rule, tier, target, event.what, event.source, None))
                consumed.append(event.key)
                tier, since = target, at
            elif event.hands_over(tier, owner):
                steps.append(Step(at, event.rule, tier, tier, event.what, event.source, None))
                consumed.append(event.key)
                owner = None
        elif due <= ctx.now and limit is not None:
            clock = (since, limit, due)
            steps.append(Step(due, "matrix", tier, Tier(tier + 1), "", row.source, clock))
            tier, since = Tier(tier + 1), due
        else:
            if due < INF:
                ctx.wake(due)
            return tier, since, steps, consumed


def evaluate(
    ticket: Ticket, state: EscalationState, policy: Policy, now: dt.datetime
) -> Evaluation:
    """Decide what is due for ``ticket`` at ``now``; pure, and cheap enough to run per event."""
    cp = policy.compiled
    t_now = now.timestamp()
    status = ticket.status
    facts = gather(ticket, status in _OPEN, t_now)
    resolved = status in _RESOLVED
    sev, notices = _severity(cp, ticket, facts, t_now)
    prefix = f"{ticket.source._value_}:{ticket.id}:"
    ctx = Context(
        cp, prefix, state.fired, t_now, sev, _pauses(ticket, cp.pause_statuses, facts.updated)
    )
    row = cp.rows[sev]
    facts.pauses = ctx.pauses
    if isinstance(row.clock, BusinessClock):
        facts.business = row.clock
    last_solve, solved_stretch = _solves(ticket)
    # Follow-ups count from the tier's start and from the last solve.
    anchors = [facts.created, last_solve]
    anchors += [t.timestamp() for t in (state.solved_at, state.tier_since) if t is not None]
    facts.followups_since = max(a for a in anchors if a is not None)
    future: list[triggers.Future] = []
    follow_ups: list[triggers.FollowUp] = []
    events = triggers.events(ctx, ticket, state, facts, resolved, notices, future, follow_ups)
    tier, since, steps, consumed = _walk(ctx, row, state, facts.created, events, not resolved)
    triggers.wake_for(ctx, future, tier)
    timers.escalation(ctx, ticket, state, facts, tier, steps)
    triggers.notices(ctx, notices, tier)
    solved_at = None
    if resolved:
        # The desk's history says when; without it, when the bridge first saw it solved.
        solved_at = solved_stretch
        if solved_at is None:
            solved_at = state.solved_at.timestamp() if state.solved_at else facts.updated
        owner_tier = solved.follow_ups(ctx, ticket, facts, follow_ups, tier)
        solved.after_solve(ctx, state, max(tier, owner_tier), solved_at)
        verification.verify(ctx, ticket, facts, tier, True, solved_at)
    else:
        timers.timed(ctx, row, facts, tier, since)
        verification.verify(ctx, ticket, facts, tier, False, last_solve)
    triggers.manual(ctx, state, tier)
    outage.decide(ctx, ticket, state, facts, tier, steps, resolved)
    return Evaluation(
        severity=sev,
        tier=tier,
        decisions=tuple(ctx.decisions),
        next_check_at=ctx.next_check(),
        tier_since=as_datetime(since),
        steps=tuple(HistoryEntry(as_datetime(s.at), s.rule, s.from_tier, s.to_tier) for s in steps),
        consumed=(*consumed, *ctx.marks),
        solved_at=as_datetime(solved_at) if solved_at is not None else None,
    )
