"""Issue 13: severity from impact words, customer follow-ups, and a low CSAT on a solved ticket
as a follow-up rather than a hand-over."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from policies import annotate, apply_decisions, evaluate
from policies.model import (
    AuthorRole,
    Comment,
    DecisionKind,
    EscalationState,
    Priority,
    Satisfaction,
    Severity,
    Status,
    StatusChange,
    Ticket,
    Tier,
)
from tests.policies.factory import MON, STATE, D, H, M, agent_reply, comment, default_policy, ticket

NOW = MON + M


def _said(subject: str, opening: str, later: str = "", priority: Priority = Priority.LOW) -> Ticket:
    comments = [_text(MON, opening)] + ([_text(MON + 5 * M, later)] if later else [])
    raw = ticket(priority, subject=subject, comments=tuple(comments))
    return annotate(raw, default_policy().compiled.phrases)


def _text(at: dt.datetime, body: str) -> Comment:
    return dataclasses.replace(comment(at, body=body), signals=None)


# Item 10: "system down, data loss" -> Critical (management told); "major feature broken" ->
# High; from the subject or the opening message, negation handled; later comments do not count.
# (label, subject, opening message, later comment, severity, management told)
WORDS = [
    ("subject: site down for everyone", "Site down for everyone", "Please help.", "",
     Severity.CRITICAL, True),
    ("opening: data loss", "Question", "We had data loss after the import.", "",
     Severity.CRITICAL, True),
    ("opening: checkout broken", "Checkout", "Checkout is broken on our store.", "",
     Severity.HIGH, False),
    ("negated: not down, just slow", "Slow pages", "The site is not down, just slow.", "",
     Severity.LOW, False),
    ("a question is no statement", "Outage?", "Did you have an outage last night?", "",
     Severity.LOW, False),
    ("quoted from the status page", "FYI", 'Your page said "total outage" yesterday.', "",
     Severity.LOW, False),
    ("only a later comment says it", "Invoice", "Where is my invoice?",
     "Now the whole system is down!", Severity.LOW, False),
    ("priority already higher", "Checkout", "Checkout is broken.", "", Severity.CRITICAL, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("subject", "opening", "later", "severity", "told"),
    [c[1:] for c in WORDS],
    ids=[c[0] for c in WORDS],
)
def test_severity_from_impact_words(
    subject: str, opening: str, later: str, severity: Severity, told: bool
) -> None:
    priority = Priority.URGENT if severity is Severity.CRITICAL and "Checkout" in subject else None
    t = _said(subject, opening, later, priority or Priority.LOW)
    result = evaluate(t, STATE, default_policy(), NOW + 10 * M)
    assert result.severity is severity
    impact = [d for d in result.decisions if d.rule == "impact" and d.route.name == "management"]
    assert bool(impact) is (told and priority is None)


# Item 11: public customer follow-ups after the opening message, since the ticket last changed
# tier or was solved, whether or not an agent answered in between.
def _follow(
    *minutes: int, agent_between: bool = False, history: tuple[StatusChange, ...] = ()
) -> Ticket:
    comments = [comment(MON, cid="opening")]
    comments += [comment(MON + m * M, cid=f"f{m}") for m in minutes]
    if agent_between:
        comments.append(agent_reply(MON + (minutes[0] + 1) * M))
    return ticket(Priority.NORMAL, comments=tuple(comments), status_history=history)


SOLVED_AT_20 = (
    StatusChange(MON, Status.OPEN),
    StatusChange(MON + 20 * M, Status.SOLVED),
    StatusChange(MON + 21 * M, Status.OPEN),
)
FOLLOWUPS = [
    ("opening plus two follow-ups: not enough", _follow(10, 20), STATE, None),
    ("opening plus three follow-ups", _follow(10, 20, 30), STATE, MON + 30 * M),
    ("an agent answered in between: still three", _follow(10, 20, 30, agent_between=True),
     STATE, MON + 30 * M),
    ("counted from the last tier change", _follow(10, 20, 30),
     EscalationState(tier=Tier.L1, tier_since=MON + 15 * M), None),
    ("a solve resets the count", _follow(10, 15, 25, 30, history=SOLVED_AT_20), STATE, None),
    ("three after the solve", _follow(10, 25, 30, 35, history=SOLVED_AT_20), STATE,
     MON + 35 * M),
]  # fmt: skip


@pytest.mark.parametrize(
    ("t", "state", "at"), [c[1:] for c in FOLLOWUPS], ids=[c[0] for c in FOLLOWUPS]
)
def test_customer_follow_ups(t: Ticket, state: EscalationState, at: dt.datetime | None) -> None:
    result = evaluate(t, state, default_policy(), MON + H)
    escalate = [d for d in result.decisions if d.rule == "customer_replies"]
    if at is None:
        assert escalate == []
        return
    assert escalate[0].tier == Tier.L2 and result.steps[0].at == at


# Item 12: CSAT below 3 on a solved ticket: the L2 team owns a follow-up; no hand-over, no
# customer acknowledgement, the RCA clock runs from the solve.
SOLVED = MON + 2 * H
RATED = SOLVED + D


def _rated(score: int, status: Status = Status.SOLVED, rated: dt.datetime = RATED) -> Ticket:
    history = (StatusChange(MON, Status.OPEN), StatusChange(SOLVED, status))
    return ticket(
        Priority.NORMAL,
        status=status,
        updated_at=rated,
        status_history=history if status.resolved else history[:1],
        satisfaction=Satisfaction(score=score, rated_at=rated),
        comments=(comment(MON, body="It does not work"),),
    )


def test_low_csat_on_a_solved_ticket_is_a_follow_up() -> None:
    result = evaluate(_rated(2), STATE, default_policy(), RATED + M)
    actions = {(d.action, d.rule) for d in result.decisions}
    assert (DecisionKind.FOLLOW_UP, "low_csat") in actions
    assert not {a for a, _ in actions} & {DecisionKind.ESCALATE, DecisionKind.CUSTOMER_ACK}
    [follow] = [d for d in result.decisions if d.action is DecisionKind.FOLLOW_UP]
    assert (follow.tier, follow.route.group, follow.template) == (
        Tier.L2,
        "senior-support",
        "follow_up",
    )
    assert follow.reason.inputs["reopen"] is False
    assert result.tier == Tier.L1
    [rca] = [d for d in result.decisions if d.action is DecisionKind.REQUEST_RCA]
    assert rca.reason.clock["solved_at"] == "2025-03-03T12:00:00Z"  # from the solve
    assert rca.reason.clock["deadline"] == "2025-03-05T12:00:00Z"
    state = apply_decisions(STATE, result, RATED + M)
    assert state.owner == "senior-support" and state.tier == Tier.L1
    again = evaluate(_rated(2), state, default_policy(), RATED + H)
    assert not [d for d in again.decisions if d.action is DecisionKind.FOLLOW_UP]


@pytest.mark.parametrize(
    ("score", "status", "follow_up", "escalates"),
    [
        (3, Status.SOLVED, False, False),
        (1, Status.CLOSED, True, False),
        (2, Status.OPEN, False, True),  # rated while open: an escalation as any other
    ],
)
def test_csat_cases(score: int, status: Status, follow_up: bool, escalates: bool) -> None:
    # Rated while open: an hour in, before the clock moves the ticket.
    rated = RATED if status.resolved else MON + H
    result = evaluate(_rated(score, status, rated), STATE, default_policy(), rated + M)
    kinds = {d.action for d in result.decisions if d.rule == "low_csat"}
    assert (DecisionKind.FOLLOW_UP in kinds) is follow_up
    assert (DecisionKind.ESCALATE in kinds) is escalates


def test_agent_quotes_of_legal_words_do_not_escalate() -> None:
    note = comment(MON + M, AuthorRole.AGENT, public=False, phrases=frozenset({"legal"}))
    result = evaluate(ticket(Priority.NORMAL, comments=(note,)), STATE, default_policy(), NOW)
    assert result.tier == Tier.L1
