"""What a comment template is told about a ticket and its escalation, and the plan (ticket,
state, next deadline) the planner works from. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policies.model import AuthorRole, Decision, EscalationState, Ticket

UPDATE_CADENCE = {
    "Critical": "within 1 hour",
    "High": "within 4 hours",
    "Medium": "within 1 business day",
    "Low": "within 2 business days",
}


@dataclass(frozen=True)
class Plan:
    """What the planner needs about the ticket besides the decision."""

    ticket: Ticket
    state: EscalationState  # after the decisions are applied
    next_deadline: datetime | None
    vip: bool = False
    team: str = "the support team"


def owner_of(decision: Decision, state: EscalationState) -> str:
    route = decision.route
    return state.owner or route.assignee or route.group or route.name


def template_context(decision: Decision, plan: Plan) -> dict[str, Any]:
    """Everything the shipped templates name, from the ticket, state and decision."""
    ticket, state = plan.ticket, plan.state
    requester, organization = ticket.requester, ticket.organization
    customer_comments = [c for c in ticket.comments if c.author_role is AuthorRole.CUSTOMER]
    agent_replies = [c for c in ticket.comments if c.author_role is AuthorRole.AGENT]
    timeline = [{"at": ticket.created_at, "text": "ticket created"}]
    timeline += [
        {"at": h.at, "text": f"{h.from_tier} → {h.to_tier} ({h.rule})"} for h in state.history
    ]
    last_update = max((c.created_at for c in agent_replies if c.public), default=None)
    return {
        "tier": str(decision.tier),
        "severity": decision.severity.value,
        "owner": owner_of(decision, state),
        "case_number": f"#{ticket.id}",
        "customer": {
            "name": (requester.name if requester else "") or "customer",
            "company": organization.name if organization else "no company on file",
            "tier": _tier_of(ticket),
            "vip": plan.vip,
        },
        "issue": ticket.subject,
        "impact": f"{decision.severity.value} severity; tags: "
        + (", ".join(sorted(ticket.tags)) or "none"),
        "timeline": timeline,
        "steps": [_first_line(c.body) for c in agent_replies[-5:]],
        "reason": decision.reason.text,
        "expectation": _first_line(customer_comments[-1].body)
        if customer_comments
        else "no customer comment yet",
        "timeframe": UPDATE_CADENCE.get(decision.severity.value, "soon"),
        "cadence": UPDATE_CADENCE.get(decision.severity.value, "regularly").removeprefix("within "),
        "last_update": last_update or ticket.created_at,
        "due": plan.next_deadline,
        "resolved_at": state.solved_at,
        "team": plan.team,
    }


def _tier_of(ticket: Ticket) -> str:
    for party in (ticket.organization, ticket.requester):
        if party and party.fields.get("account_tier"):
            return str(party.fields["account_tier"])
    return "standard"


def _first_line(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
