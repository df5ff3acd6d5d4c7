"""``bridge setup clickup``: find or create the webhook that tells the bridge of status changes.

developer.clickup.com, Create Webhook (``POST /team/{team_id}/webhook``): ``endpoint``,
``events``, an optional location filter (``list_id``); the answer holds ``webhook.secret``, the
key of every ``X-Signature``. Get Webhooks (``GET /team/{team_id}/webhook``) lists the webhooks
the token's user created, with their secrets. Looking before creating makes a second run change
nothing.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from connectors.base import PermanentError

if TYPE_CHECKING:
    from connectors.clickup.notifier import ClickUpNotifier

EVENTS = ("taskStatusUpdated",)


def webhook_spec(endpoint: str, list_id: str) -> dict[str, Any]:
    return {"endpoint": endpoint, "events": list(EVENTS), "list_id": int(list_id)}


def team_of(notifier: ClickUpNotifier, team_id: str | None) -> str:
    """The workspace: as configured, else the only one the token sees."""
    if team_id:
        return team_id
    teams = notifier.client.teams()
    if len(teams) != 1:
        raise PermanentError(
            f"the token sees {len(teams)} workspaces: set CLICKUP_TEAM_ID to the one to use"
        )
    return str(teams[0]["id"])


def setup_clickup(
    notifier: ClickUpNotifier,
    *,
    url: str,
    team_id: str | None,
    secret: str | None,
    dry_run: bool = False,
    show_secret: bool = False,
) -> list[str]:
    """Find or create the webhook; returns what it did, one line each."""
    endpoint = f"{url.rstrip('/')}/webhooks/clickup"
    team = team_of(notifier, team_id)
    hook = next((h for h in notifier.client.webhooks(team) if ours(h, endpoint)), None)
    lines = []
    if hook is not None:
        lines.append(f"webhook exists: {hook['id']} -> {endpoint}")
    elif dry_run:
        spec = webhook_spec(endpoint, notifier.list_id)
        return [f"would create webhook in workspace {team}: {spec}"]
    else:
        answer = notifier.client.create_webhook(team, webhook_spec(endpoint, notifier.list_id))
        hook = dict(answer.get("webhook") or {})
        lines.append(f"created webhook: {hook.get('id', answer.get('id'))} -> {endpoint}")
    actual = str(hook.get("secret") or "")
    if show_secret and actual:
        lines.append(f"CLICKUP_WEBHOOK_SECRET={actual}")
    elif secret is not None and actual and hmac.compare_digest(secret, actual):
        lines.append("CLICKUP_WEBHOOK_SECRET matches the webhook's secret")
    else:
        lines.append(
            "set CLICKUP_WEBHOOK_SECRET to the webhook's secret "
            "(print it with `bridge setup clickup --url ... --show-secret`)"
        )
    return lines


def ours(hook: Mapping[str, Any], endpoint: str) -> bool:
    return hook.get("endpoint") == endpoint and "taskStatusUpdated" in (hook.get("events") or [])
