"""``bridge setup helpscout``: create the webhook (``POST /v2/webhooks``), or say it exists.

The webhook is signed with ``HELPSCOUT_WEBHOOK_SECRET`` (chosen by the operator, at most 40
characters), carries payload V2 and covers every mailbox (FACTS.md H-webhooks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.helpscout.client import HelpScoutDesk

# The events that can change an escalation; each body is a conversation or names one.
EVENTS = (
    "convo.created",
    "convo.customer.reply.created",
    "convo.agent.reply.created",
    "convo.note.created",
    "convo.assigned",
    "convo.moved",
    "convo.status",
    "convo.tags",
    "convo.custom-fields",
    "satisfaction.ratings",
)
LABEL = "escalation bridge"


def webhook_url(url: str) -> str:
    return f"{url.rstrip('/')}/webhooks/helpscout"


def existing_webhook(desk: HelpScoutDesk, target: str) -> Mapping[str, Any] | None:
    return next((hook for hook in desk.webhooks() if hook.get("url") == target), None)


def setup_lines(desk: HelpScoutDesk, *, url: str, dry_run: bool = False) -> list[str]:
    me = desk.whoami()
    target = webhook_url(url)
    lines = [
        f"credentials work: acting as {me.get('firstName', '')} {me.get('lastName', '')} "
        f"<{me.get('email', '?')}> (user {me.get('id')})",
    ]
    found = existing_webhook(desk, target)
    secret = desk.settings.webhook_secret
    if found is not None:
        lines.append(f"webhook {found.get('id')} already sends to {target}")
    elif secret is None:
        lines.append("HELPSCOUT_WEBHOOK_SECRET is NOT set: choose one (16-40 characters) first")
    elif dry_run:
        lines.append(f"would create a webhook to {target} for: " + ", ".join(EVENTS))
    else:
        body = {
            "url": target,
            "events": list(EVENTS),
            "secret": secret.get_secret_value(),
            "payloadVersion": "V2",
            "label": LABEL,
        }
        lines.append(f"created webhook {desk.create_webhook(body)} to {target}")
    lines.append("events: " + ", ".join(EVENTS))
    return lines
