"""What Intercom posts to the bridge: webhook notifications of the app's topic subscriptions.
Pure.

Every notification is signed: ``X-Hub-Signature: sha1=<hex HMAC-SHA1 of the raw body, keyed by
the app's client secret>``; it carries its own id (``notif_…``), which makes a redelivery a
duplicate. Sources: ``sandbox/intercom/FACTS.md`` (I-webhooks, I-signature).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors._json import json_document
from connectors.base import (
    Ignored,
    Receipt,
    SignatureError,
    TicketChanged,
    WebhookParseError,
    body_digest,
    numeric_id,
)
from connectors.intercom.tickets import PREFIX

SIGNATURE_HEADER = "X-Hub-Signature"
# Topics whose item is a conversation the bridge re-reads.
CONVERSATION_TOPICS = ("conversation.", "conversation_part.")
# Topics whose item is a ticket (``ticket.created``, ``ticket.state.updated``, …): the bridge
# names it ``t<id>`` (tickets have ids of their own, FACTS.md I-tickets).
TICKET_TOPIC = "ticket."
PING = "ping"


def sign(body: bytes, secret: str) -> str:
    """The header value Intercom sends for ``body`` (used by the sandbox and the tests too)."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


class IntercomInbound:
    content_type = "application/json"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        """Intercom sends no timestamp to check: replays are stopped by the notification id."""
        given = headers.get(SIGNATURE_HEADER)
        if not given:
            raise SignatureError(f"missing {SIGNATURE_HEADER}")
        if not hmac.compare_digest(given.strip().encode(), sign(body, secret).encode()):
            raise SignatureError("wrong signature")

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        notification = _notification(body)
        event = self.parse(body)
        ticket_id = event.ticket_id if isinstance(event, TicketChanged) else None
        kind = event.kind if isinstance(event, TicketChanged) else "intercom.ignored"
        notification_id = notification.get("id")
        key = f"intercom:{notification_id}" if notification_id else body_digest(body)
        return Receipt(kind, ticket_id, key)

    def parse(self, body: bytes) -> TicketChanged | Ignored:
        notification = _notification(body)
        topic = str(notification.get("topic") or "")
        if topic == PING:
            return Ignored("ping")
        ticket = topic.startswith(TICKET_TOPIC)
        if not ticket and not topic.startswith(CONVERSATION_TOPICS):
            return Ignored(f"topic {topic or '(none)'} is not about a conversation or ticket")
        item = conversation_item(notification)
        item_id = numeric_id(item.get("id"))
        if item_id is None:
            raise WebhookParseError("no conversation or ticket id in data.item")
        return TicketChanged(f"{PREFIX}{item_id}" if ticket else item_id, topic)


def conversation_item(notification: Mapping[str, Any]) -> Mapping[str, Any]:
    data = notification.get("data")
    item = data.get("item") if isinstance(data, Mapping) else None
    if not isinstance(item, Mapping):
        raise WebhookParseError("no data.item in the notification")
    return item


def _notification(body: bytes) -> Mapping[str, Any]:
    payload: Any = json_document(body)
    if not isinstance(payload, dict):
        raise WebhookParseError("body is not a JSON object")
    if payload.get("type") != "notification_event":
        raise WebhookParseError("not an Intercom notification_event")
    return payload


def made_by_admin(body: bytes, admin_id: str) -> bool:
    """The loop guard: a notification whose conversation's newest part is by ``admin_id`` (the
    bridge's own note, reply or assignment). Anything unreadable is not the bridge's."""
    try:
        item = conversation_item(_notification(body))
    except WebhookParseError:
        return False
    parts = (
        (item.get("conversation_parts") or {}).get("conversation_parts")
        or (item.get("ticket_parts") or {}).get("ticket_parts")
        or []
    )
    if not parts or not isinstance(parts[-1], Mapping):
        return False
    author = parts[-1].get("author") or {}
    return author.get("type") == "admin" and str(author.get("id")) == admin_id
