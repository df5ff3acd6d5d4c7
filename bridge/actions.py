"""What each policy decision means outside: the outbox actions it enqueues, with their content.

Content (Slack blocks, PagerDuty event, comment text) is rendered here, at enqueue time, so that
every retry of an action sends exactly the same thing. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.outbox import NewAction
from connectors import pagerduty, slack_blocks
from connectors.desk_common import BRIDGE_TAG
from policies.model import ActionKind, AuthorRole, Decision, EscalationState, Ticket
from policies.templates import TemplateRenderer

DEFAULT_PAGERDUTY_ENV = "PAGERDUTY_ROUTING_KEY"
UPDATE_CADENCE = {
    "Critical": "within 1 hour",
    "High": "within 4 hours",
    "Medium": "within 1 business day",
    "Low": "within 2 business days",
}


@dataclass(frozen=True)
class Plan:
    """What the planner needs besides the decision."""

    ticket: Ticket
    state: EscalationState  # after the decisions are applied
    next_deadline: datetime | None
    default_channel: str | None
    renderer: TemplateRenderer
    is_vip: Callable[[Ticket], bool]
    team: str = "the support team"


def plan_actions(decision: Decision, plan: Plan) -> list[NewAction]:
    """The outbox actions for one decision."""
    builder = _BUILDERS[decision.action]
    return builder(decision, plan)


def _action(
    decision: Decision, plan: Plan, suffix: str, provider: str, action: str, payload: dict[str, Any]
) -> NewAction:
    return NewAction(
        idempotency_key=f"{decision.key}:{suffix}",
        source=plan.ticket.source.value,
        ticket_id=plan.ticket.id,
        provider=provider,
        action=action,
        payload=payload,
    )


def owner_of(decision: Decision, state: EscalationState) -> str:
    route = decision.route
    return state.owner or route.assignee or route.group or route.name


def _message(decision: Decision, plan: Plan) -> slack_blocks.EscalationMessage:
    return slack_blocks.EscalationMessage.from_decision(
        plan.ticket,
        decision,
        owner=owner_of(decision, plan.state),
        next_deadline=plan.next_deadline,
        vip=plan.is_vip(plan.ticket),
    )


def _slack(
    decision: Decision,
    plan: Plan,
    suffix: str,
    event: str | None,
    *,
    actor: str | None = None,
    **parent_changes: Any,
) -> list[NewAction]:
    """A Slack post in the route's channel: the parent message if the ticket has none there yet,
    else a thread reply (``event``) and an edit of the parent to show the current state."""
    channel = decision.route.slack_channel or plan.default_channel
    if not channel:
        return []
    message = _message(decision, plan)
    payload: dict[str, Any] = {
        "channel": channel,
        "parent": slack_blocks.build_escalation_message(message),
        "parent_update": slack_blocks.build_parent_update(message, **parent_changes),
        "thread": slack_blocks.build_thread_reply(event, actor=actor) if event else None,
    }
    return [_action(decision, plan, f"slack:{suffix}", "slack", "slack.post", payload)]


def _desk_comment(decision: Decision, plan: Plan, template: str, public: bool) -> NewAction:
    body = plan.renderer.render(decision.template or template, template_context(decision, plan))
    kind = "desk.reply" if public else "desk.note"
    return _action(decision, plan, kind, plan.ticket.source.value, kind, {"body": body})


def _escalate(decision: Decision, plan: Plan) -> list[NewAction]:
    route = decision.route
    update = {
        "group_id": route.group,
        "assignee_id": route.assignee,
        "add_tags": [BRIDGE_TAG, "escalated", f"escalation_{decision.tier.name.lower()}"],
    }
    actions = [
        _action(decision, plan, "desk.update", plan.ticket.source.value, "desk.update", update)
    ]
    event = f"Escalated to {decision.tier}: {decision.reason.text}"
    return actions + _slack(decision, plan, "escalate", event, owner=owner_of(decision, plan.state))


def _notify(decision: Decision, plan: Plan) -> list[NewAction]:
    return _slack(decision, plan, "notify", f"{route_label(decision)}: {decision.reason.text}")


def _warn(decision: Decision, plan: Plan) -> list[NewAction]:
    return _slack(decision, plan, "warn", f"⏳ {decision.reason.text}")


def _page(decision: Decision, plan: Plan) -> list[NewAction]:
    event = pagerduty.build_trigger(plan.ticket, decision)
    payload = {
        "routing_key_env": decision.route.pagerduty_routing_key_env or DEFAULT_PAGERDUTY_ENV,
        "event": event,
    }
    trigger = _action(
        decision, plan, "pagerduty.trigger", "pagerduty", "pagerduty.trigger", payload
    )
    return [trigger, *_slack(decision, plan, "page", "📟 Paged on-call in PagerDuty")]


def _page_follow_up(kind: str, event: str) -> Callable[[Decision, Plan], list[NewAction]]:
    def build(decision: Decision, plan: Plan) -> list[NewAction]:
        key = pagerduty.dedup_key(plan.ticket.source.value, plan.ticket.id)
        actor = str(decision.reason.inputs.get("by") or "") or None
        changes: dict[str, Any] = (
            {"acknowledged_by": actor or "someone"} if kind == "acknowledge" else {"resolved": True}
        )
        action = _action(
            decision,
            plan,
            f"pagerduty.{kind}",
            "pagerduty",
            f"pagerduty.{kind}",
            {"dedup_key": key},
        )
        return [action, *_slack(decision, plan, kind, event, actor=actor, **changes)]

    return build


def _note(decision: Decision, plan: Plan) -> list[NewAction]:
    return [_desk_comment(decision, plan, "handoff_note", public=False)]


def _customer_ack(decision: Decision, plan: Plan) -> list[NewAction]:
    return [_desk_comment(decision, plan, "customer_ack", public=True)]


def _remind(decision: Decision, plan: Plan) -> list[NewAction]:
    return [
        _desk_comment(decision, plan, "status_reminder", public=False),
        *_slack(decision, plan, "remind", f"🔔 {decision.reason.text}"),
    ]


def _request_rca(decision: Decision, plan: Plan) -> list[NewAction]:
    owner = owner_of(decision, plan.state)
    return [
        _desk_comment(decision, plan, "rca_request", public=False),
        *_slack(
            decision,
            plan,
            "rca",
            f"📝 Root cause wanted from {owner}: {decision.reason.text}",
            resolved=True,
        ),
    ]


_BUILDERS: dict[ActionKind, Callable[[Decision, Plan], list[NewAction]]] = {
    ActionKind.ESCALATE: _escalate,
    ActionKind.NOTIFY: _notify,
    ActionKind.WARN: _warn,
    ActionKind.PAGE: _page,
    ActionKind.ACKNOWLEDGE_PAGE: _page_follow_up("acknowledge", "✋ Page acknowledged"),
    ActionKind.RESOLVE_PAGE: _page_follow_up("resolve", "✅ Page resolved"),
    ActionKind.INTERNAL_NOTE: _note,
    ActionKind.CUSTOMER_ACK: _customer_ack,
    ActionKind.REMIND_OWNER: _remind,
    ActionKind.REQUEST_RCA: _request_rca,
}


def route_label(decision: Decision) -> str:
    return decision.route.name.replace("_", " ").capitalize()


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
            "vip": plan.is_vip(ticket),
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
