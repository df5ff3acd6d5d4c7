"""``bridge setup freshdesk``: the automation rules that call the bridge's webhook, created
through Freshdesk's automations API (``/api/v2/automations/{automation_type_id}/rules``).

Automation types: 1 ticket creation, 4 ticket updates; ``performer`` and ``events`` apply to
ticket updates only. A rule's action ``trigger_webhook`` POSTs the JSON body with HTTP Basic
auth (the password is ``FRESHDESK_WEBHOOK_SECRET``). Sources: Freshdesk API v2 reference,
"Automations" (https://developers.freshdesk.com/api/#automations) and KB 132589 "Using webhooks
in automation rules".

The bridge's own updates must not call it back: Freshdesk's performer can name agents but not
"every agent but one", so the update rule for agents names every agent except the bridge's, and
a second one covers requesters. An agent added later is missing from the first rule until
``bridge setup freshdesk`` runs again (``bridge doctor`` says so). Rules are found by name, so a
second run changes nothing but a stale member list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.freshdesk.client import FreshdeskDesk

RULE_PREFIX = "Escalation bridge"
TICKET_CREATION, TICKET_UPDATES = 1, 4
PERFORMER_AGENT, PERFORMER_REQUESTER = 1, 2
FRESHDESK_BODY = {
    "freshdesk_webhook": {
        "ticket_id": "{{ticket.id}}",
        "triggered_event": "{{triggered_event}}",
        "ticket_status": "{{ticket.status}}",
        "ticket_priority": "{{ticket.priority}}",
    }
}
# Every ticket has one of the four priorities: a condition that always holds (rules need one).
ANY_TICKET = [
    {
        "name": "condition_set_1",
        "match_type": "all",
        "properties": [
            {
                "resource_type": "ticket",
                "field_name": "priority",
                "operator": "in",
                "value": [1, 2, 3, 4],
            }
        ],
    }
]
UPDATE_EVENTS = [
    {"field_name": "priority", "from": "--", "to": "--"},
    {"field_name": "status", "from": "--", "to": "--"},
    {"field_name": "group_id", "from": "--", "to": "--"},
    {"field_name": "responder_id", "from": "--", "to": "--"},
    {"field_name": "note_type", "value": "--"},
    {"field_name": "reply_sent"},
    {"field_name": "customer_feedback", "value": "--"},
]


def rule_specs(url: str, secret_hint: str, agents: list[int]) -> list[tuple[int, dict[str, Any]]]:
    """(automation type, rule) for each rule the bridge needs."""
    action = {
        "field_name": "trigger_webhook",
        "request_type": "POST",
        "url": f"{url.rstrip('/')}/webhooks/freshdesk",
        "content_type": "JSON",
        "content_layout": "2",  # advanced: the JSON body below
        "content": FRESHDESK_BODY,
        "auth_header": {"username": "freshdesk", "password": secret_hint},
    }

    def rule(name: str, **extra: Any) -> dict[str, Any]:
        return {
            "name": f"{RULE_PREFIX}: {name}",
            "active": True,
            "conditions": ANY_TICKET,
            "actions": [action],
            **extra,
        }

    return [
        (TICKET_CREATION, rule("ticket created")),
        (
            TICKET_UPDATES,
            rule(
                "ticket updated by an agent",
                performer={"type": PERFORMER_AGENT, "members": sorted(agents)},
                events=UPDATE_EVENTS,
            ),
        ),
        (
            TICKET_UPDATES,
            rule(
                "ticket updated by the requester",
                performer={"type": PERFORMER_REQUESTER},
                events=UPDATE_EVENTS,
            ),
        ),
    ]


def setup_freshdesk(desk: FreshdeskDesk, *, url: str, dry_run: bool = False) -> list[str]:
    """Find, create or refresh the rules; one line each. The webhook password is sent only
    when a rule is written, never printed."""
    secret = desk.settings.webhook_secret
    if secret is None and not dry_run:
        return ["set FRESHDESK_WEBHOOK_SECRET first: the rules send it as the webhook password"]
    password = secret.get_secret_value() if secret else "<FRESHDESK_WEBHOOK_SECRET>"
    lines = []
    for kind, spec in rule_specs(url, password, other_agents(desk)):
        existing = find_rule(desk, kind, spec["name"])
        shown = _redacted(spec)
        if existing is None:
            if dry_run:
                lines.append(f"would create rule (type {kind}): {json.dumps(shown)}")
                continue
            created = desk._call("POST", f"/api/v2/automations/{kind}/rules", json=spec).json()
            lines.append(f"created rule {created['id']}: {spec['name']!r}")
        elif stale(existing, spec):
            if dry_run:
                lines.append(f"would update rule {existing['id']}: {json.dumps(shown)}")
                continue
            path = f"/api/v2/automations/{kind}/rules/{existing['id']}"
            desk._call("PUT", path, json=spec)
            lines.append(f"updated rule {existing['id']}: {spec['name']!r} (performers, active)")
        else:
            lines.append(f"rule exists: {existing['id']} {spec['name']!r}")
    return lines


def other_agents(desk: FreshdeskDesk) -> list[int]:
    """Every agent but the bridge's own."""
    me = desk.bridge_user_id()
    return [int(a["id"]) for a in desk._paged("/api/v2/agents", per_page=100) if str(a["id"]) != me]


def rules(desk: FreshdeskDesk, kind: int) -> list[Mapping[str, Any]]:
    return list(desk._paged(f"/api/v2/automations/{kind}/rules", per_page=100))


def find_rule(desk: FreshdeskDesk, kind: int, name: str) -> Mapping[str, Any] | None:
    return next((r for r in rules(desk, kind) if r.get("name") == name), None)


def stale(existing: Mapping[str, Any], spec: Mapping[str, Any]) -> bool:
    """Inactive, or performed by other people than the bridge would name now."""
    wanted = spec.get("performer") or {}
    found = existing.get("performer") or {}
    members = sorted(int(m) for m in found.get("members") or [])
    return not existing.get("active") or (
        bool(wanted)
        and (found.get("type") != wanted["type"] or members != wanted.get("members", []))
    )


def _redacted(spec: Mapping[str, Any]) -> dict[str, Any]:
    action = {**spec["actions"][0], "auth_header": {"username": "freshdesk", "password": "***"}}
    return {**spec, "actions": [action]}
