"""Which root-cause decisions become a follow-up task, and what the task carries (pure)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bridge.policy_files import load_policy, load_templates
from bridge.worker.comment_context import Plan
from bridge.worker.plan import ChatTarget, Planner
from connectors.actions import FollowUpDone, FollowUpTask
from policies.model import (
    Decision,
    DecisionKind,
    EscalationState,
    Explanation,
    Route,
    Severity,
    Status,
    Tier,
)
from tests.policies.factory import ticket

DEADLINE = "2025-03-05T10:00:00Z"
RCA = Decision(
    rule="rca",
    action=DecisionKind.REQUEST_RCA,
    tier=Tier.L3,
    route=Route(name="engineering", slack_channel="#eng", group="L3 engineering"),
    key="zendesk:42:rca:request_rca",
    reason=Explanation(
        rule="rca",
        text=f"Root-cause write-up due by {DEADLINE}",
        clock={"solved_at": "2025-03-03T10:00:00Z", "deadline": DEADLINE},
    ),
    severity=Severity.CRITICAL,
    template="rca_request",
)
SOLVED = ticket(status=Status.SOLVED, subject="Checkout down")


def planner(tasks: str | None = "clickup") -> Planner:
    return Planner(
        load_templates(), chats=(ChatTarget("slack"),), pagers=("pagerduty",), tasks=tasks
    )


def plan(owner: str | None = None, rca_recorded: bool = False) -> Plan:
    state = EscalationState(owner=owner, rca_recorded=rca_recorded)
    return Plan(
        ticket=SOLVED,
        state=state,
        next_deadline=None,
        policy=load_policy(),
        now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )


def test_the_rca_request_adds_one_task_with_the_deadline_owner_and_template() -> None:
    actions = planner().actions(RCA, plan(owner="ana@example.com"))
    [task] = [a for a in actions if a.provider == "clickup"]
    assert task.key == "zendesk:42:rca:request_rca:clickup.task"
    payload = task.payload
    assert isinstance(payload, FollowUpTask)
    assert payload.due == datetime(2025, 3, 5, 10, 0, tzinfo=UTC)
    assert payload.owner == "ana@example.com"
    assert payload.severity is Severity.CRITICAL
    assert payload.tags == ("rca", "l3", "critical")
    assert payload.ticket.subject == "Checkout down"
    assert payload.request.startswith("[RCA] Root-cause analysis requested")
    # The desk's note and the chat line are still there.
    assert {a.provider for a in actions} == {"zendesk", "slack", "clickup"}


@pytest.mark.parametrize(
    ("decision", "recorded", "tasks"),
    [
        (dataclasses.replace(RCA, rule="rca_reminder"), False, "clickup"),  # a reminder
        (RCA, True, "clickup"),  # already written
        (RCA, False, None),  # no tracker configured
    ],
)
def test_no_task(decision: Decision, recorded: bool, tasks: str | None) -> None:
    actions = planner(tasks).actions(decision, plan(rca_recorded=recorded))
    assert not [a for a in actions if isinstance(a.payload, FollowUpTask)]


def test_an_rca_recorded_completes_the_task_once_per_ticket() -> None:
    [done] = planner().rca_recorded(SOLVED, "recorded on the ticket")
    assert done.key == "zendesk:42:rca:recorded:clickup" and done.provider == "clickup"
    assert isinstance(done.payload, FollowUpDone)
    assert planner(None).rca_recorded(SOLVED, "x") == []


def test_the_owner_falls_back_to_the_routes_group() -> None:
    [task] = [a for a in planner().actions(RCA, plan()) if a.provider == "clickup"]
    assert isinstance(task.payload, FollowUpTask) and task.payload.owner == "L3 engineering"
