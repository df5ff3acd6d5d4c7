"""What an escalation's desk update does with the previous tier's agent (pure): a route naming
an assignee replaces the agent, a group alone clears the agent, ``keep_assignee`` keeps them,
and a ticket nobody holds is not touched."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bridge.policy_files import load_policy, load_templates
from bridge.worker.comment_context import Plan
from bridge.worker.plan import ChatTarget, Planner, previous_agent
from connectors.actions import DeskUpdate
from policies.model import (
    Decision,
    DecisionKind,
    EscalationState,
    Explanation,
    Route,
    Source,
    Ticket,
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


def planned(route: Route, at_l1: Ticket, handed_from: str | None) -> tuple[DeskUpdate, str | None]:
    """The escalation's desk update, and what the audit log says about the previous agent."""
    planner = Planner(load_templates(), chats=(ChatTarget("slack"),), pagers=())
    plan = Plan(
        ticket=at_l1,
        state=EscalationState(tier=Tier.L2, tier_since=NOW, handed_from=handed_from),
        next_deadline=None,
        policy=load_policy(),
        now=NOW,
    )
    decision = escalation(route)
    actions = planner.actions(decision, plan)
    [update] = [a.payload for a in actions if isinstance(a.payload, DeskUpdate)]
    return update, previous_agent(decision, at_l1, actions)


LEAD = dataclasses.replace(GROUP, assignee="lead@example.com")
KEEP = dataclasses.replace(GROUP, keep_assignee=True)


@pytest.mark.parametrize(
    ("route", "assignee", "handed_from", "expected", "words"),
    [
        # A route naming an assignee replaces the agent; nothing needs clearing.
        (LEAD, L1_AGENT, L1_AGENT, ("lead@example.com", False), "replaced by lead@example.com"),
        # A group alone: the L1 agent is removed, the group kept.
        (GROUP, L1_AGENT, L1_AGENT, (None, True), "5 removed: unassigned in the group"),
        # keep_assignee: the agent stays.
        (KEEP, L1_AGENT, L1_AGENT, (None, False), "kept (keep_assignee)"),
        # Nobody assigned: nothing to clear.
        (GROUP, None, None, (None, False), "nobody was assigned"),
        # Someone took it since the hand-over: the new owner stays.
        (GROUP, "9", L1_AGENT, (None, False), "9 kept: assigned since the hand-over"),
        # No group to hand to: the ticket is not left nobody's.
        (Route(name="L2"), L1_AGENT, L1_AGENT, (None, False), "kept (no group to hand to)"),
    ],
    ids=["assignee-replaces", "group-clears", "keep-assignee", "unassigned", "taken", "no-group"],
)
def test_escalation_replaces_clears_or_keeps_the_agent(
    route: Route,
    assignee: str | None,
    handed_from: str | None,
    expected: tuple[str | None, bool],
    words: str,
) -> None:
    update, said = planned(route, ticket(assignee_id=assignee), handed_from)
    assert (update.assignee, update.clear_assignee) == expected
    # A clear names the agent it removes, so a late delivery keeps whoever took the ticket since.
    assert update.previous_assignee == (assignee if update.clear_assignee else None)
    assert update.group == route.group
    assert said == words


def test_a_desk_that_cannot_unassign_is_not_asked_to() -> None:
    """Freshdesk documents no way to unassign: the group is set, the agent stays, and the audit
    log says why."""
    at_l1 = dataclasses.replace(ticket(assignee_id=L1_AGENT), source=Source.FRESHDESK)
    update, said = planned(GROUP, at_l1, L1_AGENT)
    assert (update.group, update.clear_assignee) == ("senior-support", False)
    assert said == "5 kept: Freshdesk documents no way to unassign a ticket"
