"""What Help Scout posts to the bridge: webhook events (payload V2). Pure.

Every event is signed: ``X-HelpScout-Signature`` is the base64 HMAC-SHA1 of the raw body, keyed
by the webhook's secret; ``X-HelpScout-Event`` names the event. A conversation event's body is
the conversation itself; a rating's names its conversation as ``ticketId``. Events carry no id
of their own, so a redelivery is known by its body. Sources: ``sandbox/helpscout/FACTS.md``
(H-webhooks, H-signature, H-ratings).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
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
from connectors.helpscout.mapping import made_by

SIGNATURE_HEADER = "X-HelpScout-Signature"
EVENT_HEADER = "X-HelpScout-Event"
# The same body twice within this window is one delivery retried; later, a new change.
DEDUP_WINDOW = timedelta(minutes=5)
KIND = "helpscout.conversation"


def sign(body: bytes, secret: str) -> str:
    """The header value Help Scout sends for ``body`` (used by the sandbox and the tests too)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


class HelpScoutInbound:
    content_type = "application/json"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        """Help Scout sends no timestamp to check: a replay is a duplicate body."""
        given = headers.get(SIGNATURE_HEADER)
        if not given:
            raise SignatureError(f"missing {SIGNATURE_HEADER}")
        if not hmac.compare_digest(given.strip().encode(), sign(body, secret).encode()):
            raise SignatureError("wrong signature")

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        event = self.parse(body)
        if isinstance(event, Ignored):
            return Receipt("helpscout.ignored", None, body_digest(body), dedup_for=DEDUP_WINDOW)
        return Receipt(event.kind, event.ticket_id, body_digest(body), dedup_for=DEDUP_WINDOW)

    def parse(self, body: bytes) -> TicketChanged | Ignored:
        """The event header is not signed, so only the body decides what the event is about:
        a conversation (it has a mailbox), a rating (it names its conversation), or else
        something the bridge does not follow (customers, tags, a deleted conversation)."""
        payload = _object(body)
        if "mailboxId" in payload:
            raw = payload.get("id")
        elif "ticketId" in payload and "rating" in payload:
            raw = payload.get("ticketId")
        else:
            return Ignored("not about a conversation")
        conversation_id = numeric_id(raw)
        if conversation_id is None:
            raise WebhookParseError("no conversation id in the event")
        return TicketChanged(conversation_id, KIND)


def made_by_user(body: bytes, user_id: str) -> bool:
    """The loop guard: an event whose conversation's newest thread is by ``user_id`` (the
    bridge's own note or reply). Anything unreadable is not the bridge's."""
    try:
        payload = _object(body)
    except WebhookParseError:
        return False
    return made_by(payload, user_id)


def _object(body: bytes) -> Mapping[str, Any]:
    payload: Any = json_document(body)
    if not isinstance(payload, dict):
        raise WebhookParseError("body is not a JSON object")
    return payload
