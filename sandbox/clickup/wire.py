"""ClickUp API v2 wire formats the stand-in speaks: error bodies, task objects, webhook bodies
and their signature. Pure; see FACTS.md for the sources."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

# ClickUp's error bodies are {"err": text, "ECODE": code}. The codes below are the sandbox's
# own labels in that shape, not a list ClickUp publishes.
NOT_AUTHENTICATED = ("Token invalid", "OAUTH_025")
RATE_LIMITED = ("Rate limit reached", "APP_002")
NOT_FOUND = ("Resource not found", "ITEM_015")
INVALID_NAME = ("Task name invalid", "INPUT_005")
INVALID_STATUS = ("Status does not exist", "ITEM_114")
INVALID_FIELD = ("Invalid request field", "INPUT_003")
GATEWAY_TIMEOUT = ("Gateway timeout", "GW_504")

RATE_LIMIT = 100  # requests a minute per token ("100 requests per minute per token", most plans)
STATUS_TYPES = ("open", "custom", "done", "closed")
PRIORITIES = {
    1: ("urgent", "#f50000"),
    2: ("high", "#ffcc00"),
    3: ("normal", "#6fddff"),
    4: ("low", "#d8d8d8"),
}
APP_URL = "https://app.clickup.com"


def error_body(error: tuple[str, str]) -> dict[str, str]:
    return {"err": error[0], "ECODE": error[1]}


def signature(secret: str, body: bytes) -> str:
    """``X-Signature``: hex HMAC-SHA256 of the raw body with the webhook's secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def plain(markdown: str) -> str:
    """What ClickUp keeps as ``description``/``text_content`` for Markdown: the text without
    its markup (roughly: code ticks and emphasis marks dropped)."""
    return markdown.replace("`", "").replace("**", "")


def status_object(status: dict[str, Any]) -> dict[str, Any]:
    return {k: status[k] for k in ("status", "color", "orderindex", "type")}


def status_changed(
    *,
    webhook_id: str,
    task_id: str,
    history_id: str,
    list_id: str,
    date_ms: int,
    before: dict[str, Any],
    after: dict[str, Any],
    user: dict[str, Any],
) -> bytes:
    """A ``taskStatusUpdated`` body as "Task webhook payloads" shows it."""
    item = {
        "id": history_id,
        "type": 1,
        "date": str(date_ms),
        "field": "status",
        "parent_id": list_id,
        "data": {"status_type": after["type"]},
        "source": None,
        "user": user,
        "before": status_object(before),
        "after": status_object(after),
    }
    body = {
        "event": "taskStatusUpdated",
        "history_items": [item],
        "task_id": task_id,
        "webhook_id": webhook_id,
    }
    return json.dumps(body, separators=(",", ":")).encode()
