"""What a comment template is told about a ticket and its escalation, and the plan (ticket,
state, policy, clock) the planner works from. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policies import Policy
from policies.messages import message_context
from policies.model import Decision, EscalationState, Ticket


@dataclass(frozen=True)
class Plan:
    """What the planner needs about the ticket besides the decision."""

    ticket: Ticket
    state: EscalationState  # after the decisions are applied
    next_deadline: datetime | None
    policy: Policy
    now: datetime
    vip: bool = False


def owner_of(decision: Decision, state: EscalationState) -> str:
    """Who owns the ticket, as chat messages show it: a person, or a team by its display name
    (never the desk group's slug)."""
    route = decision.route
    owner = state.owner or route.assignee or route.group or route.name
    if owner in (route.group, route.name) and route.display_name:
        return f"{route.display_name} team"
    return owner


def template_context(decision: Decision, plan: Plan) -> dict[str, Any]:
    """Everything the shipped templates name, from the ticket, state, policy and decision."""
    return message_context(
        plan.policy,
        decision,
        plan.ticket,
        plan.state,
        plan.now,
        vip=plan.vip,
    )
