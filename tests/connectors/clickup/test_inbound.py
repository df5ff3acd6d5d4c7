"""ClickUp's webhooks: ``X-Signature`` over the raw body, dedup on the signed ids, and what a
status change means, from the documented payload."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import Headers

from connectors.base import Ignored, SignatureError, TaskChanged, WebhookParseError
from connectors.clickup.inbound import ClickUpInbound

FIXTURES = Path(__file__).parents[2] / "fixtures" / "clickup"
DOCUMENTED = (FIXTURES / "task_status_updated_created.json").read_bytes()
SECRET = "7x1PK3mISQG0jBqeNYuhWn8alZdRtf5E"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INBOUND = ClickUpInbound()


def sign(body: bytes, secret: str = SECRET) -> Headers:
    return Headers({"X-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()})


def closed(**changes: Any) -> bytes:
    """The documented payload, moved to the list's closed status."""
    event = json.loads(DOCUMENTED)
    item = event["history_items"][0]
    item["before"] = dict(item["after"])
    item["after"] = {"status": "complete", "color": "#6bc950", "orderindex": 3, "type": "closed"}
    item["id"] = "2800763136717140999"
    event.update(changes)
    return json.dumps(event).encode()


def test_a_signed_body_verifies_in_either_hex_case() -> None:
    INBOUND.verify(sign(DOCUMENTED), DOCUMENTED, SECRET, NOW)
    upper = Headers({"x-signature": sign(DOCUMENTED)["X-Signature"].upper()})
    INBOUND.verify(upper, DOCUMENTED, SECRET, NOW)


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (Headers(), DOCUMENTED),
        (sign(DOCUMENTED, "another secret"), DOCUMENTED),
        (sign(DOCUMENTED), DOCUMENTED + b" "),  # the body changed after signing
        (Headers({"X-Signature": "sha256=" + sign(DOCUMENTED)["X-Signature"]}), DOCUMENTED),
        (Headers({"X-Signature": ""}), DOCUMENTED),
    ],
)
def test_a_missing_or_wrong_signature_is_refused(headers: Headers, body: bytes) -> None:
    with pytest.raises(SignatureError):
        INBOUND.verify(headers, body, SECRET, NOW)


def test_the_documented_creation_status_is_not_a_completion() -> None:
    event = INBOUND.parse(DOCUMENTED)
    assert event == TaskChanged(
        task_id="1vj37mc",
        event_id="2800763136717140857",
        status="to do",
        done=False,
        by="John",
    )


@pytest.mark.parametrize(
    ("after_type", "done"), [("closed", True), ("done", True), ("custom", False), ("open", False)]
)
def test_finished_status_types(after_type: str, done: bool) -> None:
    event = json.loads(closed())
    event["history_items"][0]["after"]["type"] = after_type
    parsed = INBOUND.parse(json.dumps(event).encode())
    assert isinstance(parsed, TaskChanged) and parsed.done is done


@pytest.mark.parametrize(
    "body",
    [
        closed(event="taskCreated"),
        closed(event="taskUpdated"),
        closed(history_items=[]),
        closed(history_items=[{"id": "1", "field": "assignee_add"}]),
        json.dumps({"event": "taskStatusUpdated", "webhook_id": "w"}).encode(),  # no task
    ],
)
def test_other_events_are_stored_and_ignored(body: bytes) -> None:
    assert isinstance(INBOUND.parse(body), Ignored)


def test_redeliveries_share_a_dedup_key_and_other_changes_do_not() -> None:
    first = INBOUND.receipt(Headers(), closed())
    again = INBOUND.receipt(Headers(), json.dumps(json.loads(closed()), indent=2).encode())
    other = INBOUND.receipt(Headers(), DOCUMENTED)
    assert first.dedup_key == again.dedup_key != other.dedup_key
    assert first.kind == "taskStatusUpdated" and first.ticket_id is None
    assert len(first.dedup_key) <= 255


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'{"event": 1, "webhook_id": "w"}',
        b'{"event": "taskStatusUpdated"}',
        b'{"event": "taskStatusUpdated", "webhook_id": "w", "task_id": {}}',
        b'{"event": "taskStatusUpdated", "webhook_id": "w", "history_items": {}}',
    ],
)
def test_bodies_it_cannot_read_are_parse_errors(body: bytes) -> None:
    with pytest.raises(WebhookParseError):
        INBOUND.receipt(Headers(), body)
    with pytest.raises(WebhookParseError):
        INBOUND.parse(body)
