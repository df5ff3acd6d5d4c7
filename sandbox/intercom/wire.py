"""Intercom REST API wire format: timestamps, error bodies, list wrappers, notifications.

Sources for every shape and number are listed in FACTS.md beside this module.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime
from typing import Any

Json = dict[str, Any]

# "10,000 API calls per minute per app", spread over 10-second windows (I-ratelimit).
RATE_PER_MINUTE = 10_000
WINDOW_SECONDS = 10
# The search API: 20 per page by default, at most 150 (I-search).
PER_PAGE_DEFAULT, PER_PAGE_MAX = 20, 150
STATES = ("open", "closed", "snoozed")
REPLY_TYPES = ("comment", "note")
MANAGE_TYPES = ("close", "snoozed", "open", "assignment")


SIGNATURE_HEADER = "X-Hub-Signature"


def signature(body: bytes, client_secret: str) -> str:
    """``sha1=`` + hex HMAC-SHA1 of the raw body keyed by the app's client secret (I-signature)."""
    return "sha1=" + hmac.new(client_secret.encode(), body, hashlib.sha1).hexdigest()


def unix(moment: datetime) -> int:
    """Intercom's timestamps are whole Unix seconds."""
    return int(moment.timestamp())


def error_list(code: str, message: str) -> Json:
    """Every error answer: ``{"type": "error.list", "request_id", "errors": [{code, message}]}``."""
    return {
        "type": "error.list",
        "request_id": str(uuid.uuid4()),
        "errors": [{"code": code, "message": message}],
    }


def tag_list(tags: list[Json]) -> Json:
    return {"type": "tag.list", "tags": tags}


def notification(topic: str, item: Json, app_id: str, created_at: int) -> Json:
    """A webhook notification: the envelope of every topic, with the object in ``data.item``."""
    return {
        "type": "notification_event",
        "app_id": app_id,
        "data": {"type": "notification_event_data", "item": item},
        "links": {},
        "id": f"notif_{uuid.uuid4()}",
        "topic": topic,
        "delivery_status": "pending",
        "delivery_attempts": 1,
        "delivered_at": 0,
        "first_sent_at": created_at,
        "created_at": created_at,
        "self": None,
    }
