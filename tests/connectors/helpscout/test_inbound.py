"""Help Scout webhook events: signature over the raw body, what they are about, loop guard."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from connectors.base import Ignored, SignatureError, TicketChanged, WebhookParseError
from connectors.helpscout.inbound import HelpScoutInbound, made_by_user, sign
from tests.conftest import fixture_bytes

SECRET = "helpscout-webhook-secret"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = fixture_bytes("helpscout/conversation.json")
INBOUND = HelpScoutInbound()


def test_the_signature_is_base64_hmac_sha1_of_the_raw_body() -> None:
    expected = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha1).digest()).decode()
    assert sign(BODY, SECRET) == expected
    INBOUND.verify({"X-HelpScout-Signature": expected}, BODY, SECRET, NOW)


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-HelpScout-Signature": "nope"}, {"X-HelpScout-Signature": sign(BODY + b" ", SECRET)}],
)
def test_a_missing_or_wrong_signature_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(SignatureError):
        INBOUND.verify(headers, BODY, SECRET, NOW)


def test_a_conversation_event_names_its_conversation_and_dedups_on_the_body() -> None:
    receipt = INBOUND.receipt({"X-HelpScout-Event": "convo.note.created"}, BODY)
    again = INBOUND.receipt({"X-HelpScout-Event": "convo.tags"}, BODY)
    assert receipt.ticket_id == "2391938100" and receipt.kind == "helpscout.conversation"
    # The event header is not signed: the key comes from the body alone.
    assert receipt.dedup_key == again.dedup_key and receipt.dedup_for is not None


def test_a_rating_names_its_conversation_as_ticket_id() -> None:
    event = INBOUND.parse(fixture_bytes("helpscout/rating.json"))
    assert event == TicketChanged("2391938100", "helpscout.conversation")


@pytest.mark.parametrize(
    "payload", [{"id": 5}, {"id": 9, "firstName": "A"}, {"id": 3, "tag": "x", "color": "#fff"}]
)
def test_events_not_about_a_conversation_are_ignored(payload: dict[str, object]) -> None:
    assert isinstance(INBOUND.parse(json.dumps(payload).encode()), Ignored)


@pytest.mark.parametrize(
    "body",
    [b"[1]", b"not json", json.dumps({"mailboxId": 1, "id": "12a"}).encode(), b'{"mailboxId": 1}'],
)
def test_malformed_events_are_parse_errors(body: bytes) -> None:
    with pytest.raises(WebhookParseError):
        INBOUND.receipt({}, body)


def test_the_loop_guard_knows_the_bridges_newest_thread() -> None:
    data = json.loads(BODY)
    assert not made_by_user(BODY, "431280")
    newest = {"id": 9_999_999_999, "type": "note", "createdAt": "2026-03-02T10:00:00Z"}
    data["_embedded"]["threads"].insert(0, {**newest, "createdBy": {"id": 431280, "type": "user"}})
    assert made_by_user(json.dumps(data).encode(), "431280")
    assert not made_by_user(b"garbage", "431280")
