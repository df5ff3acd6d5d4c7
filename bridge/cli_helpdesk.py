"""``bridge sync`` and ``bridge setup zendesk|freshdesk``.

The work is in plain functions taking (settings, storage, now) so tests call them directly; the
click commands only fetch those from the Flask app and print.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from bridge.config import Settings
from bridge.integrations import build_helpdesks
from bridge.storage import Storage
from bridge.sync import sync
from connectors.zendesk import ZendeskDesk

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
FRESHDESK_BODY = {
    "freshdesk_webhook": {
        "ticket_id": "{{ticket.id}}",
        "triggered_event": "{{triggered_event}}",
        "ticket_status": "{{ticket.status}}",
        "ticket_priority": "{{ticket.priority}}",
    }
}


def setup_zendesk(
    settings: Settings,
    storage: Storage,
    now: datetime,
    *,
    url: str,
    dry_run: bool = False,
    desk: ZendeskDesk | None = None,
) -> list[str]:
    """Find or create the signed webhook and the trigger that calls it; returns what it did."""
    zendesk = desk or build_helpdesks(settings).get("zendesk")
    if not isinstance(zendesk, ZendeskDesk):
        raise click.ClickException("Zendesk is not configured: set ZENDESK_SUBDOMAIN, ...")
    api = f"{zendesk.config.canonical_url}/api/v2"
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
    hooks = zendesk.session.get(f"{api}/webhooks", params={"filter[name_contains]": WEBHOOK_NAME})
    hook = next((h for h in hooks.json()["webhooks"] if h.get("name") == WEBHOOK_NAME), None)
    if hook is not None:
        lines.append(f"webhook exists: {hook['id']} -> {hook.get('endpoint')}")
    elif dry_run:
        lines.append("would create webhook: " + json.dumps({"webhook": webhook_spec}))
    else:
        hook = zendesk.session.post(f"{api}/webhooks", json={"webhook": webhook_spec}).json()[
            "webhook"
        ]
        lines.append(f"created webhook: {hook['id']} -> {endpoint}")
    if hook is not None:
        lines.append(_secret_check(zendesk, api, str(hook["id"]), settings))
    trigger_spec = _trigger_spec(str(hook["id"]) if hook else "<webhook id>", zendesk)
    triggers = zendesk.session.get(f"{api}/triggers.json").json()["triggers"]
    existing = next((t for t in triggers if t.get("title") == TRIGGER_TITLE), None)
    if existing is not None:
        lines.append(f"trigger exists: {existing['id']} {TRIGGER_TITLE!r}")
    elif dry_run:
        lines.append("would create trigger: " + json.dumps({"trigger": trigger_spec}))
    else:
        created = zendesk.session.post(f"{api}/triggers.json", json={"trigger": trigger_spec})
        lines.append(f"created trigger: {created.json()['trigger']['id']} {TRIGGER_TITLE!r}")
    return lines


def _trigger_spec(webhook_id: str, zendesk: ZendeskDesk) -> dict[str, Any]:
    return {
        "title": TRIGGER_TITLE,
        "conditions": {
            "all": [
                # Updates the bridge makes itself must not call it back (loop guard).
                {"field": "current_user", "operator": "is_not", "value": zendesk.bridge_user_id()}
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


def _secret_check(zendesk: ZendeskDesk, api: str, hook_id: str, settings: Settings) -> str:
    secret = zendesk.session.get(f"{api}/webhooks/{hook_id}/signing_secret").json()
    actual = str(secret["signing_secret"]["secret"])
    configured = settings.zendesk_webhook_secret
    if configured is not None and configured.get_secret_value() == actual:
        return "ZENDESK_WEBHOOK_SECRET matches the webhook's signing secret"
    return (
        "set ZENDESK_WEBHOOK_SECRET to the webhook's signing secret "
        f"(Admin Center > Apps and integrations > Webhooks > {WEBHOOK_NAME} > Reveal secret)"
    )


def setup_freshdesk(settings: Settings, storage: Storage, now: datetime, *, url: str) -> list[str]:
    """Freshdesk has no API for automation rules: print what to configure by hand."""
    endpoint = f"{url.rstrip('/')}/webhooks/freshdesk"
    return [
        "In Freshdesk: Admin > Workflows > Automations > Ticket updates > New rule",
        f"  name: {WEBHOOK_NAME}",
        "  when: Performed by 'Agent or Requester or System' except the bridge's API agent",
        "  events: Ticket is created; Status, Priority, Group, Agent is changed; Note is added;"
        " Reply is sent; Customer feedback is received",
        "  action: Trigger webhook",
        f"    POST {endpoint}",
        "    Requires authentication: username 'freshdesk', "
        "password = the value of FRESHDESK_WEBHOOK_SECRET",
        "    Encoding: JSON, Content: Advanced, body:",
        "    " + json.dumps(FRESHDESK_BODY),
        "Repeat with the same action under 'Ticket creation'.",
    ]


def _context() -> tuple[Settings, Storage]:
    settings: Settings = current_app.config["BRIDGE_SETTINGS"]
    storage: Storage = current_app.extensions["bridge"].storage
    return settings, storage


@click.command("sync")
@click.option("--desk", type=click.Choice(["zendesk", "freshdesk"]), default=None)
@with_appcontext
def sync_command(desk: str | None) -> None:
    """One incremental pass over the help desks; queues what changed for the worker."""
    settings, storage = _context()
    try:
        results = sync(settings, storage, datetime.now(UTC), desk=desk)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if not results:
        click.echo("no help desk is configured: nothing to sync")
    for result in results:
        click.echo(result.line())


@click.group("setup")
def setup_command() -> None:
    """Create or print the webhook wiring in a help desk."""


@setup_command.command("zendesk")
@click.option("--url", required=True, help="Public base URL of this bridge.")
@click.option("--dry-run", is_flag=True, help="Print what would be created.")
@with_appcontext
def setup_zendesk_command(url: str, dry_run: bool) -> None:
    settings, storage = _context()
    for line in setup_zendesk(settings, storage, datetime.now(UTC), url=url, dry_run=dry_run):
        click.echo(line)


@setup_command.command("freshdesk")
@click.option("--url", required=True, help="Public base URL of this bridge.")
@with_appcontext
def setup_freshdesk_command(url: str) -> None:
    settings, storage = _context()
    for line in setup_freshdesk(settings, storage, datetime.now(UTC), url=url):
        click.echo(line)
