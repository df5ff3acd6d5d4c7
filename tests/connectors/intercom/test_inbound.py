"""Intercom webhook notifications: verified over the raw body, read without I/O."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from connectors.base import Ignored, SignatureError, TicketChanged, WebhookParseError
from connectors.intercom.inbound import IntercomInbound, sign
from tests.conftest import fixture_bytes

SECRET = "intercom-client-secret"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = fixture_bytes("intercom/notification_user_replied.json")
inbound = IntercomInbound()


def test_a_signed_notification_is_verified_and_names_the_conversation() -> None:
    inbound.verify({"X-Hub-Signature": sign(BODY, SECRET)}, BODY, SECRET, NOW)
    receipt = inbound.receipt({}, BODY)
    assert receipt.ticket_id == "25182190716"
    assert receipt.kind == "conversation.user.replied"
    assert receipt.dedup_key == "intercom:notif_4e3504a3-ba3f-46dc-ab48-8e4d5bdfdf4e"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature": ""},
        {"X-Hub-Signature": sign(BODY, "another-secret")},
        {"X-Hub-Signature": sign(BODY + b" ", SECRET)},
        {"X-Hub-Signature": sign(BODY, SECRET).replace("sha1=", "sha256=")},
    ],
)
def test_bad_signatures_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(SignatureError):
        inbound.verify(headers, BODY, SECRET, NOW)


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe",
        b"[]",
        b'{"ticket_id": "1"}',
        json.dumps({"type": "notification_event", "topic": "conversation.user.replied"}).encode(),
        json.dumps(
            {
                "type": "notification_event",
                "topic": "conversation.admin.noted",
                "data": {"item": {"id": "../../admins"}},
            }
        ).encode(),
    ],
)
def test_unreadable_bodies_are_parse_errors(body: bytes) -> None:
    with pytest.raises(WebhookParseError):
        inbound.receipt({}, body)


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("ping", Ignored("ping")),
        (
            "contact.created",
            Ignored("topic contact.created is not about a conversation or ticket"),
        ),
        ("ticket.state.updated", TicketChanged("t7", "ticket.state.updated")),
        ("ticket.contact.replied", TicketChanged("t7", "ticket.contact.replied")),
        ("conversation.admin.snoozed", TicketChanged("7", "conversation.admin.snoozed")),
        ("conversation_part.tag.created", TicketChanged("7", "conversation_part.tag.created")),
    ],
)
def test_topics(topic: str, expected: object) -> None:
    body = {"type": "notification_event", "topic": topic, "data": {"item": {"id": "7"}}}
    assert inbound.parse(json.dumps(body).encode()) == expected


def test_a_notification_without_an_id_dedups_on_its_body() -> None:
    body = json.dumps(
        {"type": "notification_event", "topic": "ping", "data": {"item": {}}}
    ).encode()
    assert inbound.receipt({}, body).dedup_key.startswith("sha256:")
