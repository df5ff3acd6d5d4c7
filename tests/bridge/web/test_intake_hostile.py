"""Hostile input on every intake endpoint: validly signed, yet built to break the parser, the
clock arithmetic or the database's column widths. Each answer is a 4xx (or 202 and ignored),
never a 500, and what is stored fits every column on PostgreSQL too (checked here on any
database, since SQLite does not enforce ``varchar(n)``)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import SECRETS, FrozenClock
from tests.support.signing import (
    freshdesk_headers,
    pagerduty_headers,
    slack_headers,
    zendesk_headers,
)
from tests.support.store import assert_fits_columns, count_inbound, db_of, unprocessed

ZD = SECRETS["ZENDESK_WEBHOOK_SECRET"]
FD = SECRETS["FRESHDESK_WEBHOOK_SECRET"]
SL = SECRETS["SLACK_SIGNING_SECRET"]
PD = SECRETS["PAGERDUTY_WEBHOOK_SECRET"]

DEEP = b"[" * 100_000 + b"]" * 100_000
LONG_ID = "9" * 300
ARABIC_DIGITS = "\u0661\u0662\u0663"  # "١٢٣": str.isdigit() says yes, int() reads 123

Request = tuple[str, bytes, dict[str, str]]


def zendesk(body: bytes, at: datetime) -> Request:
    return "/webhooks/zendesk", body, zendesk_headers(ZD, body, at)


def freshdesk(body: bytes, at: datetime) -> Request:
    return "/webhooks/freshdesk", body, freshdesk_headers(FD)


def pagerduty(body: bytes, at: datetime) -> Request:
    return "/webhooks/pagerduty", body, pagerduty_headers(PD, body)


def slack_click(payload: bytes, at: datetime) -> Request:
    body = b"payload=" + urllib.parse.quote(payload).encode()
    return "/slack/actions", body, slack_headers(SL, body, at)


def slack_command(text: str, at: datetime) -> Request:
    body = urllib.parse.urlencode(
        {"command": "/escalate", "text": text, "user_id": "U1", "user_name": "ana"}
    ).encode()
    return "/slack/commands", body, slack_headers(SL, body, at)


def click_on(value: str) -> bytes:
    return json.dumps(
        {
            "type": "block_actions",
            "user": {"id": "U1", "username": "ana"},
            "channel": {"id": "C1"},
            "message": {"ts": "1.2"},
            "actions": [{"action_id": "bridge_ack", "value": value}],
        }
    ).encode()


def pd_event(incident_key: str, event_id: str = "01EVENT") -> bytes:
    event = {
        "id": event_id,
        "event_type": "incident.acknowledged",
        "occurred_at": "2026-03-02T09:00:00Z",
        "agent": None,
        "data": {"id": "Q1", "type": "incident", "incident_key": incident_key},
    }
    return json.dumps({"event": event}).encode()


def envelope(ticket_id: str) -> bytes:
    return json.dumps(
        {"id": "e1", "type": "zen:event-type:ticket.status_changed", "detail": {"id": ticket_id}}
    ).encode()


def slack_timestamp(path: str) -> Callable[[datetime], Request]:
    def build(at: datetime) -> Request:
        body = b"payload=%7B%7D" if path == "/slack/actions" else b"command=%2Fescalate"
        headers = slack_headers(SL, body, at)
        headers["X-Slack-Request-Timestamp"] = "99999999999999"
        return path, body, headers

    return build


# (case, request, the answers allowed)
CASES: list[tuple[str, Callable[[datetime], Request], tuple[int, ...]]] = [
    ("slack actions timestamp overflow", slack_timestamp("/slack/actions"), (401,)),
    ("slack commands timestamp overflow", slack_timestamp("/slack/commands"), (401,)),
    ("zendesk deep json", lambda at: zendesk(DEEP, at), (400,)),
    ("freshdesk deep json", lambda at: freshdesk(DEEP, at), (400,)),
    ("pagerduty deep json", lambda at: pagerduty(DEEP, at), (400,)),
    ("slack actions deep json", lambda at: slack_click(DEEP, at), (400,)),
    (
        "zendesk deep json inside an object",
        lambda at: zendesk(b'{"ticket_id": "1", "x": ' + DEEP + b"}", at),
        (400,),
    ),
    (
        "zendesk 300-digit ticket id",
        lambda at: zendesk(json.dumps({"ticket_id": LONG_ID}).encode(), at),
        (400,),
    ),
    ("zendesk 300-digit envelope id", lambda at: zendesk(envelope(LONG_ID), at), (400,)),
    (
        "zendesk arabic digits",
        lambda at: zendesk(json.dumps({"ticket_id": ARABIC_DIGITS}).encode(), at),
        (400,),
    ),
    ("zendesk arabic envelope id", lambda at: zendesk(envelope(ARABIC_DIGITS), at), (400,)),
    (
        "freshdesk 300-digit ticket id",
        lambda at: freshdesk(json.dumps({"ticket_id": LONG_ID}).encode(), at),
        (400,),
    ),
    (
        "freshdesk arabic digits",
        lambda at: freshdesk(json.dumps({"ticket_id": ARABIC_DIGITS}).encode(), at),
        (400,),
    ),
    (
        "freshdesk 300-digit number",
        lambda at: freshdesk(b'{"ticket_id": ' + LONG_ID.encode() + b"}", at),
        (400,),
    ),
    (
        "slack button on a 300-digit ticket",
        lambda at: slack_click(click_on(f"zendesk:{LONG_ID}"), at),
        (200, 400),
    ),
    (
        "slack button on arabic digits",
        lambda at: slack_click(click_on(f"zendesk:{ARABIC_DIGITS}"), at),
        (200, 400),
    ),
    ("pagerduty 100-character incident key", lambda at: pagerduty(pd_event("k" * 100), at), (202,)),
    (
        "pagerduty 300-character event id",
        lambda at: pagerduty(pd_event("zendesk:1", event_id="E" * 300), at),
        (202, 400),
    ),
    (
        "pagerduty NUL in the event type",
        lambda at: pagerduty(pd_event("zendesk:1").replace(b"incident.ack", b"\\u0000"), at),
        (202, 400),
    ),
    (
        "pagerduty NUL in the event id",
        lambda at: pagerduty(pd_event("zendesk:1", "a\x00b"), at),
        (202, 400),
    ),
    (
        "slack NUL in the payload type",
        lambda at: slack_click(b'{"type": "a\\u0000b"}', at),
        (200, 400),
    ),
    (
        "zendesk NUL in the event id",
        lambda at: zendesk(envelope("12").replace(b'"e1"', b'"e\\u00001"'), at),
        (202, 400),
    ),
]


@pytest.mark.parametrize(("case", "build", "allowed"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_refused_or_ignored_never_a_500(
    app: Flask,
    client: FlaskClient,
    clock: FrozenClock,
    case: str,
    build: Callable[[datetime], Request],
    allowed: tuple[int, ...],
) -> None:
    path, body, headers = build(clock())
    response = client.post(path, data=body, headers=headers)
    assert response.status_code in allowed, (response.status_code, response.data[:300])
    if "ticket" in case or response.status_code >= 400:
        assert count_inbound(db_of(app)) == 0
    assert_fits_columns(unprocessed(db_of(app)))


@pytest.mark.parametrize(
    "text", [LONG_ID, f"zendesk:{LONG_ID}", ARABIC_DIGITS, f"zendesk:{ARABIC_DIGITS}"]
)
def test_slash_command_on_a_hostile_ticket_id_answers_the_usage(
    app: Flask, client: FlaskClient, clock: FrozenClock, text: str
) -> None:
    path, body, headers = slack_command(text, clock())
    response = client.post(path, data=body, headers=headers)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "Usage" in response.json["text"]
    assert count_inbound(db_of(app)) == 0
