"""Issue 14's workflow steps in the engine: the initial diagnosis after an escalation, and the
resolution check of a solved escalated ticket (confirmation recorded, reopen flagged)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from policies import evaluate
from policies.model import (
    AuthorRole,
    Comment,
    CommentSignals,
    DecisionKind,
    EscalationState,
    Priority,
    Satisfaction,
    Status,
    StatusChange,
    Tier,
)
from tests.policies.factory import MON, D, H, M, default_policy, ticket

AT_L2 = EscalationState(tier=Tier.L2, tier_since=MON)
# At L3 the Critical limit (2 h) leaves room for the 1 h diagnosis; at L2 (1 h) the ticket
# moves on at the same moment.
AT_L3 = EscalationState(tier=Tier.L3, tier_since=MON)


def note(at: dt.datetime, public: bool = False) -> Comment:
    return Comment(f"n{int(at.timestamp())}", AuthorRole.AGENT, public, at, "Checked the logs")


def diagnosis_reminders(
    priority: Priority, now: dt.datetime, comments: tuple[Comment, ...] = ()
) -> list[str]:
    t = ticket(priority, created=MON - 3 * H, comments=comments)
    result = evaluate(t, AT_L3, default_policy(), now)
    return [d.rule for d in result.decisions if d.rule == "diagnosis"]


# (label, priority, minutes after the escalation, agent comments after it, reminded)
DIAGNOSIS = [
    ("Critical, 59 min", Priority.URGENT, 59, (), False),
    ("Critical, 1 h", Priority.URGENT, 60, (), True),
    ("Critical, an internal note since", Priority.URGENT, 90, (note(MON + 10 * M),), False),
    ("Critical, a reply since", Priority.URGENT, 90, (note(MON + 10 * M, public=True),), False),
    ("Critical, a note before the escalation only", Priority.URGENT, 90, (note(MON - M),), True),
    ("High, 1 h", Priority.HIGH, 60, (), False),
    ("High, 2 h", Priority.HIGH, 120, (), True),
    ("Medium: no diagnosis target", Priority.NORMAL, 600, (), False),
]


@pytest.mark.parametrize(
    ("label", "priority", "minutes", "comments", "reminded"),
    DIAGNOSIS,
    ids=[row[0] for row in DIAGNOSIS],
)
def test_initial_diagnosis_reminder(
    label: str,
    priority: Priority,
    minutes: int,
    comments: tuple[Comment, ...],
    reminded: bool,
) -> None:
    assert bool(diagnosis_reminders(priority, MON + minutes * M, comments)) is reminded


def test_the_diagnosis_reminder_uses_its_template() -> None:
    t = ticket(Priority.URGENT, created=MON - 3 * H)
    result = evaluate(t, AT_L3, default_policy(), MON + H)
    [decision] = [d for d in result.decisions if d.rule == "diagnosis"]
    assert decision.action is DecisionKind.REMIND_OWNER
    assert decision.template == "diagnosis_reminder"
    assert decision.reason.clock["deadline"] == "2025-03-03T11:00:00Z"


SOLVED = MON + H


def solved_ticket(**kw: object) -> object:
    history = (StatusChange(MON - 3 * H, Status.NEW), StatusChange(SOLVED, Status.SOLVED))
    return ticket(
        Priority.URGENT,
        created=MON - 3 * H,
        status=Status.SOLVED,
        updated_at=SOLVED,
        status_history=history,
        **kw,
    )


def kinds(t: object, now: dt.datetime, state: EscalationState = AT_L2) -> dict[str, DecisionKind]:
    result = evaluate(t, state, default_policy(), now)  # type: ignore[arg-type]
    return {d.rule: d.action for d in result.decisions}


def says(at: dt.datetime, text: str, lists: frozenset[str]) -> Comment:
    signals = CommentSignals(0.5, lists)
    return Comment(f"c{int(at.timestamp())}", AuthorRole.CUSTOMER, True, at, text, "", signals)


def test_a_solved_escalated_ticket_asks_the_customer_to_confirm() -> None:
    found = kinds(solved_ticket(), SOLVED + M)
    assert found["resolution_check"] is DecisionKind.RESOLUTION_CHECK
    # Not for a ticket that never left L1, nor one first seen long after its solve.
    assert "resolution_check" not in kinds(solved_ticket(), SOLVED + M, EscalationState())
    assert "resolution_check" not in kinds(solved_ticket(), SOLVED + 8 * D)
    # A bad rating gets a person (the follow-up), not a request to confirm.
    unhappy = solved_ticket(satisfaction=Satisfaction(1, "bad", "", SOLVED + 5 * M))
    assert "resolution_check" not in kinds(unhappy, SOLVED + 10 * M)


def test_a_confirmation_is_recorded_and_no_check_is_sent() -> None:
    thanks = says(SOLVED + 10 * M, "Thanks, it works now!", frozenset({"resolution_confirmed"}))
    found = kinds(solved_ticket(comments=(thanks,)), SOLVED + 20 * M)
    assert found["resolution_confirmed"] is DecisionKind.RESOLUTION_CONFIRMED
    assert "resolution_check" not in found
    rated = solved_ticket(satisfaction=Satisfaction(5, "good", "", SOLVED + 5 * M))
    assert (
        kinds(rated, SOLVED + 20 * M)["resolution_confirmed"] is DecisionKind.RESOLUTION_CONFIRMED
    )


@pytest.mark.parametrize(
    ("reopened_after", "flagged"), [(2 * H, True), (6 * D, True), (8 * D, False)]
)
def test_a_reopen_within_the_window_is_flagged(reopened_after: dt.timedelta, flagged: bool) -> None:
    base = solved_ticket()
    back = SOLVED + reopened_after
    history = (*base.status_history, StatusChange(back, Status.OPEN))  # type: ignore[attr-defined]
    t = dataclasses.replace(base, status=Status.OPEN, updated_at=back, status_history=history)  # type: ignore[type-var]
    found = kinds(t, back + M)
    assert ("reopened" in found) is flagged
    if flagged:
        assert found["reopened"] is DecisionKind.NOTIFY
