"""What ClickUp posts to the bridge: webhook events about tasks in the configured list. Pure.

developer.clickup.com, "Webhook signature": ``X-Signature`` is the hex HMAC-SHA256 of the raw
body keyed with the webhook's ``secret`` (returned when the webhook is created). The signature
covers no timestamp, so replays are stopped by deduplication on the signed body's ids (the
event, the task and its ``history_items`` ids). "Task webhook payloads": ``taskStatusUpdated``
carries ``history_items`` whose ``after`` has the new ``status`` and its ``type`` (``open``,
``custom``, ``done``, ``closed``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors._json import json_document
from connectors.base import Ignored, Receipt, SignatureError, TaskChanged, WebhookParseError
from connectors.clickup.builders import DONE_TYPES

SIGNATURE = "X-Signature"
STATUS_EVENT = "taskStatusUpdated"


class ClickUpInbound:
    content_type = "application/json"

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        header = headers.get(SIGNATURE)
        if not header:
            raise SignatureError(f"missing {SIGNATURE}")
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), header.strip().lower().encode()):
            raise SignatureError(f"{SIGNATURE} does not match")

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        event = _event(body)
        ids = [str(item.get("id", "")) for item in _history(event)]
        signed = "|".join([str(event["event"]), str(event.get("task_id", "")), *ids])
        # The same change delivered twice (or replayed) has the same ids: stored once.
        dedup = "clickup:" + hashlib.sha256(signed.encode()).hexdigest()
        return Receipt(str(event["event"]), None, dedup)

    def parse(self, body: bytes) -> TaskChanged | Ignored:
        event = _event(body)
        name = str(event["event"])
        task_id = event.get("task_id")
        if name != STATUS_EVENT or not task_id:
            return Ignored(f"ClickUp {name}")
        change = next((i for i in _history(event) if i.get("field") == "status"), None)
        after = change.get("after") if change else None
        if not isinstance(after, dict) or not after.get("status"):
            return Ignored("ClickUp status change without the new status")
        user = change.get("user") if change else None
        by = None
        if isinstance(user, dict):
            by = str(user.get("username") or user.get("email") or "") or None
        return TaskChanged(
            task_id=str(task_id),
            event_id=str(change.get("id", "")) if change else "",
            status=str(after["status"]),
            done=after.get("type") in DONE_TYPES,
            by=by,
        )


def _event(body: bytes) -> dict[str, Any]:
    document = json_document(body)
    if not isinstance(document, dict) or not isinstance(document.get("event"), str):
        raise WebhookParseError("webhook body has no event")
    if not isinstance(document.get("webhook_id"), str):
        raise WebhookParseError("webhook body has no webhook_id")
    task_id = document.get("task_id")
    if task_id is not None and not isinstance(task_id, str | int):
        raise WebhookParseError("task_id is not an id")
    if not isinstance(document.get("history_items", []), list):
        raise WebhookParseError("history_items is not a list")
    return document


def _history(event: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [i for i in event.get("history_items") or [] if isinstance(i, dict)]
