"""``bridge setup zendesk``: find or create the signed webhook and the trigger that calls it.

Webhooks: https://developer.zendesk.com/api-reference/webhooks/webhooks-api/webhooks/
Triggers: https://developer.zendesk.com/api-reference/ticketing/business-rules/triggers/
"""

from __future__ import annotations

import json
from typing import Any

from connectors.zendesk.client import ZendeskDesk

WEBHOOK_NAME = "Escalation bridge"
TRIGGER_TITLE = "Escalation bridge: notify on ticket create/update"
# What the trigger sends: the bridge re-reads the ticket, the body is only a hint. updater_id
# lets the bridge drop hints caused by its own API user if the trigger condition is missing.
TRIGGER_BODY = {
    "ticket_id": "{{ticket.id}}",
    "updater_id": "{{current_user.id}}",
    "status": "{{ticket.status}}",
    "priority": "{{ticket.priority}}",
}


def setup_zendesk(desk: ZendeskDesk, *, url: str, dry_run: bool = False) -> list[str]:
    """Find or create the webhook and the trigger; returns what it did, one line each."""
    api = f"{desk.settings.canonical_url}/api/v2"
    endpoint = f"{url.rstrip('/')}/webhooks/zendesk"
    webhook_spec = {
        "name": WEBHOOK_NAME,
        "endpoint": endpoint,
        "http_method": "POST",
        "request_format": "json",
        "status": "active",
        "subscriptions": ["conditional_ticket_events"],
    }
    lines = []
    session = desk.session
    hooks = session.get(f"{api}/webhooks", params={"filter[name_contains]": WEBHOOK_NAME})
    hook = next((h for h in hooks.json()["webhooks"] if h.get("name") == WEBHOOK_NAME), None)
    if hook is not None:
        lines.append(f"webhook exists: {hook['id']} -> {hook.get('endpoint')}")
    elif dry_run:
        lines.append("would create webhook: " + json.dumps({"webhook": webhook_spec}))
    else:
        hook = session.post(f"{api}/webhooks", json={"webhook": webhook_spec}).json()["webhook"]
        lines.append(f"created webhook: {hook['id']} -> {endpoint}")
    if hook is not None:
        lines.append(_secret_check(desk, api, str(hook["id"])))
    trigger_spec = _trigger_spec(str(hook["id"]) if hook else "<webhook id>", desk)
    triggers = session.get(f"{api}/triggers.json").json()["triggers"]
    existing = next((t for t in triggers if t.get("title") == TRIGGER_TITLE), None)
    if existing is not None:
        lines.append(f"trigger exists: {existing['id']} {TRIGGER_TITLE!r}")
    elif dry_run:
        lines.append("would create trigger: " + json.dumps({"trigger": trigger_spec}))
    else:
        created = session.post(f"{api}/triggers.json", json={"trigger": trigger_spec})
        lines.append(f"created trigger: {created.json()['trigger']['id']} {TRIGGER_TITLE!r}")
    return lines


def _trigger_spec(webhook_id: str, desk: ZendeskDesk) -> dict[str, Any]:
    return {
        "title": TRIGGER_TITLE,
        "conditions": {
            "all": [
                # Updates the bridge makes itself must not call it back (loop guard).
                {"field": "current_user", "operator": "is_not", "value": desk.bridge_user_id()}
            ],
            "any": [
                {"field": "update_type", "operator": "is", "value": "Create"},
                {"field": "update_type", "operator": "is", "value": "Change"},
            ],
        },
        "actions": [
            {"field": "notification_webhook", "value": [webhook_id, json.dumps(TRIGGER_BODY)]}
        ],
    }


def _secret_check(desk: ZendeskDesk, api: str, hook_id: str) -> str:
    secret = desk.session.get(f"{api}/webhooks/{hook_id}/signing_secret").json()
    actual = str(secret["signing_secret"]["secret"])
    configured = desk.settings.webhook_secret
    if configured is not None and configured.get_secret_value() == actual:
        return "ZENDESK_WEBHOOK_SECRET matches the webhook's signing secret"
    return (
        "set ZENDESK_WEBHOOK_SECRET to the webhook's signing secret "
        f"(Admin Center > Apps and integrations > Webhooks > {WEBHOOK_NAME} > Reveal secret)"
    )
