"""Warnings, reminders, cadence, RCA, pages and pauses through ``evaluate``."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from policies import apply_decisions, evaluate
from policies.model import (
    DecisionKind,
    EscalationState,
    ManualRequest,
    Priority,
    Status,
    StatusChange,
    Tier,
)
from tests.policies.factory import MON, STATE, H, M, agent_reply, default_policy, ticket

S = dt.timedelta(seconds=1)


def decisions(priority: Priority, now: dt.datetime, state: EscalationState = STATE, **kw: object):  # type: ignore[no-untyped-def]
    t = ticket(priority, **kw)  # type: ignore[arg-type]
    return evaluate(t, state, default_policy(), now)


def rules_of(result, action: DecisionKind) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.rule for d in result.decisions if d.action is action]


# (priority, tier, since, warning rule, due at) for the default warnings
WARNINGS = [
    (Priority.URGENT, Tier.L1, MON, "warn_critical_l1", MON + 10 * M),
    (Priority.URGENT, Tier.L1, MON, "warn_75_percent", MON + 11 * M + 15 * S),
    (Priority.URGENT, Tier.L2, MON, "warn_75_percent", MON + 45 * M),
    (Priority.HIGH, Tier.L1, MON, "warn_75_percent", MON + 90 * M),
    # Medium L1 limit: 4 business hours from Monday 10:00 -> 75 % at 13:00.
    (Priority.NORMAL, Tier.L1, MON, "warn_75_percent", MON + 3 * H),
]


@pytest.mark.parametrize(("priority", "tier", "since", "rule", "due"), WARNINGS)
def test_pre_breach_warnings(
    priority: Priority, tier: Tier, since: dt.datetime, rule: str, due: dt.datetime
) -> None:
    state = EscalationState(tier=tier, tier_since=since)
    comments = (agent_reply(MON + M),)
    early = decisions(priority, due - S, state, comments=comments)
    assert rule not in rules_of(early, DecisionKind.WARN)
    result = decisions(priority, due, state, comments=comments)
    assert rule in rules_of(result, DecisionKind.WARN)
    warn = next(d for d in result.decisions if d.rule == rule)
    assert warn.tier == tier and warn.reason.clock["deadline"]


def test_first_response_target() -> None:
    assert rules_of(decisions(Priority.LOW, MON + 30 * M - S), DecisionKind.REMIND_OWNER) == []
    late = decisions(Priority.LOW, MON + 30 * M)
    assert rules_of(late, DecisionKind.REMIND_OWNER) == ["first_response"]
    answered = decisions(Priority.LOW, MON + H, comments=(agent_reply(MON + 40 * M),))
    assert "first_response" not in rules_of(answered, DecisionKind.REMIND_OWNER)


@pytest.mark.parametrize(
    ("priority", "every"),
    [(Priority.URGENT, H), (Priority.HIGH, 4 * H), (Priority.NORMAL, 8 * H)],
)
def test_status_update_cadence_reminds_then_escalates(
    priority: Priority, every: dt.timedelta
) -> None:
    # Medium runs on business hours: 8 business hours from Monday 10:00 is Tuesday 10:00.
    gap = every if priority is not Priority.NORMAL else 24 * H
    reply = agent_reply(MON)
    high = EscalationState(tier=Tier.L4, tier_since=MON)  # no matrix moves in the way
    first = decisions(priority, MON + gap, high, comments=(reply,))
    assert rules_of(first, DecisionKind.REMIND_OWNER) == ["status_update"]
    reminder = next(d for d in first.decisions if d.rule == "status_update")
    assert reminder.template == "status_reminder"
    assert (
        rules_of(
            decisions(priority, MON + gap - S, high, comments=(reply,)), DecisionKind.REMIND_OWNER
        )
        == []
    )
    state = EscalationState(tier=Tier.L2, tier_since=MON)
    second_at = MON + 2 * every if priority is not Priority.NORMAL else MON + 48 * H
    second = decisions(priority, second_at, state, comments=(reply,))
    assert "status_update" in rules_of(second, DecisionKind.ESCALATE)


def test_rca_requested_at_solve_and_reminded_after_48h() -> None:
    solved_at = MON + 3 * H
    state = EscalationState(tier=Tier.L2, tier_since=MON, solved_at=solved_at)
    kw = {"status": Status.SOLVED, "updated_at": solved_at}
    at_solve = decisions(Priority.HIGH, solved_at, state, **kw)
    assert rules_of(at_solve, DecisionKind.REQUEST_RCA) == ["rca"]
    assert at_solve.next_check_at == solved_at + 48 * H
    state = apply_decisions(state, at_solve, solved_at)
    assert (
        rules_of(
            decisions(Priority.HIGH, solved_at + 48 * H - S, state, **kw), DecisionKind.REQUEST_RCA
        )
        == []
    )
    due = decisions(Priority.HIGH, solved_at + 48 * H, state, **kw)
    assert rules_of(due, DecisionKind.REQUEST_RCA) == ["rca_reminder"]
    recorded = dataclasses.replace(state, rca_recorded=True)
    done = decisions(Priority.HIGH, solved_at + 48 * H, recorded, **kw)
    assert done.decisions == () and done.next_check_at is None


def test_no_rca_for_a_ticket_never_escalated() -> None:
    kw = {"status": Status.SOLVED, "updated_at": MON + H}
    assert (
        decisions(Priority.HIGH, MON + 50 * H, EscalationState(tier_since=MON), **kw).decisions
        == ()
    )


def test_solved_with_open_page_resolves_it() -> None:
    state = EscalationState(tier=Tier.L3, tier_since=MON, page_open=True)
    result = decisions(
        Priority.URGENT, MON + 3 * H, state, status=Status.SOLVED, updated_at=MON + 2 * H
    )
    assert rules_of(result, DecisionKind.RESOLVE_PAGE) == ["solved"]
    after = apply_decisions(state, result, MON + 3 * H)
    assert after.page_open is False and after.solved_at == MON + 2 * H


def test_acknowledge_from_slack_with_page_open() -> None:
    ack = ManualRequest(kind="acknowledge", by="U7", at=MON + 2 * H)
    state = EscalationState(tier=Tier.L3, tier_since=MON + H, page_open=True, manual=(ack,))
    result = decisions(Priority.URGENT, MON + 2 * H, state, comments=(agent_reply(MON + M),))
    assert rules_of(result, DecisionKind.ACKNOWLEDGE_PAGE) == ["manual"]
    after = apply_decisions(state, result, MON + 2 * H)
    assert after.acknowledged_by == "U7"
    closed = dataclasses.replace(state, page_open=False)
    later = decisions(Priority.URGENT, MON + 2 * H, closed)
    assert rules_of(later, DecisionKind.ACKNOWLEDGE_PAGE) == []


def test_pending_pauses_the_clock() -> None:
    # Paused from 10:05 to 10:35 by the status history: the L1 deadline moves 30 min.
    history = (
        StatusChange(MON + 5 * M, Status.PENDING),
        StatusChange(MON + 35 * M, Status.OPEN),
    )
    result = decisions(
        Priority.URGENT, MON + 40 * M, status_history=history, updated_at=MON + 35 * M
    )
    assert result.tier == Tier.L1
    assert result.next_check_at == MON + 41 * M + 15 * S  # the 75 % warning, moved 30 min
    at_deadline = decisions(
        Priority.URGENT, MON + 45 * M, status_history=history, updated_at=MON + 35 * M
    )
    escalate = next(d for d in at_deadline.decisions if d.action is DecisionKind.ESCALATE)
    assert escalate.reason.clock["paused"] == [["2025-03-03T10:05:00Z", "2025-03-03T10:35:00Z"]]
    assert escalate.reason.clock["deadline"] == "2025-03-03T10:45:00Z"


def test_currently_pending_without_history_is_paused_since_updated() -> None:
    result = decisions(Priority.URGENT, MON + 5 * H, status=Status.PENDING, updated_at=MON + 10 * M)
    assert result.tier == Tier.L1
    escalations = rules_of(result, DecisionKind.ESCALATE)
    assert escalations == []


def test_quiet_hours_hold_non_critical_pages() -> None:
    from tests.policies.factory import policy_with

    policy = policy_with(
        tiers={
            "L1": {"name": "Frontline"},
            "L2": {"name": "Senior"},
            "L3": {"name": "Eng", "pagerduty": "oncall", "page": ["Critical", "High"]},
            "L4": {"name": "Mgmt"},
        }
    )
    night = dt.datetime(2025, 3, 3, 23, 30, tzinfo=dt.UTC)
    t = ticket(
        Priority.HIGH,
        created=night,
        tags=frozenset({"escalate_l3"}),
        comments=(agent_reply(night),),
    )
    result = evaluate(t, EscalationState(tier_since=night), policy, night)
    assert result.tier == Tier.L3
    assert rules_of(result, DecisionKind.PAGE) == []
    morning = dt.datetime(2025, 3, 4, 7, 0, tzinfo=dt.UTC)
    assert result.next_check_at is not None and result.next_check_at < morning
    assert (
        rules_of(
            evaluate(
                t,
                apply_decisions(EscalationState(tier_since=night), result, night),
                policy,
                morning - S,
            ),
            DecisionKind.PAGE,
        )
        == []
    )
    state = apply_decisions(EscalationState(tier_since=night), result, night)
    later = evaluate(t, state, policy, morning)
    assert [d.action for d in later.decisions if d.rule == "tag:escalate_l3"] == [DecisionKind.PAGE]
