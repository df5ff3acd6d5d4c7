"""``bridge setup zendesk``: find or create the signed webhook and the trigger that calls it.

Webhooks: https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/ (cursor
pagination). Triggers: https://developer.zendesk.com/api-reference/ticketing/business-rules/triggers/
(offset pagination, at most 100 a page). Conditions: only fields of the conditions reference,
https://developer.zendesk.com/documentation/ticketing/reference-guides/conditions-reference/

Every step looks before it creates (every page, by name), so a run that failed half-way (the
webhook created, the trigger refused) is finished by running it again, and a second run changes
nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.zendesk.client import ZendeskDesk

WEBHOOK_NAME = "Escalation bridge"
TRIGGER_TITLE = "Escalation bridge: notify on ticket create/update"
# What the trigger sends: the bridge re-reads the ticket, the body is only a hint. The conditions
# reference has no "updated by this user" condition (``current_user`` is a value of assignee or
# requester conditions, not a field), so the loop guard is ``updater_id``: the bridge drops
# hints its own API user caused (``ZendeskDesk.webhook_from_bridge``).
TRIGGER_BODY = {
    "ticket_id": "{{ticket.id}}",
    "updater_id": "{{current_user.id}}",
    "status": "{{ticket.status}}",
    "priority": "{{ticket.priority}}",
}
TRIGGER_CONDITIONS = {
    "all": [],
    "any": [
        {"field": "update_type", "operator": "is", "value": "Create"},
        {"field": "update_type", "operator": "is", "value": "Change"},
    ],
}


def setup_zendesk(desk: ZendeskDesk, *, url: str, dry_run: bool = False) -> list[str]:
    """Find or create the webhook and the trigger; returns what it did, one line each."""
    endpoint = f"{url.rstrip('/')}/webhooks/zendesk"
    lines = []
    hook = find_webhook(desk)
    if hook is not None:
        lines.append(f"webhook exists: {hook['id']} -> {hook.get('endpoint')}")
        if hook.get("endpoint") != endpoint:
            lines.append(f"  note: it calls {hook.get('endpoint')}, not {endpoint}")
    elif dry_run:
        lines.append("would create webhook: " + json.dumps({"webhook": webhook_spec(endpoint)}))
    else:
        response = desk._api("POST", "/webhooks", json={"webhook": webhook_spec(endpoint)})
        hook = response.json()["webhook"]
        lines.append(f"created webhook: {hook['id']} -> {endpoint}")
    if hook is not None:
        lines.append(secret_check(desk, str(hook["id"])))
    spec = trigger_spec(str(hook["id"]) if hook else "<webhook id>")
    existing = find_trigger(desk)
    if existing is not None:
        lines.append(f"trigger exists: {existing['id']} {TRIGGER_TITLE!r}")
    elif dry_run:
        lines.append("would create trigger: " + json.dumps({"trigger": spec}))
    else:
        created = desk._api("POST", "/triggers.json", json={"trigger": spec}).json()["trigger"]
        lines.append(f"created trigger: {created['id']} {TRIGGER_TITLE!r}")
    return lines


def webhook_spec(endpoint: str) -> dict[str, Any]:
    return {
        "name": WEBHOOK_NAME,
        "endpoint": endpoint,
        "http_method": "POST",
        "request_format": "json",
        "status": "active",
        "subscriptions": ["conditional_ticket_events"],
    }


def trigger_spec(webhook_id: str) -> dict[str, Any]:
    return {
        "title": TRIGGER_TITLE,
        "active": True,
        "conditions": TRIGGER_CONDITIONS,
        "actions": [
            {"field": "notification_webhook", "value": [webhook_id, json.dumps(TRIGGER_BODY)]}
        ],
    }


def find_webhook(desk: ZendeskDesk) -> Mapping[str, Any] | None:
    return next((h for h in webhooks(desk) if h.get("name") == WEBHOOK_NAME), None)


def find_trigger(desk: ZendeskDesk) -> Mapping[str, Any] | None:
    return next((t for t in triggers(desk) if t.get("title") == TRIGGER_TITLE), None)


def webhooks(desk: ZendeskDesk) -> Iterator[Mapping[str, Any]]:
    """Every webhook named like ours, following ``links.next`` while ``meta.has_more``."""
    page = desk._api(
        "GET", "/webhooks", params={"filter[name_contains]": WEBHOOK_NAME, "page[size]": 100}
    ).json()
    while True:
        yield from page.get("webhooks") or ()
        next_url = (page.get("links") or {}).get("next")
        if not (page.get("meta") or {}).get("has_more") or not next_url:
            return
        page = desk._get_url(next_url).json()


def triggers(desk: ZendeskDesk) -> Iterator[Mapping[str, Any]]:
    """Every trigger, following ``next_page`` (offset pagination, 100 a page)."""
    return desk._paged_list("/triggers.json", "triggers")


def secret_check(desk: ZendeskDesk, hook_id: str) -> str:
    if webhook_secret_matches(desk, hook_id):
        return "ZENDESK_WEBHOOK_SECRET matches the webhook's signing secret"
    return (
        "set ZENDESK_WEBHOOK_SECRET to the webhook's signing secret "
        f"(Admin Center > Apps and integrations > Webhooks > {WEBHOOK_NAME} > Reveal secret)"
    )


def webhook_secret_matches(desk: ZendeskDesk, hook_id: str) -> bool:
    secret = desk._api("GET", f"/webhooks/{hook_id}/signing_secret").json()
    actual = str(secret["signing_secret"]["secret"])
    configured = desk.settings.webhook_secret
    return configured is not None and configured.get_secret_value() == actual
