"""What Opsgenie posts to the bridge: its outgoing Webhook integration's alert actions. Pure.

Opsgenie signs nothing. The integration can send custom headers, so it sends the secret in
``X-Bridge-Webhook-Secret``; a URL with HTTP Basic credentials (any user, the secret as the
password) works too. Either is compared in constant time. The body carries no event id: a
delivery is known by its alert id, action and ``updatedAt``, and one whose ``updatedAt`` is
over an hour old is refused (a replay, or news too old to act on).
Payload: https://support.atlassian.com/opsgenie/docs/integrate-opsgenie-with-webhook/
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors._json import json_document
from connectors._signatures import ALLOWED_CLOCK_SKEW
from connectors.base import (
    Ignored,
    PageChanged,
    Receipt,
    SignatureError,
    WebhookParseError,
    body_digest,
)
from connectors.opsgenie.builders import BRIDGE_SOURCE, BRIDGE_USER

SECRET_HEADER = "X-Bridge-Webhook-Secret"
MAX_AGE = timedelta(hours=1)
TICKET_ID_MAX = 64  # what the inbox stores of a receipt's ticket id
# Opsgenie's action names, as the engine's page events name them.
EVENT_TYPES = {
    "Create": "triggered",
    "Acknowledge": "acknowledged",
    "Close": "resolved",
    "AddNote": "annotated",
}
PEOPLE = ("web", "mobile", "email", "slack", "msteams")  # source types a person acts through


class OpsgenieInbound:
    content_type = "application/json"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        given = headers.get(SECRET_HEADER) or _basic_password(headers.get("Authorization"))
        if given is None:
            raise SignatureError(f"missing {SECRET_HEADER} or HTTP Basic credentials")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            raise SignatureError("wrong webhook secret")
        try:
            updated = _updated_at(_document(body))
        except WebhookParseError:
            return  # authentic but unreadable: receipt() answers 400
        if updated is None:
            return
        if now - updated > MAX_AGE:
            raise SignatureError("alert action is older than an hour (replay?)")
        if updated - now > ALLOWED_CLOCK_SKEW:
            raise SignatureError("alert action is in the future")

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        document = _document(body)
        alert = document["alert"]
        updated = alert.get("updatedAt")
        dedup = f"{alert['alertId']}:{document['action']}:{updated}"
        if not updated:  # without a time two notes could share an id: the body tells them apart
            dedup = body_digest(body)
        # The alias names our ticket (``zendesk:4821``); another alert's may be up to 512
        # characters, longer than a stored ticket id: such a receipt names no ticket.
        alias = _text(alert.get("alias"))
        ticket = alias if alias and len(alias) <= TICKET_ID_MAX else None
        return Receipt(f"alert.{document['action']}", ticket, dedup)

    def parse(self, body: bytes) -> PageChanged | Ignored:
        document = _document(body)
        action, alert = str(document["action"]), document["alert"]
        source = document.get("source")
        source = source if isinstance(source, dict) else {}
        user = _text(alert.get("username"))
        # The loop guard: every request the bridge sends names it as user and source.
        ours = user == BRIDGE_USER or source.get("name") == BRIDGE_SOURCE
        if action == "AddNote" and ours:
            return Ignored("Opsgenie: the bridge's own note")
        return PageChanged(
            event_type=EVENT_TYPES.get(action, action.lower()),
            event_id=f"{alert['alertId']}:{action}:{alert.get('updatedAt')}",
            incident_id=str(alert["alertId"]),
            incident_key=_text(alert.get("alias")),
            by_person=not ours and str(source.get("type", "")).lower() in PEOPLE,
            agent=None if ours else user,
            note=_text(alert.get("note")) if action == "AddNote" else None,
            url=None,
            occurred_at=_updated_at(document),
            by_integration=ours,
        )


def _basic_password(authorization: str | None) -> str | None:
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise SignatureError("unreadable HTTP Basic credentials") from None
    return decoded.partition(":")[2]


def _document(body: bytes) -> dict[str, Any]:
    document = json_document(body)
    if not isinstance(document, dict) or not isinstance(document.get("action"), str):
        raise WebhookParseError("webhook body has no action")
    alert = document.get("alert")
    if not isinstance(alert, dict) or not alert.get("alertId"):
        raise WebhookParseError("webhook body has no alert with an alertId")
    return document


def _updated_at(document: Mapping[str, Any]) -> datetime | None:
    """``updatedAt``: Opsgenie's samples give it in nanoseconds (``createdAt`` in
    milliseconds); the unit is read from the size, so either works."""
    value = document["alert"].get("updatedAt")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    for scale in (1e9, 1e6, 1e3, 1.0):
        seconds = value / scale
        if seconds > 1e9 or scale == 1.0:  # later than 2001: the right unit
            try:
                return datetime.fromtimestamp(seconds, UTC)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
