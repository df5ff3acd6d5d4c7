"""Issue 13, clocks: paused time stays paused, and business-hours tickets do not escalate when
nobody works."""

from __future__ import annotations

import datetime as dt

import pytest

from policies import Policy, evaluate
from policies.history import remember_statuses
from policies.model import (
    DecisionKind,
    EscalationState,
    Priority,
    Status,
    StatusChange,
    Ticket,
    Tier,
)
from tests.policies.factory import (
    MON,
    STATE,
    H,
    M,
    agent_reply,
    comment,
    default_policy,
    policy_with,
    ticket,
)

MON9 = MON.replace(hour=9)
WED10 = MON9 + dt.timedelta(days=2, hours=1)
S = dt.timedelta(seconds=1)


def _pending(start: dt.datetime, end: dt.datetime | None) -> tuple[StatusChange, ...]:
    changes = (StatusChange(MON9, Status.NEW), StatusChange(start, Status.PENDING))
    return changes + ((StatusChange(end, Status.OPEN),) if end else ())


# A Medium ticket created Monday 09:00, pending from 10:00 until the customer answers on
# Wednesday 10:00: one business hour has run, so it is still at L1 and management is not told.
# (label, status now, history, updated_at, evaluated at, tier, management told)
PAUSES = [
    (
        "history kept: the pause stays paused",
        Status.OPEN,
        _pending(MON9 + H, WED10),
        WED10,
        WED10,
        Tier.L1,
        False,
    ),
    ("no history: two days count again", Status.OPEN, (), WED10, WED10, Tier.L3, True),
    (
        "still pending: paused",
        Status.PENDING,
        _pending(MON9 + H, None),
        MON9 + H,
        WED10,
        Tier.L1,
        False,
    ),
    # An internal note while pending moves updated_at, not the start of the pause.
    (
        "note while pending",
        Status.PENDING,
        _pending(MON9 + H, None),
        MON9 + 30 * H,
        WED10,
        Tier.L1,
        False,
    ),
    ("note while pending, no history", Status.PENDING, (), MON9 + 30 * H, WED10, Tier.L3, True),
    # 4 business hours: 1 on Monday, 3 from Wednesday 10:00 -> L2 at 13:00 exactly.
    (
        "boundary: one second before",
        Status.OPEN,
        _pending(MON9 + H, WED10),
        WED10,
        WED10 + 3 * H - S,
        Tier.L1,
        False,
    ),
    (
        "boundary: at the limit",
        Status.OPEN,
        _pending(MON9 + H, WED10),
        WED10,
        WED10 + 3 * H,
        Tier.L2,
        False,
    ),
]


@pytest.mark.parametrize(
    ("status", "history", "updated", "now", "tier", "told"),
    [case[1:] for case in PAUSES],
    ids=[case[0] for case in PAUSES],
)
def test_paused_time_stays_paused(
    status: Status,
    history: tuple[StatusChange, ...],
    updated: dt.datetime,
    now: dt.datetime,
    tier: Tier,
    told: bool,
) -> None:
    # The customer's answer (when there is one) is what ended the pause.
    answer = (comment(updated),) if status is Status.OPEN else ()
    t = ticket(
        Priority.NORMAL, MON9, status, updated_at=updated, status_history=history, comments=answer
    )
    result = evaluate(t, STATE, default_policy(), now)
    assert result.tier == tier
    assert any(d.rule == "management" for d in result.decisions) is told


def test_the_pause_shows_in_the_explanation() -> None:
    t = ticket(Priority.NORMAL, MON9, updated_at=WED10, status_history=_pending(MON9 + H, WED10))
    result = evaluate(t, STATE, default_policy(), WED10 + 3 * H)
    escalate = next(d for d in result.decisions if d.action is DecisionKind.ESCALATE)
    assert escalate.reason.clock["paused"] == [["2025-03-03T10:00:00Z", "2025-03-05T10:00:00Z"]]
    assert escalate.reason.clock["deadline"] == "2025-03-05T13:00:00Z"


# What the mirror knew, what the desk says now -> the history the engine reads.
# (label, previous (status, updated, history) or None, current (status, updated, history), want)
A, B, C = MON9 + H, MON9 + 2 * H, MON9 + 30 * H
MERGES = [
    ("first sight of a new ticket", None, (Status.NEW, A, ()), [(MON9, Status.NEW)]),
    ("first sight of a pending ticket", None, (Status.PENDING, A, ()), [(A, Status.PENDING)]),
    (
        "the customer answers: the pause ends when the desk says",
        (Status.PENDING, A, [(A, Status.PENDING)]),
        (Status.OPEN, C, ()),
        [(A, Status.PENDING), (C, Status.OPEN)],
    ),
    (
        "a note while pending changes nothing",
        (Status.PENDING, A, [(A, Status.PENDING)]),
        (Status.PENDING, C, ()),
        [(A, Status.PENDING)],
    ),
    (
        "the desk's exact times win over the bridge's reading",
        (Status.PENDING, B, [(B, Status.PENDING)]),
        (Status.OPEN, C, [(A, Status.PENDING), (B + H, Status.OPEN)]),
        [(A, Status.PENDING), (B + H, Status.OPEN)],
    ),
    (
        "solved then reopened",
        (Status.SOLVED, B, [(MON9, Status.OPEN), (B, Status.SOLVED)]),
        (Status.OPEN, C, ()),
        [(MON9, Status.OPEN), (B, Status.SOLVED), (C, Status.OPEN)],
    ),
]


@pytest.mark.parametrize(
    ("previous", "current", "want"), [c[1:] for c in MERGES], ids=[c[0] for c in MERGES]
)
def test_status_history_is_remembered(
    previous: tuple[Status, dt.datetime, list[tuple[dt.datetime, Status]]] | None,
    current: tuple[Status, dt.datetime, list[tuple[dt.datetime, Status]]],
    want: list[tuple[dt.datetime, Status]],
) -> None:
    def build(spec: tuple[Status, dt.datetime, list[tuple[dt.datetime, Status]]]) -> Ticket:
        status, updated, history = spec
        changes = tuple(StatusChange(at, s) for at, s in history)
        return ticket(Priority.NORMAL, MON9, status, updated_at=updated, status_history=changes)

    merged = remember_statuses(build(previous) if previous else None, build(current))
    assert [(c.at, c.status) for c in merged.status_history] == want


FRI16 = MON9 + dt.timedelta(days=4, hours=7)  # Friday 2025-03-07 16:00 UTC
NEXT_MON9 = MON9 + dt.timedelta(days=7)


# "24 h without update" on a ticket created Friday 16:00 (the agent answered at once).
# (label, priority, wait_for_business_hours, holidays, when it fires)
NO_UPDATE = [
    ("Medium waits for Monday 09:00", Priority.NORMAL, True, [], NEXT_MON9),
    (
        "Medium, a holiday Monday: Tuesday",
        Priority.NORMAL,
        True,
        ["2025-03-10"],
        NEXT_MON9 + dt.timedelta(days=1),
    ),
    ("Medium, configured to fire at once", Priority.NORMAL, False, [], FRI16 + M + 24 * H),
    ("Critical runs 24/7", Priority.URGENT, True, [], FRI16 + M + 24 * H),
]


@pytest.mark.parametrize(
    ("priority", "wait", "holidays", "fires"),
    [c[1:] for c in NO_UPDATE],
    ids=[c[0] for c in NO_UPDATE],
)
def test_time_triggers_fire_at_the_next_open_business_moment(
    priority: Priority, wait: bool, holidays: list[str], fires: dt.datetime
) -> None:
    policy = _no_update_only(wait, holidays)
    t = ticket(priority, FRI16, comments=(agent_reply(FRI16 + M),))
    # At L3 already (with its limits out of the way), only the silence can move it.
    state = EscalationState(tier=Tier.L3, tier_since=FRI16)
    before = evaluate(t, state, policy, fires - S)
    assert before.next_check_at == fires
    assert not [d for d in before.decisions if d.action is DecisionKind.ESCALATE]
    at = evaluate(t, state, policy, fires)
    assert [d.rule for d in at.decisions if d.action is DecisionKind.ESCALATE] == ["no_update"]


def _no_update_only(wait: bool, holidays: list[str]) -> Policy:
    trigger = {
        "id": "no_update",
        "when": {"no_update_for": "24h"},
        "tier": "next",
        "wait_for_business_hours": wait,
    }
    hours = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
    return policy_with(
        triggers=[trigger],
        warnings=[],
        targets={"first_response": None, "rca": None, "status_updates": {"every": {}}},
        calendars={"business": {"hours": hours, "holidays": {"dates": holidays}}},
        matrix={
            sev: {"clock": clock, "L1": "1h", "L2": "1h", "L3": "never", "management": "30d"}
            for sev, clock in (
                ("Critical", "calendar"),
                ("High", "calendar"),
                ("Medium", "business"),
                ("Low", "business"),
            )
        },
    )


def test_a_paused_tickets_warning_says_it_is_paused() -> None:
    # Critical at L1 (15 min): the 75 % warning fell due at 11:15, the ticket went pending at
    # 12 min; seen first at 13 min the warning says the clock is paused, not when it escalates.
    history = (StatusChange(MON9, Status.NEW), StatusChange(MON9 + 12 * M, Status.PENDING))
    t = ticket(
        Priority.URGENT,
        MON9,
        Status.PENDING,
        updated_at=MON9 + 12 * M,
        status_history=history,
    )
    result = evaluate(t, STATE, default_policy(), MON9 + 13 * M)
    warnings = [d.reason.text for d in result.decisions if d.action is DecisionKind.WARN]
    assert len(warnings) == 2  # 75 % and 5 minutes before
    for text in warnings:
        assert "is paused" in text and "will not escalate" in text
        assert "none" not in text.lower()
