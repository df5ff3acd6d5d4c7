"""Opsgenie's wire format: the Alert API v2's fields, limits, answers and errors, and the
Webhook integration's bodies.

Sources for every shape and number are listed in FACTS.md beside this module.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

Json = dict[str, Any]

# Alert API, Create Alert, "JSON Body Fields" (limit column).
MESSAGE_MAX = 130
ALIAS_MAX = 512
DESCRIPTION_MAX = 15000
ENTITY_MAX = 512
SOURCE_MAX = 100
USER_MAX = 100
NOTE_MAX = 25000
TAGS_MAX = 20
TAG_MAX = 50
ACTIONS_MAX = 10
DETAILS_TOTAL_MAX = 8000
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
DEFAULT_PRIORITY = "P3"
IDENTIFIER_TYPES = ("id", "alias", "tiny")  # the default is "id"
# Webhook integration: description and details are sent for Create only, cut to 1000 characters.
WEBHOOK_TEXT_MAX = 1000
INTEGRATION_NAME = "Escalation bridge webhook"


def request_id() -> str:
    return str(uuid.uuid4())


def accepted(request: str) -> Json:
    """The 202 body of create, acknowledge, close and add-note."""
    return {"result": "Request will be processed", "took": 0.011, "requestId": request}


def error(message: str, errors: dict[str, str] | None = None) -> Json:
    body: Json = {"message": message, "took": 0.001, "requestId": request_id()}
    if errors:
        body["errors"] = errors
    return body


def unauthenticated() -> Json:
    return error("Could not authenticate")


def unprocessable(errors: dict[str, str]) -> Json:
    return error("Request body is not processable. Please check the errors.", errors)


def too_many() -> Json:
    return error("You are making too many requests! To avoid errors, slow down.")


def throttle_headers(period: float | None) -> dict[str, str]:
    """The rate-limit headers of the OAS's responses (``X-RateLimit-*``)."""
    headers = {"X-RateLimit-State": "THROTTLED", "X-RateLimit-Reason": "ACCOUNT"}
    if period is not None:
        headers["X-RateLimit-Period-In-Sec"] = f"{period:g}"
    return headers


def create_errors(body: Json) -> dict[str, str]:
    """What Create Alert refuses, field by field."""
    found: dict[str, str] = {}
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        found["message"] = "Message can not be empty."
    elif len(message) > MESSAGE_MAX:
        found["message"] = f"Message can not be longer than {MESSAGE_MAX} characters."
    for name, limit in (
        ("alias", ALIAS_MAX),
        ("description", DESCRIPTION_MAX),
        ("entity", ENTITY_MAX),
        ("source", SOURCE_MAX),
        ("user", USER_MAX),
        ("note", NOTE_MAX),
    ):
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            found[name] = f"{name} must be text of at most {limit} characters."
    priority = body.get("priority", DEFAULT_PRIORITY)
    if priority not in PRIORITIES:
        found["priority"] = "Priority should be one of " + ", ".join(PRIORITIES)
    tags = body.get("tags", [])
    if not isinstance(tags, list) or len(tags) > TAGS_MAX:
        found["tags"] = f"At most {TAGS_MAX} tags."
    elif any(not isinstance(t, str) or len(t) > TAG_MAX for t in tags):
        found["tags"] = f"A tag can not be longer than {TAG_MAX} characters."
    actions = body.get("actions", [])
    if not isinstance(actions, list) or len(actions) > ACTIONS_MAX:
        found["actions"] = f"At most {ACTIONS_MAX} actions."
    details = body.get("details", {})
    if not isinstance(details, dict) or any(not isinstance(v, str) for v in details.values()):
        found["details"] = "Details must be a map of text to text."
    elif sum(len(k) + len(v) for k, v in details.items()) > DETAILS_TOTAL_MAX:
        found["details"] = f"Details can not be longer than {DETAILS_TOTAL_MAX} characters."
    return found


def action_errors(body: Json, *, note_required: bool) -> dict[str, str]:
    """What acknowledge, close and add-note refuse."""
    found: dict[str, str] = {}
    for name, limit in (("user", USER_MAX), ("source", SOURCE_MAX), ("note", NOTE_MAX)):
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            found[name] = f"{name} must be text of at most {limit} characters."
    if note_required and not body.get("note"):
        found["note"] = "Note can not be empty."
    return found


def webhook_body(alert: Json, action: str, *, user: str, source: Json, note: str = "") -> bytes:
    """What the Webhook integration posts for one alert action."""
    fields = {
        "alertId": alert["id"],
        "message": alert["message"],
        "tags": alert["tags"],
        "tinyId": alert["tinyId"],
        "entity": alert["entity"],
        "alias": alert["alias"],
        "createdAt": alert["createdAt"],  # milliseconds
        "updatedAt": alert["updatedAt"],  # nanoseconds, as Opsgenie's samples show
        "username": user,
        "userId": str(uuid.uuid5(uuid.NAMESPACE_URL, user)),
        "priority": alert["priority"],
        "source": alert["source"],
        "team": "",
        "responders": [],
        "teams": [],
        "actions": [],
    }
    if action == "Create":
        fields["description"] = alert["description"][:WEBHOOK_TEXT_MAX]
        fields["details"] = {k: v[:WEBHOOK_TEXT_MAX] for k, v in alert["details"].items()}
    if note:
        fields["note"] = note
    body = {
        "action": action,
        "alert": fields,
        "source": source,
        "integrationName": INTEGRATION_NAME,
        "integrationId": str(uuid.uuid5(uuid.NAMESPACE_URL, INTEGRATION_NAME)),
        "integrationType": "Webhook",
    }
    return json.dumps(body).encode()
