"""``POST /webhooks/intercom``: signed notifications stored once, bad input refused with 4xx."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bridge import create_app
from bridge.config import Settings
from connectors.intercom.inbound import sign
from tests.conftest import FrozenClock, fixture_bytes, make_settings
from tests.support.store import count_inbound, db_of, unprocessed

SECRET = "intercom-client-secret-1"
BODY = fixture_bytes("intercom/notification_user_replied.json")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, INTERCOM_CLIENT_SECRET=SECRET)


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Hub-Signature": sign(body, secret)}


def test_a_notification_is_stored_once(app: Flask, client: FlaskClient) -> None:
    first = client.post("/webhooks/intercom", data=BODY, headers=signed(BODY))
    again = client.post("/webhooks/intercom", data=BODY, headers=signed(BODY))
    assert first.status_code == again.status_code == 202
    assert again.json is not None and again.json["duplicate"] is True
    [item] = unprocessed(db_of(app))
    assert (item.source, item.ticket_id, item.body) == ("intercom", "25182190716", BODY)


def test_a_ping_is_accepted_and_names_no_conversation(app: Flask, client: FlaskClient) -> None:
    ping = json.dumps(
        {"type": "notification_event", "id": "notif_ping", "topic": "ping", "data": {"item": {}}}
    ).encode()
    assert client.post("/webhooks/intercom", data=ping, headers=signed(ping)).status_code == 202


NOT_JSON = b"conversation=1"
NO_ITEM = json.dumps({"type": "notification_event", "topic": "conversation.user.created"}).encode()
REJECTIONS = [
    ("unsigned", BODY, {"Content-Type": "application/json"}, 401),
    ("wrong secret", BODY, signed(BODY, "not-the-secret"), 401),
    ("signed other body", BODY, signed(BODY + b"\n"), 401),
    ("not json", NOT_JSON, signed(NOT_JSON), 400),
    ("no item", NO_ITEM, signed(NO_ITEM), 400),
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
    response = client.post("/webhooks/intercom", data=body, headers=headers)
    assert response.status_code == status, response.data
    assert count_inbound(db_of(app)) == 0


def test_without_the_client_secret_the_endpoint_is_not_there(
    database_url: str, clock: FrozenClock
) -> None:
    app = create_app(
        {"TESTING": True, "BRIDGE_SETTINGS": make_settings(database_url), "BRIDGE_CLOCK": clock}
    )
    try:
        response = app.test_client().post("/webhooks/intercom", data=BODY, headers=signed(BODY))
        assert response.status_code == 404
    finally:
        app.extensions["bridge"].db.dispose()
