"""Backtest: what a policy would have done with the tickets the bridge has seen.

Each mirrored ticket is replayed from its creation: the policy is evaluated at every moment
something could change (its own next check, a comment, the solve), with the comments known at
that moment. The mirror holds each ticket's latest snapshot, so the past is reconstructed from
comment times and the solve time; statuses in between (pending, on hold) are not known unless
the desk gave a status history. Pure: the caller reads the mirror.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from policies.apply import apply_decisions
from policies.engine import evaluate
from policies.loader import Policy
from policies.model import AuthorRole, DecisionKind, EscalationState, Status, Ticket
from policies.signals import annotate

MAX_STEPS = 500  # a ticket that still changes after this many steps is cut short


@dataclass(frozen=True)
class Replayed:
    at: datetime
    ticket: str
    rule: str
    action: DecisionKind
    tier: str
    route: str = ""  # the route that owns (or hears of) it


@dataclass
class Summary:
    tickets: int = 0
    escalated: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    final_tiers: Counter[str] = field(default_factory=Counter)
    time_to_escalate: list[timedelta] = field(default_factory=list)
    pages: int = 0

    def escalation_rate(self) -> float:
        return self.escalated / self.tickets if self.tickets else 0.0

    def average_time_to_escalate(self) -> timedelta | None:
        times = self.time_to_escalate
        return sum(times, timedelta()) / len(times) if times else None


def as_of(ticket: Ticket, moment: datetime, solved_at: datetime | None) -> Ticket:
    """The ticket as it stood at ``moment``, as far as its latest snapshot tells."""
    comments = tuple(c for c in ticket.comments if c.created_at <= moment)
    solved = solved_at is not None and moment >= solved_at
    status = ticket.status if solved or not ticket.status.resolved else Status.OPEN
    history = tuple(change for change in ticket.status_history if change.at <= moment)
    if history:
        status = history[-1].status
    updated = max([ticket.created_at, *(c.created_at for c in comments)])
    satisfaction = ticket.satisfaction if solved else None
    return dataclasses.replace(
        ticket,
        comments=comments,
        status=status,
        updated_at=updated,
        satisfaction=satisfaction,
        status_history=history,
    )


def with_phrases_of(ticket: Ticket, policy: Policy) -> Ticket:
    """The ticket's texts matched against ``policy``'s phrase lists (the mirror holds the
    matches of the policy in use; a candidate may name other lists, or the same ones with other
    phrases). Sentiment does not depend on the policy and is kept."""
    matcher = policy.compiled.phrases
    comments = tuple(
        c
        if c.signals is None or c.author_role is AuthorRole.BRIDGE
        else dataclasses.replace(
            c, signals=dataclasses.replace(c.signals, phrases=matcher.match(c.body))
        )
        for c in ticket.comments
    )
    return annotate(dataclasses.replace(ticket, comments=comments, subject_phrases=None), matcher)


def replay(ticket: Ticket, policy: Policy, until: datetime) -> Iterator[Replayed]:
    ticket = with_phrases_of(ticket, policy)
    solved_at = ticket.updated_at if ticket.status.resolved else None
    moments = sorted(
        {c.created_at for c in ticket.comments}
        | {s.at for s in ticket.status_history}
        | ({solved_at} if solved_at else set())
    )
    state = EscalationState()
    now = ticket.created_at
    for _ in range(MAX_STEPS):
        evaluation = evaluate(as_of(ticket, now, solved_at), state, policy, now)
        for decision in evaluation.decisions:
            yield Replayed(
                now,
                f"{ticket.source.value}:{ticket.id}",
                decision.rule,
                decision.action,
                str(decision.tier),
                decision.route.name,
            )
        state = apply_decisions(state, evaluation, now)
        upcoming = [m for m in moments if m > now]
        if evaluation.next_check_at is not None:
            upcoming.append(evaluation.next_check_at)
        if not upcoming or min(upcoming) > until:
            return
        now = min(upcoming)


def backtest(tickets: Iterable[Ticket], policy: Policy, until: datetime) -> Summary:
    summary = Summary()
    for ticket in tickets:
        summary.tickets += 1
        replayed = list(replay(ticket, policy, until))
        escalations = [r for r in replayed if r.action is DecisionKind.ESCALATE]
        summary.actions.update(r.action.value for r in replayed)
        summary.rules.update(r.rule for r in escalations)
        summary.pages += sum(r.action is DecisionKind.PAGE for r in replayed)
        summary.final_tiers[max((r.tier for r in escalations), default="L1")] += 1
        if escalations:
            summary.escalated += 1
            summary.time_to_escalate.append(escalations[0].at - ticket.created_at)
    return summary
