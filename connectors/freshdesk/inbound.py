"""What Freshdesk posts to the bridge: the automation rule's "Trigger webhook" action. Pure.

Freshdesk signs nothing; the rule sends HTTP Basic credentials we chose, and the password is
compared in constant time. https://support.freshdesk.com/support/solutions/articles/132589
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from connectors._json import json_document
from connectors.base import (
    Receipt,
    SignatureError,
    TicketChanged,
    WebhookParseError,
    body_digest,
    numeric_id,
)

# Freshdesk's body has no event id and is the same for two changes that leave status and
# priority alone (its confirmed placeholders include no update time), so a body is a duplicate
# only this long. Freshdesk's own retries come 5, 30 and 60 minutes after a failure.
DEDUP_WINDOW = timedelta(minutes=5)


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
        return Receipt(hint.kind, hint.ticket_id, body_digest(body), dedup_for=DEDUP_WINDOW)

    def parse(self, body: bytes) -> TicketChanged:
        """``{"freshdesk_webhook": {"ticket_id": …}}`` or a flat body with ``ticket_id``."""
        payload: Any = json_document(body)
        if not isinstance(payload, dict):
            raise WebhookParseError("body is not a JSON object")
        inner = payload.get("freshdesk_webhook", payload)
        if not isinstance(inner, dict):
            raise WebhookParseError("freshdesk_webhook is not an object")
        text = numeric_id(inner.get("ticket_id"))
        if text is None:
            raise WebhookParseError("no ticket_id (up to 20 digits 0-9) in the body")
        event = inner.get("triggered_event")
        return TicketChanged(text, str(event) if event else "ticket.changed")
