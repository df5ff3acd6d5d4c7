"""What the comment templates are told: every field filled from the ticket, its escalation state
and the policy, in words a customer or a colleague reads. Pure: the clock is passed in.

Rules the messages keep: a team is named by its display name, never a desk group slug; no value
reads ``None``; public replies show chat user names only where the policy allows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from policies.compiled import words
from policies.durations import spoken_duration
from policies.fields import field_key, lookup
from policies.loader import Policy
from policies.model import AuthorRole, Comment, Decision, EscalationState, Route, Ticket, Tier
from policies.reasons import plain_reason

ISSUE_LINES = 3  # lines of the opening message quoted under the subject
STEPS = 5  # agent comments listed as steps taken
AFFECTED_USERS_FIELDS = ("affected_users", "users_affected")


def team_name(policy: Policy, route: Route, tier: Tier) -> str:
    """The display name of the team that owns ``route`` at ``tier``."""
    if route.display_name:
        return route.display_name
    rule = policy.compiled.tiers[tier]
    return rule.route.display_name or rule.name


def owner_label(policy: Policy, owner: str, tier: Tier) -> str:
    """How a recorded owner reads on a page: a team (the state records a route's group or name)
    by its display name, as ``team_name`` gives it, never a group slug; a person as recorded."""
    compiled = policy.compiled
    at_tier = compiled.tiers[tier].route
    if owner in (at_tier.group, at_tier.name):
        return team_name(policy, at_tier, tier)
    for rule in compiled.routes:
        if owner == rule.name or (rule.group and owner == rule.group):
            return rule.display_name or words(rule.name)
    for other in (*(t.route for t in compiled.tiers.values()), *compiled.notify_routes.values()):
        if owner in (other.group, other.name):
            return other.display_name or owner
    return owner


def next_update(policy: Policy, decision: Decision, now: datetime) -> tuple[str, datetime | None]:
    """When the customer hears from the team next: the policy's status-update cadence for the
    severity, as words and as a time on the severity's clock."""
    every = policy.compiled.cadence.get(decision.severity)
    if every is None:
        return "as soon as there is news", None
    clock = policy.compiled.rows[decision.severity].clock
    at = datetime.fromtimestamp(clock.deadline(now.timestamp(), every, ()), now.tzinfo)
    return f"within {cadence_words(policy, decision)}", at


def cadence_words(policy: Policy, decision: Decision) -> str:
    """The severity's status-update interval as the policy writes it, in words."""
    written = policy.doc.targets.status_updates.every.get(decision.severity.value)
    if written is None:
        return ""
    business = policy.doc.matrix[decision.severity.value].clock != "calendar"
    return spoken_duration(written, business=business)


def due_of(decision: Decision) -> datetime | None:
    """When the thing a reminder or request is about fell due (its clock's deadline)."""
    deadline = decision.reason.clock.get("deadline")
    if not isinstance(deadline, str):
        return None
    return datetime.fromisoformat(deadline.replace("Z", "+00:00"))


def owner_name(ticket: Ticket, state: EscalationState, *, public: bool, chat_names: bool) -> str:
    """The person who owns the ticket: the desk's assignee, or who took ownership in chat (only
    in public replies when the policy allows chat names). Empty when nobody is assigned."""
    # The previous tier's agent, still assigned at the hand-over, is not the new owner.
    if ticket.assignee_id and ticket.assignee_name and ticket.assignee_id != state.handed_from:
        return ticket.assignee_name
    taken = [m for m in state.manual if m.kind == "take_ownership"]
    if taken and (chat_names or not public) and state.owner == taken[-1].by:
        return taken[-1].by
    return ""


def message_context(
    policy: Policy,
    decision: Decision,
    ticket: Ticket,
    state: EscalationState,
    now: datetime,
    *,
    vip: bool = False,
) -> dict[str, Any]:
    """Everything the shipped templates name."""
    route = decision.route
    team = team_name(policy, route, decision.tier)
    settings = policy.doc.messages
    person = owner_name(ticket, state, public=False, chat_names=True)
    public_person = owner_name(ticket, state, public=True, chat_names=settings.public_chat_names)
    timeframe, update_at = next_update(policy, decision, now)
    customer_says = _customer_comments(ticket)
    agent_notes = [c for c in ticket.comments if c.author_role is AuthorRole.AGENT]
    public_replies = [c.created_at for c in agent_notes if c.public]
    tier_rule = policy.compiled.tiers[decision.tier]
    return {
        "ticket_id": ticket.id,
        "case_number": f"#{ticket.id}",
        "tier": decision.tier.name,
        "tier_name": tier_rule.name,
        "severity": decision.severity.value,
        "team": team,
        "owner": person or f"{team} team (nobody assigned yet)",
        "owner_public": public_person,
        "signature": settings.signature or public_person or f"{team} team",
        "customer": {
            "name": _customer_name(ticket),
            "company": (ticket.organization.name if ticket.organization else "")
            or "no company on file",
            "tier": account_tier(ticket),
            "vip": vip,
        },
        "issue": ticket.subject or "(no subject)",
        "issue_lines": _opening_lines(ticket),
        "impact": impact(policy, decision, ticket),
        "ongoing": spoken_duration((now - ticket.created_at).total_seconds()),
        "opened_at": ticket.created_at,
        "timeline": timeline(policy, ticket, state),
        "steps": [
            {"at": c.created_at, "kind": "reply" if c.public else "note", "text": _line(c.body)}
            for c in agent_notes[-STEPS:]
            if c.body.strip()
        ],
        "reason": why(policy, decision),
        "expectation": _line(customer_says[-1].body)
        if customer_says
        else "not stated yet; ask in the first reply",
        "timeframe": timeframe,
        "next_update_at": update_at,
        "cadence": cadence_words(policy, decision),
        "last_update": max(public_replies, default=None),
        "due": due_of(decision),
        "now": now,
        "resolved_at": state.solved_at,
        "reopen_within": _reopen_words(policy),
    }


def _reopen_words(policy: Policy) -> str:
    check = policy.doc.targets.resolution_check
    return spoken_duration(check.reopen_within) if check else "a few days"


def why(policy: Policy, decision: Decision) -> str:
    """The reason for a decision in plain words."""
    inputs = decision.reason.inputs
    what = str(inputs.get("why") or "")
    rule = decision.rule
    return plain_reason(policy, rule, what, decision.tier) or decision.reason.text


def impact(policy: Policy, decision: Decision, ticket: Ticket) -> str:
    """The severity's meaning from the matrix, and who or what is affected where the ticket
    says."""
    row = policy.doc.matrix.get(decision.severity.value)
    described = row.description if row and row.description else ""
    parts = [f"{decision.severity.value}" + (f": {described}" if described else "")]
    users = _field_text(ticket, AFFECTED_USERS_FIELDS)
    if users:
        parts.append(f"affected users: {users}")
    components = _components(policy, ticket)
    if components:
        parts.append(f"affected components: {', '.join(components)}")
    return "; ".join(parts)


def timeline(policy: Policy, ticket: Ticket, state: EscalationState) -> list[dict[str, Any]]:
    """When the ticket opened, and each move between tiers with its reason."""
    entries: list[dict[str, Any]] = [{"at": ticket.created_at, "text": "ticket opened"}]
    for step in state.history:
        reason = plain_reason(policy, step.rule, "", step.to_tier)
        names = policy.compiled.tiers
        entries.append(
            {
                "at": step.at,
                "text": f"{names[step.from_tier].name} ({step.from_tier}) → "
                f"{names[step.to_tier].name} ({step.to_tier})" + (f": {reason}" if reason else ""),
            }
        )
    return entries


def account_tier(ticket: Ticket) -> str:
    """The customer's account tier as the desk records it (organization first), else VIP when a
    party is tagged so, else Standard."""
    for party in (ticket.organization, ticket.requester):
        if party and party.fields.get("account_tier"):
            return str(party.fields["account_tier"]).replace("_", " ").title()
    if any(party and "vip" in party.tags for party in (ticket.organization, ticket.requester)):
        return "VIP"
    return "Standard"


def _customer_name(ticket: Ticket) -> str:
    requester = ticket.requester
    if requester is None:
        return "there"
    if requester.name.strip():
        return requester.name.strip()
    local = requester.email.partition("@")[0]
    return local.replace(".", " ").title() if local else "there"


def _customer_comments(ticket: Ticket) -> list[Comment]:
    return [c for c in ticket.comments if c.author_role is AuthorRole.CUSTOMER and c.body.strip()]


def _opening_lines(ticket: Ticket) -> list[str]:
    text = ticket.description
    if not text.strip():
        said = _customer_comments(ticket)
        text = said[0].body if said else ""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return [_line(line) for line in lines[:ISSUE_LINES]]


def _line(text: str, limit: int = 200) -> str:
    line = next((part.strip() for part in text.strip().splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _field_text(ticket: Ticket, names: tuple[str, ...]) -> str:
    for name in names:
        found = lookup(ticket, field_key(name))
        if found and found[1] not in (None, "", []):
            value = found[1]
            return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return ""


def _components(policy: Policy, ticket: Ticket) -> list[str]:
    """Components named the way the policy's status-page rules read them: a ticket field or
    tags mapped to component names."""
    found: list[str] = []
    for rule in policy.doc.statuspage:
        spec = rule.components
        if spec.field:
            text = _field_text(ticket, (spec.field,))
            found += [part.strip() for part in text.split(",") if part.strip()]
        found += [name for tag, name in spec.tags.items() if tag in ticket.tags]
    return list(dict.fromkeys(found))
