"""PagerDuty's wire format: Events API v2 fields, limits, answers and errors, and V3 webhook bodies
with their signature.

Sources for every shape and number are listed in FACTS.md beside this module.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

Json = dict[str, Any]

# Events API v2, "Send an Alert Event" (parameters table):
# https://developer.pagerduty.com/docs/send-alert-event
# "routing_key: This is the 32 character Integration Key"
ROUTING_KEY_LENGTH = 32
# "dedup_key: ... The maximum permitted length of this property is 255 characters."
DEDUP_KEY_MAX = 255
# "payload.summary: ... The maximum permitted length of this property is 1024 characters."
SUMMARY_MAX = 1024
# The enums of payload.severity and event_action: events_v2_openapiv3.json (PagerDuty/api-schema)
SEVERITIES = ("critical", "error", "warning", "info")
ACTIONS = ("trigger", "acknowledge", "resolve")
# The incident links a webhook carries point at PagerDuty's web app and REST API.
HTML_BASE = "https://sandbox.pagerduty.local"
API_BASE = "https://api.sandbox.pagerduty.local"


class IncidentFields(Protocol):
    """What a V3 webhook tells about an incident."""

    id: str
    number: int
    dedup_key: str
    summary: str
    severity: str
    status: str
    created_at: datetime


def accepted(dedup_key: str) -> Json:
    """The 202 body (OpenAPI ``Success`` example)."""
    return {"status": "success", "message": "Event processed", "dedup_key": dedup_key}


def unrecognized() -> Json:
    """The 400 body for a body that is not a JSON object (OpenAPI ``Error`` example)."""
    return {
        "status": "Unrecognized object",
        "message": "Event object format is unrecognized",
        "errors": ["JSON parse error"],
    }


def invalid_event(errors: list[str]) -> Json:
    """The 400 body for an event that breaks a rule (a recorded real answer)."""
    return {"status": "invalid event", "message": "Event object is invalid", "errors": errors}


def event_errors(event: dict[str, Any]) -> list[str]:
    """Every rule of the Events API the event breaks. Only the routing key message is PagerDuty's
    recorded wording; the others are ours in the same style."""
    errors = []
    if len(str(event.get("routing_key") or "")) != ROUTING_KEY_LENGTH:
        errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
    action = event.get("event_action")
    if action not in ACTIONS:
        errors.append("'event_action' is missing or invalid")
    key = event.get("dedup_key")
    if key is not None and (not isinstance(key, str) or len(key) > DEDUP_KEY_MAX):
        errors.append(f"Length of 'dedup_key' is incorrect (should be at most {DEDUP_KEY_MAX})")
    if action in ("acknowledge", "resolve") and not key:
        errors.append("'dedup_key' is missing or blank")
    if action == "trigger":
        payload = event.get("payload")
        payload = payload if isinstance(payload, dict) else {}
        for name in ("summary", "source", "severity"):
            if not str(payload.get(name) or "").strip():
                errors.append(f"'payload.{name}' is missing or blank")
        if len(str(payload.get("summary") or "")) > SUMMARY_MAX:
            errors.append(f"Length of 'payload.summary' is too long (max {SUMMARY_MAX})")
        if payload.get("severity") and payload["severity"] not in SEVERITIES:
            errors.append("'payload.severity' is invalid (expected critical|error|warning|info)")
    return errors


def new_dedup_key() -> str:
    """A trigger without a dedup_key gets a generated UUID, returned in the 202."""
    return uuid.uuid4().hex


def webhook_headers(secret: str, body: bytes) -> dict[str, str]:
    """V3 delivery headers: ``X-PagerDuty-Signature`` is ``v1=`` + hex HMAC-SHA256 of the raw body
    with the subscription's secret; ``X-Webhook-Id`` is unique per webhook."""
    signature = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "User-Agent": "PagerDuty-Webhook/V3.0",
        "X-Webhook-Id": str(uuid.uuid4()),
        "X-PagerDuty-Signature": signature,
    }


SERVICE_NAME = "Escalation bridge"  # the sandbox's one service
# "PagerDuty limits the size of each event to 512 KB" (EV-OVER). What PagerDuty answers to a
# larger one is not in the sources: the stand-in answers 400 like any invalid event.
EVENT_BYTES_MAX = 512 * 1024


def webhook_body(
    incident: IncidentFields,
    event_type: str,
    agent: str | None,
    note: str = "",
    *,
    agent_type: str = "user_reference",
    trimmed: bool = False,
    occurred_at: datetime,
) -> bytes:
    """A V3 webhook body shaped like the recorded deliveries (one event, no batching).

    ``agent`` None is a change PagerDuty made itself (an automation, a timeout): WH says the
    agent is null then. A change made through the Events API names the service it came in
    through (``agent_type`` ``service_reference``); the sources do not show such a delivery, so
    that shape is the stand-in's reading of WH's "the agent (user, service or integration)"."""
    agent_ref: dict[str, str] | None = None
    if agent is not None:
        agent_id = "P" + hashlib.sha256(agent.encode()).hexdigest()[:6].upper()
        collection = "users" if agent_type == "user_reference" else "services"
        agent_ref = {
            "html_url": f"{HTML_BASE}/{collection}/{agent_id}",
            "id": agent_id,
            "self": f"{API_BASE}/{collection}/{agent_id}",
            "summary": agent,
            "type": agent_type,
        }
    reference = {
        "html_url": f"{HTML_BASE}/incidents/{incident.id}",
        "id": incident.id,
        "self": f"{API_BASE}/incidents/{incident.id}",
        "summary": incident.summary,
    }
    data: dict[str, Any]
    if event_type == "incident.annotated":
        data = {
            "incident": {**reference, "type": "incident_reference"},
            "id": "N" + secrets.token_hex(3).upper(),
            "content": note,
            "trimmed": trimmed,
            "type": "incident_note",
        }
    else:
        data = {
            "id": incident.id,
            "type": "incident",
            "self": reference["self"],
            "html_url": reference["html_url"],
            "number": incident.number,
            "status": incident.status,
            "incident_key": incident.dedup_key,
            "created_at": incident.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "title": incident.summary,
            "service": {
                "id": "PSANDBX",
                "summary": SERVICE_NAME,
                "type": "service_reference",
            },
            "assignees": [agent_ref]
            if agent_ref and agent_type == "user_reference" and incident.status != "resolved"
            else [],
            "escalation_policy": {
                "id": "PESCPOL",
                "summary": "Support on-call",
                "type": "escalation_policy_reference",
            },
            "teams": [],
            "priority": None,
            "urgency": "high" if incident.severity in ("critical", "error") else "low",
            "conference_bridge": None,
            "resolve_reason": None,
            "incident_type": {"name": "incident_default"},
        }
    occurred = occurred_at.astimezone(UTC).isoformat(timespec="milliseconds")
    occurred = occurred.replace("+00:00", "Z")
    event = {
        "id": secrets.token_hex(13).upper(),
        "event_type": event_type,
        "resource_type": "incident",
        "occurred_at": occurred,
        "agent": agent_ref,
        "client": None,
        "data": data,
    }
    return json.dumps({"event": event}, separators=(",", ":")).encode()
