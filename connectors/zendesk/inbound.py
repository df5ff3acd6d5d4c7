"""What Zendesk posts to the bridge: trigger webhooks and event-subscription envelopes. Pure.

Signing: https://developer.zendesk.com/documentation/webhooks/verifying/ ; the signature is
base64 HMAC-SHA256 over the timestamp header followed by the raw body, keyed with the secret's
UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors._desk.common import str_id
from connectors._json import json_document
from connectors._signatures import check_age
from connectors.base import (
    Receipt,
    SignatureError,
    TicketChanged,
    WebhookParseError,
    body_digest,
    numeric_id,
)

SIGNATURE = "X-Zendesk-Webhook-Signature"
TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
EVENT_TYPE_PREFIX = "zen:event-type:ticket."


def _document(body: bytes) -> dict[str, Any]:
    payload: Any = json_document(body)
    if not isinstance(payload, dict):
        raise WebhookParseError("body is not a JSON object")
    return payload


def _ticket_id(value: object) -> str:
    text = numeric_id(value)
    if text is None:
        raise WebhookParseError("no ticket id (up to 20 digits 0-9) in the body")
    return text


class ZendeskInbound:
    content_type = "application/json"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        timestamp, signature = headers.get(TIMESTAMP), headers.get(SIGNATURE)
        if not timestamp or not signature:
            raise SignatureError(f"missing {SIGNATURE} or its timestamp")
        try:
            sent_at = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        except ValueError:
            raise SignatureError(f"unreadable {TIMESTAMP}") from None
        if sent_at.tzinfo is None:
            raise SignatureError(f"{TIMESTAMP} has no time zone")
        check_age(now - sent_at)
        expected = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
        try:
            given = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise SignatureError(f"{SIGNATURE} is not base64") from None
        if not hmac.compare_digest(expected, given):
            raise SignatureError(f"{SIGNATURE} does not match")

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        hint, event_id = self._read(body)
        # Only what the signature covers: the event id of an event-subscription envelope, else
        # the signed bytes (timestamp + body). A trigger's body carries no event id and is the
        # same for two changes that leave status and priority alone, and the invocation id is a
        # header the signature does not cover (a replay within the 5 minutes could change it).
        # A replay repeats the signed timestamp, so it is a duplicate; a later change is not.
        signed = headers.get(TIMESTAMP, "").encode() + body
        return Receipt(hint.kind, hint.ticket_id, event_id or body_digest(signed))

    def parse(self, body: bytes) -> TicketChanged:
        return self._read(body)[0]

    @staticmethod
    def _read(body: bytes) -> tuple[TicketChanged, str | None]:
        """A trigger body (``ticket_id``) or an event-subscription envelope (``detail.id``)."""
        payload = _document(body)
        event_type = payload.get("type")
        if isinstance(event_type, str) and event_type.startswith("zen:event-type:"):
            if not event_type.startswith(EVENT_TYPE_PREFIX):
                raise WebhookParseError(f"not a ticket event: {event_type}")
            detail = payload.get("detail")
            ticket_id = detail.get("id") if isinstance(detail, dict) else None
            kind = event_type.removeprefix("zen:event-type:")
            return TicketChanged(_ticket_id(ticket_id), kind), str_id(payload.get("id"))
        return TicketChanged(_ticket_id(payload.get("ticket_id"))), None


def webhook_actor_id(body: bytes) -> str | None:
    """Who made the change, where the body says: ``updater_id`` in the trigger body that
    ``bridge setup`` configures, ``detail.actor_id`` in event-subscription envelopes."""
    try:
        payload = _document(body)
    except WebhookParseError:
        return None
    detail = payload.get("detail")
    actor = detail.get("actor_id") if isinstance(detail, dict) else payload.get("updater_id")
    return str_id(actor)
