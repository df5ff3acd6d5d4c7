"""Every cell of the default escalation matrix, with and without prior state."""

from __future__ import annotations

import datetime as dt

import pytest

from policies import apply_decisions, evaluate
from policies.model import DecisionKind, EscalationState, Priority, Severity, Tier
from tests.policies.factory import MON, STATE, H, clock_only_policy, default_policy, ticket

MON9 = MON.replace(hour=9)
S = dt.timedelta(seconds=1)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time in the week of 2025-03-03 (day 0 = Monday), UTC."""
    return dt.datetime(2025, 3, 3 + day, hour, minute, tzinfo=dt.UTC)


# (priority, created, [time the ticket reaches L2, L3, L4])
CELLS = [
    (Priority.URGENT, MON9, [at(0, 9, 15), at(0, 10, 15), at(0, 12, 15)]),
    (Priority.HIGH, MON9, [at(0, 11), at(0, 15), at(0, 23)]),
    # Business hours Mon-Fri 09-17: 4h, then 1 business day (8h), then 2 business days.
    (Priority.NORMAL, MON9, [at(0, 13), at(1, 13), at(3, 13)]),
    # 1 and 2 business days; management is told "on request", so the clock stops at L3.
    (Priority.LOW, MON9, [at(0, 17), at(2, 17)]),
]


@pytest.mark.parametrize(("priority", "created", "reached"), CELLS)
def test_clock_alone_places_the_ticket(
    priority: Priority, created: dt.datetime, reached: list[dt.datetime]
) -> None:
    policy = clock_only_policy()
    t = ticket(priority, created)
    for index, moment in enumerate(reached):
        before = evaluate(t, STATE, policy, moment - S)
        now = evaluate(t, STATE, policy, moment)
        assert before.tier == Tier(index + 1)
        assert now.tier == Tier(index + 2)
        assert now.tier_since == moment


@pytest.mark.parametrize(("priority", "created", "reached"), CELLS)
def test_with_state_each_deadline_counts_from_arrival(
    priority: Priority, created: dt.datetime, reached: list[dt.datetime]
) -> None:
    policy = clock_only_policy()
    t = ticket(priority, created)
    state = EscalationState(tier_since=created)
    previous = created
    for index, moment in enumerate(reached):
        before = evaluate(t, state, policy, previous + S)
        assert before.next_check_at is not None and before.next_check_at <= moment
        result = evaluate(t, state, policy, moment)
        escalations = [d for d in result.decisions if d.action is DecisionKind.ESCALATE]
        assert [(d.rule, d.tier) for d in escalations] == [("matrix", Tier(index + 2))]
        state = apply_decisions(state, result, moment)
        assert state.tier == Tier(index + 2) and state.tier_since == moment
        previous = moment
    final = evaluate(t, state, policy, reached[-1] + 30 * 24 * H)
    assert final.tier == (Tier.L3 if priority is Priority.LOW else Tier.L4)
    assert not [d for d in final.decisions if d.action is DecisionKind.ESCALATE]


def test_critical_two_hours_old_is_at_l3() -> None:
    result = evaluate(ticket(Priority.URGENT), STATE, default_policy(), MON + 2 * H)
    assert result.tier == Tier.L3
    actions = {d.action for d in result.decisions}
    assert {DecisionKind.ESCALATE, DecisionKind.INTERNAL_NOTE, DecisionKind.PAGE} <= actions
    escalate = next(d for d in result.decisions if d.action is DecisionKind.ESCALATE)
    assert [s["to"] for s in escalate.reason.inputs["steps"]] == ["L2", "L3"]
    assert escalate.reason.clock["deadline"] == "2025-03-03T11:15:00Z"
    assert escalate.reason.source.startswith("default.yaml:")


# (priority, management notified at, or None for "on request only")
MANAGEMENT = [
    (Priority.URGENT, MON9),
    (Priority.HIGH, at(0, 13)),
    (Priority.NORMAL, at(0, 17)),
    (Priority.LOW, None),
]


@pytest.mark.parametrize(("priority", "when"), MANAGEMENT)
def test_management_column_notifies_without_changing_tier(
    priority: Priority, when: dt.datetime | None
) -> None:
    policy = default_policy()
    t = ticket(priority, MON9)
    moment = when or at(0, 16)
    result = evaluate(t, EscalationState(tier_since=MON9), policy, moment)
    notes = [d for d in result.decisions if d.rule == "management"]
    if when is None:
        assert notes == []
        return
    assert [(d.action, d.route.name, d.route.slack_channel) for d in notes] == [
        (DecisionKind.NOTIFY, "management", "#support-management")
    ]
    if when > MON9:
        early = evaluate(t, EscalationState(tier_since=MON9), policy, when - S)
        assert not [d for d in early.decisions if d.rule == "management"]


def test_new_critical_stays_at_l1_while_management_is_told() -> None:
    result = evaluate(ticket(Priority.URGENT), STATE, default_policy(), MON)
    assert result.tier == Tier.L1 and result.severity is Severity.CRITICAL
    assert [d.rule for d in result.decisions] == ["management"]


def test_missing_priority_is_medium() -> None:
    assert evaluate(ticket(None), STATE, default_policy(), MON).severity is Severity.MEDIUM


def test_solved_ticket_never_escalates_by_clock() -> None:
    from policies.model import Status

    t = ticket(Priority.URGENT, status=Status.SOLVED, updated_at=MON + H)
    result = evaluate(t, STATE, default_policy(), MON + 10 * H)
    assert result.tier == Tier.L1 and result.decisions == () and result.next_check_at is None


def test_business_hours_in_the_policy_time_zone_across_dst() -> None:
    from tests.policies.factory import policy_with

    policy = policy_with(timezone="Europe/Berlin", triggers=[], warnings=[])
    # Friday 2025-03-28 16:00 in Berlin (15:00 UTC); clocks spring forward on Sunday 30 March.
    created = dt.datetime(2025, 3, 28, 15, 0, tzinfo=dt.UTC)
    t = ticket(Priority.NORMAL, created)
    # 1 business hour on Friday, 3 on Monday: 12:00 in Berlin is now 10:00 UTC.
    due = dt.datetime(2025, 3, 31, 10, 0, tzinfo=dt.UTC)
    state = EscalationState(tier_since=created)
    assert evaluate(t, state, policy, due - S).tier == Tier.L1
    assert evaluate(t, state, policy, due - S).next_check_at == due
    assert evaluate(t, state, policy, due).tier == Tier.L2
