"""``POST /webhooks/helpscout``: signed events stored once, bad input refused with 4xx."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bridge import create_app
from bridge.config import Settings
from connectors.helpscout.inbound import sign
from tests.conftest import FrozenClock, fixture_bytes, make_settings
from tests.support.store import count_inbound, db_of, unprocessed

SECRET = "helpscout-webhook-secret-1"
BODY = fixture_bytes("helpscout/conversation.json")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        HELPSCOUT_APP_ID="app-id",
        HELPSCOUT_APP_SECRET="app-secret",
        HELPSCOUT_WEBHOOK_SECRET=SECRET,
    )


def signed(body: bytes, secret: str = SECRET, event: str = "convo.note.created") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-HelpScout-Signature": sign(body, secret),
        "X-HelpScout-Event": event,
    }


def test_an_event_is_stored_once(app: Flask, client: FlaskClient) -> None:
    first = client.post("/webhooks/helpscout", data=BODY, headers=signed(BODY))
    # A replay under another (unsigned) event name is the same delivery.
    again = client.post("/webhooks/helpscout", data=BODY, headers=signed(BODY, event="convo.tags"))
    assert first.status_code == again.status_code == 202
    assert again.json is not None and again.json["duplicate"] is True
    [item] = unprocessed(db_of(app))
    assert (item.source, item.ticket_id, item.body) == ("helpscout", "2391938100", BODY)


def test_a_customer_event_is_accepted_and_names_no_conversation(
    app: Flask, client: FlaskClient
) -> None:
    body = json.dumps({"id": 7, "firstName": "Vernon", "lastName": "Bear"}).encode()
    response = client.post("/webhooks/helpscout", data=body, headers=signed(body, event="x"))
    assert response.status_code == 202


NOT_JSON = b"id=1"
BAD_ID = json.dumps({"id": "1 OR 1=1", "mailboxId": 3}).encode()
REJECTIONS = [
    ("unsigned", BODY, {"Content-Type": "application/json"}, 401),
    ("wrong secret", BODY, signed(BODY, "not-the-secret"), 401),
    ("signed other body", BODY, signed(BODY + b"\n"), 401),
    ("hex instead of base64", BODY, {**signed(BODY), "X-HelpScout-Signature": "ab" * 20}, 401),
    ("not json", NOT_JSON, signed(NOT_JSON), 400),
    ("bad conversation id", BAD_ID, signed(BAD_ID), 400),
    ("form content type", BODY, {**signed(BODY), "Content-Type": "text/plain"}, 415),
]


@pytest.mark.parametrize(
    ("case", "body", "headers", "status"), REJECTIONS, ids=[r[0] for r in REJECTIONS]
)
def test_bad_input_is_refused_and_leaves_no_row(
    app: Flask,
    client: FlaskClient,
    case: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    response = client.post("/webhooks/helpscout", data=body, headers=headers)
    assert response.status_code == status, response.data
    assert count_inbound(db_of(app)) == 0


def test_without_the_webhook_secret_the_endpoint_is_not_there(
    database_url: str, clock: FrozenClock
) -> None:
    app = create_app(
        {"TESTING": True, "BRIDGE_SETTINGS": make_settings(database_url), "BRIDGE_CLOCK": clock}
    )
    try:
        response = app.test_client().post("/webhooks/helpscout", data=BODY, headers=signed(BODY))
        assert response.status_code == 404
    finally:
        app.extensions["bridge"].db.dispose()
