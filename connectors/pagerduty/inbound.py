"""What PagerDuty posts to the bridge: V3 webhooks about incidents. Pure.

V3 webhooks: https://developer.pagerduty.com/docs/webhooks/v3-overview/
Signatures: https://developer.pagerduty.com/docs/webhooks/webhook-signatures/ : ``v1=`` hex
HMAC-SHA256 of the raw body; several comma-separated while a secret is rotated.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors._json import json_document
from connectors.base import (
    STORED_ID_MAX,
    Ignored,
    PageChanged,
    Receipt,
    SignatureError,
    WebhookParseError,
)

SIGNATURE = "X-PagerDuty-Signature"


class PagerDutyInbound:
    content_type = "application/json"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        header = headers.get(SIGNATURE)
        if not header:
            raise SignatureError(f"missing {SIGNATURE}")
        expected = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        matched = False
        for candidate in header.split(","):
            # Compare every candidate so the time taken does not reveal which one matched.
            matched |= hmac.compare_digest(expected.encode(), candidate.strip().encode())
        if not matched:
            raise SignatureError(f"{SIGNATURE} does not match")

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        event = _event(body)
        return Receipt(
            str(event["event_type"]),
            # Kept beside the row for people reading the inbox.
            _storable(_incident(event).get("incident_key")),
            # The event id is inside the signed body and stays the same on PagerDuty's retries;
            # X-Webhook-Id is a header the signature does not cover, so a replay can change it.
            str(event["id"]),
            occurred_at=_timestamp(event.get("occurred_at")),
        )

    def parse(self, body: bytes) -> PageChanged | Ignored:
        event = _event(body)
        event_type = str(event["event_type"])
        if not event_type.startswith("incident."):
            return Ignored(f"PagerDuty {event_type}")
        data = event["data"]
        agent = event.get("agent")
        if not isinstance(agent, dict):
            agent = {}  # null when PagerDuty itself acted, e.g. an automation
        incident = _incident(event)
        is_note = data.get("type") == "incident_note"
        note = _text(data.get("content")) if is_note else None
        if note and data.get("trimmed"):
            # V3 webhooks cut long note content and say so with "trimmed": say it on as well.
            note += " [trimmed by PagerDuty: the full note is on the incident]"
        # Every incident event is kept, even those the bridge does not act on: each pairs the
        # incident id with our key, and a later note names only the incident id.
        return PageChanged(
            event_type=event_type.removeprefix("incident."),
            event_id=str(event["id"]),
            incident_id=_storable(incident.get("id")),
            incident_key=_storable(incident.get("incident_key")),
            # Only a user_reference agent is a person; null (PagerDuty itself, an automation)
            # and service or integration references are not, so nothing is taken for the
            # bridge's own doing just because no one is named.
            by_person=agent.get("type") == "user_reference",
            by_integration=agent.get("type") not in (None, "user_reference"),
            agent=_text(agent.get("summary")),
            note=note,
            url=_text(incident.get("html_url")),
            occurred_at=_timestamp(event.get("occurred_at")),
        )


def _event(body: bytes) -> dict[str, Any]:
    document = json_document(body)
    event = document.get("event") if isinstance(document, dict) else None
    if not isinstance(event, dict) or not event.get("id") or not event.get("event_type"):
        raise WebhookParseError("webhook body has no event with id and event_type")
    if not isinstance(event.get("data"), dict):
        raise WebhookParseError("webhook event has no data object")
    return event


def _incident(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The incident an event is about; ``incident.annotated`` carries an incident_note whose
    incident is a reference inside it."""
    data = event["data"]
    incident = data.get("incident") if data.get("type") == "incident_note" else data
    if not isinstance(incident, dict) or incident.get("type") not in (
        "incident",
        "incident_reference",
    ):
        return {}
    return incident


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _storable(value: Any) -> str | None:
    """An incident's id or key as the bridge keeps it (``varchar(64)``); a longer one is none
    the bridge made (``incident_key`` hashes long keys), so it is treated as absent."""
    text = _text(value)
    return text if text is not None and len(text) <= STORED_ID_MAX else None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None  # PagerDuty's times end in "Z"
