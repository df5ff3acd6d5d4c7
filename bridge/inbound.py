"""What a stored inbound request means for the engine: the events it becomes."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bridge import records
from bridge.config import Settings
from bridge.engine import Event
from bridge.integrations import Integrations
from bridge.outbox import NewAction
from bridge.storage import InboxItem
from connectors import pagerduty, slack_blocks
from connectors import slack_inbound as slack
from policies.model import ManualRequest

log = logging.getLogger(__name__)

CLICK_REQUESTS = {
    slack.ActionKind.ACK: "acknowledge",
    slack.ActionKind.OWN: "take_ownership",
    slack.ActionKind.ESCALATE: "escalate",
    slack.ActionKind.RESOLVE: "resolve_page",
}
CLICK_LINES = {
    slack.ActionKind.ACK: "✋ Acknowledged",
    slack.ActionKind.OWN: "🙋 Took ownership",
    slack.ActionKind.ESCALATE: "⬆️ Asked to escalate",
    slack.ActionKind.RESOLVE: "✅ Asked to resolve the page",
}
PAGERDUTY_LINES = {
    "incident.acknowledged": "✋ PagerDuty incident acknowledged",
    "incident.resolved": "✅ PagerDuty incident resolved",
    "incident.annotated": "🗒️ PagerDuty note",
}


def events_for(
    item: InboxItem,
    settings: Settings,
    integrations: Integrations,
    engine: Engine,
    now: datetime,
) -> list[Event]:
    """The engine events for one inbox item; an empty list when there is nothing to do.

    Raises ValueError for an item that can never be processed (it is then set aside)."""
    if item.source in ("zendesk", "freshdesk"):
        return _helpdesk(item, integrations)
    if item.source == "slack":
        if item.kind == "slack.block_actions":
            return _click(item, settings, now)
        if item.kind == "slack.command":
            return _command(item, integrations, now)
        return []
    if item.source == "pagerduty":
        return _pagerduty(item, engine, now)
    raise ValueError(f"unknown inbox source {item.source}")


def _helpdesk(item: InboxItem, integrations: Integrations) -> list[Event]:
    if item.ticket_id is None:
        raise ValueError("help-desk item without a ticket id")
    desk = integrations.desks.get(item.source)
    from_bridge = getattr(desk, "webhook_from_bridge", None)
    if item.kind != "sync" and from_bridge is not None and from_bridge(item.body):
        log.debug("ignored a change the bridge made itself", extra={"ticket": item.ticket_id})
        return []
    origin = "sync" if item.kind == "sync" else "webhook"
    return [Event(item.source, item.ticket_id, origin, note={"kind": item.kind})]


def _reply(
    source: str,
    ticket_id: str,
    key: str,
    channel_id: str,
    thread_ts: str,
    line: str,
    actor: str | None,
) -> NewAction:
    return NewAction(
        idempotency_key=key,
        source=source,
        ticket_id=ticket_id,
        provider="slack",
        action="slack.reply",
        payload={
            "channel": channel_id,
            "thread_ts": thread_ts,
            "message": slack_blocks.build_thread_reply(line, actor=actor),
        },
    )


def _click(item: InboxItem, settings: Settings, now: datetime) -> list[Event]:
    click = slack.parse_action(item.body)
    source, ticket_id = click.ticket.source.value, click.ticket.ticket_id
    who = click.user_name or click.user_id
    key = f"slack-click:{item.id}"
    allowed = settings.slack_allowed_ids
    rules = slack.SlackAuthorization(allowed_users=allowed, allowed_groups=allowed)
    if not rules.permits(click.kind, click.user_id):
        refusal = NewAction(
            idempotency_key=key,
            source=source,
            ticket_id=ticket_id,
            provider="slack",
            action="slack.ephemeral",
            payload={
                "channel": click.channel_id,
                "user": click.user_id,
                "text": "You are not allowed to do that on escalations; ask a lead.",
            },
        )
        return [
            Event(
                source,
                ticket_id,
                "slack",
                refresh=False,
                actions=(refusal,),
                note={"refused": click.kind.value, "by": who},
            )
        ]
    request = ManualRequest(kind=CLICK_REQUESTS[click.kind], by=who, at=now, reason="Slack button")
    line = _reply(
        source, ticket_id, key, click.channel_id, click.message_ts, CLICK_LINES[click.kind], who
    )
    note = NewAction(
        idempotency_key=f"{key}:note",
        source=source,
        ticket_id=ticket_id,
        provider=source,
        action="desk.note",
        payload={"body": f"{CLICK_LINES[click.kind]} by {who} in Slack."},
    )
    return [
        Event(
            source,
            ticket_id,
            "slack",
            refresh=False,
            manual=request,
            actions=(line, note),
            note={"click": click.kind.value, "by": who, "slack_user": click.user_id},
        )
    ]


def _command(item: InboxItem, integrations: Integrations, now: datetime) -> list[Event]:
    command = slack.parse_command(item.body)
    if command.kind is not slack.CommandKind.ESCALATE:
        return []  # status is answered in the request itself
    source, ticket_id = resolve_ticket(command.ticket, list(integrations.desks))
    who = command.user_name or command.user_id
    request = ManualRequest(kind="escalate", by=who, at=now, reason=command.reason or "/escalate")
    return [
        Event(
            source,
            ticket_id,
            "command",
            refresh=True,
            manual=request,
            note={"command": "/escalate", "by": who, "reason": command.reason},
        )
    ]


def resolve_ticket(reference: str, desks: list[str]) -> tuple[str, str]:
    """``zendesk:123`` as is; a bare ``123`` means the one configured desk."""
    source, sep, ticket_id = reference.partition(":")
    if sep:
        if source not in desks:
            raise ValueError(f"{source} is not configured here")
        return source, ticket_id
    if len(desks) != 1:
        raise ValueError("say which help desk: e.g. zendesk:123 or freshdesk:45")
    return desks[0], reference


def _incident_ticket(
    event: pagerduty.PagerDutyEvent, engine: Engine, now: datetime
) -> tuple[str, str] | None:
    """Our ticket for an incident: from its key (our dedup_key), else from an earlier event."""
    source, _, ticket_id = (event.incident_key or "").partition(":")
    with engine.begin() as connection:
        if source in ("zendesk", "freshdesk") and ticket_id:
            if event.incident_id:
                records.remember_incident(connection, event.incident_id, source, ticket_id, now)
            return source, ticket_id
        return records.incident_ticket(connection, event.incident_id) if event.incident_id else None


def _pagerduty(item: InboxItem, engine: Engine, now: datetime) -> list[Event]:
    """Acknowledge and resolve go through the policy like a click (so the page state, the Slack
    parent and the ticket agree); every incident event also leaves a note on the ticket."""
    event = pagerduty.parse_webhook(item.body)
    found = _incident_ticket(event, engine, now)
    line = PAGERDUTY_LINES.get(event.event_type)
    if line is None or found is None:
        return []  # pings, other event types, incidents the bridge did not open
    source, ticket_id = found
    if event.agent_id is None and event.event_type != "incident.annotated":
        # Made through the Events API, that is by this bridge (or another integration): the
        # bridge already noted its own acknowledgement or resolution, so this is no news.
        return []
    agent = event.agent_summary
    text = line + (f" by {agent}" if agent else "") + (f": {event.note}" if event.note else "")
    actions = [
        NewAction(
            idempotency_key=f"pagerduty:{item.dedup_key}:note",
            source=source,
            ticket_id=ticket_id,
            provider=source,
            action="desk.note",
            payload={"body": text + (f"\n{event.html_url}" if event.html_url else "")},
        )
    ]
    if event.event_type == "incident.annotated":
        actions.append(
            NewAction(
                idempotency_key=f"pagerduty:{item.dedup_key}:slack",
                source=source,
                ticket_id=ticket_id,
                provider="slack",
                action="slack.thread",
                payload={"message": slack_blocks.build_thread_reply(text)},
            )
        )
    kind = {"incident.acknowledged": "acknowledge", "incident.resolved": "resolve_page"}
    request = None
    if event.event_type in kind:
        request = ManualRequest(
            kind=kind[event.event_type], by=agent or "PagerDuty", at=now, reason="PagerDuty"
        )
    details: dict[str, Any] = {
        "event_type": event.event_type,
        "agent": agent,
        "incident": event.incident_id,
    }
    return [
        Event(
            source,
            ticket_id,
            "pagerduty",
            refresh=False,
            manual=request,
            actions=tuple(actions),
            note=details,
        )
    ]
