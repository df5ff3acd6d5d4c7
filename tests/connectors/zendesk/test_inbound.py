"""What Zendesk posts: trigger bodies and event-subscription envelopes (signatures are tested in
tests/connectors/test_signatures.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.base import WebhookParseError
from connectors.zendesk.inbound import TIMESTAMP, ZendeskInbound, webhook_actor_id
from tests.conftest import fixture_json

INBOUND = ZendeskInbound()


def load(name: str) -> Any:
    return fixture_json(f"zendesk/{name}")


def test_trigger_body() -> None:
    body = b'{"ticket_id":"35436","status":"open","updater_id":"42"}'
    assert INBOUND.parse(body).ticket_id == "35436"
    signed_at = {TIMESTAMP: "2026-03-02T09:00:00Z"}
    receipt = INBOUND.receipt({**signed_at, "X-Zendesk-Webhook-Invocation-Id": "inv-1"}, body)
    assert receipt.ticket_id == "35436"
    assert webhook_actor_id(body) == "42"
    # The key is the signed bytes (timestamp + body): an unsigned header cannot change it, and
    # the same body signed at another moment (a later change to the ticket) is not a duplicate.
    other_invocation = INBOUND.receipt({**signed_at, "X-Zendesk-Webhook-Invocation-Id": "2"}, body)
    later = INBOUND.receipt({TIMESTAMP: "2026-03-02T09:01:00Z"}, body)
    assert receipt.dedup_key == other_invocation.dedup_key != later.dedup_key


def test_event_subscription_envelope_with_string_ids_and_upper_case() -> None:
    body = json.dumps(
        {
            "account_id": 18525119,
            "detail": {
                "id": "5158",
                "status": "OPEN",
                "priority": "LOW",
                "actor_id": "900",
                "type": "TASK",
                "tags": [],
                "via": {"channel": "web_service"},
            },
            "event": {"current": "OPEN", "previous": "NEW"},
            "id": "cbe4028c-0000",
            "subject": "zen:ticket:5158",
            "time": "2025-01-08T10:12:07.672717030Z",
            "type": "zen:event-type:ticket.status_changed",
            "zendesk_event_version": "2022-11-06",
        },
        indent=3,
    ).encode()
    hint = INBOUND.receipt({}, body)
    assert (hint.ticket_id, hint.dedup_key, hint.kind) == (
        "5158",
        "cbe4028c-0000",
        "ticket.status_changed",
    )
    assert webhook_actor_id(body) == "900"


def test_recorded_user_event_is_not_a_ticket_hint() -> None:
    attempt = load("webhook_invocation_attempts.json")["attempts"][0]
    payload = attempt["request"]["payload"].encode()
    with pytest.raises(WebhookParseError, match="not a ticket event"):
        INBOUND.parse(payload)
    assert webhook_actor_id(b"not json") is None
