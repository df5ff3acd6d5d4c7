"""What an escalation's desk update does with the previous tier's agent (pure): a route naming
an assignee replaces the agent, a group alone clears the agent, ``keep_assignee`` keeps them,
and a ticket nobody holds is not touched."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bridge.policy_files import load_policy, load_templates
from bridge.worker.comment_context import Plan
from bridge.worker.plan import ChatTarget, Planner
from connectors.actions import DeskUpdate
from policies.model import (
    Decision,
    DecisionKind,
    EscalationState,
    Explanation,
    Route,
    Tier,
)
from tests.policies.factory import ticket

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
L1_AGENT = "5"
GROUP = Route(name="L2", group="senior-support", display_name="Senior Support")


def escalation(route: Route) -> Decision:
    return Decision(
        rule="tag:escalate_l2",
        action=DecisionKind.ESCALATE,
        tier=Tier.L2,
        route=route,
        key="zendesk:42:tag:escalate_l2:L2:escalate",
        reason=Explanation(rule="tag:escalate_l2", text="the agent asked for L2"),
    )


def desk_update(route: Route, assignee: str | None, handed_from: str | None) -> DeskUpdate:
    planner = Planner(load_templates(), chats=(ChatTarget("slack"),), pagers=())
    plan = Plan(
        ticket=ticket(assignee_id=assignee),
        state=EscalationState(tier=Tier.L2, tier_since=NOW, handed_from=handed_from),
        next_deadline=None,
        policy=load_policy(),
        now=NOW,
    )
    [update] = [
        a.payload
        for a in planner.actions(escalation(route), plan)
        if isinstance(a.payload, DeskUpdate)
    ]
    return update


@pytest.mark.parametrize(
    ("route", "assignee", "handed_from", "expected"),
    [
        # A route naming an assignee replaces the agent; nothing needs clearing.
        (
            dataclasses.replace(GROUP, assignee="lead@example.com"),
            "5",
            "5",
            ("lead@example.com", False),
        ),
        # A group alone: the L1 agent is removed, the group kept.
        (GROUP, L1_AGENT, L1_AGENT, (None, True)),
        # keep_assignee: the agent stays.
        (dataclasses.replace(GROUP, keep_assignee=True), L1_AGENT, L1_AGENT, (None, False)),
        # Nobody assigned: nothing to clear.
        (GROUP, None, None, (None, False)),
        # Someone took it since the hand-over: the new owner stays.
        (GROUP, "9", L1_AGENT, (None, False)),
        # No group to hand to: the ticket is not left nobody's.
        (Route(name="L2"), L1_AGENT, L1_AGENT, (None, False)),
    ],
    ids=["assignee-replaces", "group-clears", "keep-assignee", "unassigned", "taken", "no-group"],
)
def test_escalation_replaces_clears_or_keeps_the_agent(
    route: Route, assignee: str | None, handed_from: str | None, expected: tuple[str | None, bool]
) -> None:
    update = desk_update(route, assignee, handed_from)
    assert (update.assignee, update.clear_assignee) == expected
    assert update.group == route.group
