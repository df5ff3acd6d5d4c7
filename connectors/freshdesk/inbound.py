"""What Freshdesk posts to the bridge: the automation rule's "Trigger webhook" action. Pure.

Freshdesk signs nothing; the rule sends HTTP Basic credentials we chose, and the password is
compared in constant time. https://support.freshdesk.com/support/solutions/articles/132589
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.base import (
    Receipt,
    SignatureError,
    TicketChanged,
    WebhookParseError,
    body_digest,
)


class FreshdeskInbound:
    content_type = "application/json"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        authorization = headers.get("Authorization")
        if not authorization or not authorization.lower().startswith("basic "):
            raise SignatureError("missing HTTP Basic credentials")
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise SignatureError("unreadable HTTP Basic credentials") from None
        _user, _, password = decoded.partition(":")
        if not hmac.compare_digest(password.encode(), secret.encode()):
            raise SignatureError("wrong webhook password")

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        hint = self.parse(body)
        return Receipt(hint.kind, hint.ticket_id, body_digest(body))

    def parse(self, body: bytes) -> TicketChanged:
        """``{"freshdesk_webhook": {"ticket_id": …}}`` or a flat body with ``ticket_id``."""
        try:
            payload: Any = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WebhookParseError(f"body is not JSON: {exc}") from None
        if not isinstance(payload, dict):
            raise WebhookParseError("body is not a JSON object")
        inner = payload.get("freshdesk_webhook", payload)
        if not isinstance(inner, dict):
            raise WebhookParseError("freshdesk_webhook is not an object")
        value = inner.get("ticket_id")
        text = str(value).strip() if isinstance(value, str | int) else ""
        if not text.isdigit():
            raise WebhookParseError("no numeric ticket_id in the body")
        event = inner.get("triggered_event")
        return TicketChanged(text, str(event) if event else "ticket.changed")
