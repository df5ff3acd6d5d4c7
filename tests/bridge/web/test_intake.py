from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge import create_app
from connectors.slack.blocks import ACTION_ACK
from tests.conftest import SECRETS, FrozenClock, fixture_bytes, fixture_json, make_settings
from tests.support.signing import (
    clickup_headers,
    freshdesk_headers,
    pagerduty_headers,
    slack_headers,
    zendesk_headers,
)
from tests.support.store import count_inbound, db_of, unprocessed

ZD = SECRETS["ZENDESK_WEBHOOK_SECRET"]
FD = SECRETS["FRESHDESK_WEBHOOK_SECRET"]
SL = SECRETS["SLACK_SIGNING_SECRET"]
PD = SECRETS["PAGERDUTY_WEBHOOK_SECRET"]
CU = SECRETS["CLICKUP_WEBHOOK_SECRET"]

ZENDESK_TRIGGER = b'{"ticket_id": "35436", "status": "open"}'
ZENDESK_EVENT = json.dumps(
    {
        "account_id": 18525119,
        "detail": {"id": "5158", "status": "OPEN", "priority": "LOW", "tags": []},
        "event": {"current": "OPEN", "previous": "NEW"},
        "id": "cbe4028c-7f0c-4bd8-a3c6-5b2b8b6e5f3a",
        "subject": "zen:ticket:5158",
        "time": "2025-01-08T10:12:07.672717030Z",
        "type": "zen:event-type:ticket.status_changed",
        "zendesk_event_version": "2022-11-06",
    },
    indent=3,
).encode()


def slack_action_body(bridge_button: bool = True) -> bytes:
    """Slack's documented click; on one of the bridge's buttons unless told otherwise."""
    payload = fixture_json("slack/block_actions_payload.docs_example.json")
    if bridge_button:
        payload["actions"][0].update(action_id=ACTION_ACK, value="zendesk:35436")
    return ("payload=" + urllib.parse.quote(json.dumps(payload))).encode()


# -- accepted ---------------------------------------------------------------------------------


def test_zendesk_trigger_webhook_is_stored_once(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    headers = zendesk_headers(ZD, ZENDESK_TRIGGER, clock())
    first = client.post("/webhooks/zendesk", data=ZENDESK_TRIGGER, headers=headers)
    again = client.post("/webhooks/zendesk", data=ZENDESK_TRIGGER, headers=headers)
    assert first.status_code == 202
    assert first.json == {"status": "accepted", "duplicate": False, "ticket_id": "35436"}
    assert again.status_code == 202 and again.json["duplicate"] is True
    [item] = unprocessed(db_of(app))
    assert (item.source, item.ticket_id, item.body) == ("zendesk", "35436", ZENDESK_TRIGGER)


def test_zendesk_event_envelope_dedups_on_event_id(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    response = client.post(
        "/webhooks/zendesk", data=ZENDESK_EVENT, headers=zendesk_headers(ZD, ZENDESK_EVENT, clock())
    )
    # Redelivered later: a new signature timestamp, same event id.
    clock.advance(seconds=40)
    redelivered = client.post(
        "/webhooks/zendesk", data=ZENDESK_EVENT, headers=zendesk_headers(ZD, ZENDESK_EVENT, clock())
    )
    assert response.status_code == redelivered.status_code == 202
    [item] = unprocessed(db_of(app))
    assert item.dedup_key == "cbe4028c-7f0c-4bd8-a3c6-5b2b8b6e5f3a"
    assert (item.ticket_id, item.kind) == ("5158", "ticket.status_changed")


@pytest.mark.parametrize(
    "name",
    [
        "webhook_ticket_created.json",
        "webhook_priority_changed.json",
        "webhook_status_changed_custom_status.json",
        "webhook_note_private.json",
    ],
)
def test_freshdesk_recorded_bodies_are_accepted(app: Flask, client: FlaskClient, name: str) -> None:
    body = fixture_bytes(f"freshdesk/{name}")
    response = client.post("/webhooks/freshdesk", data=body, headers=freshdesk_headers(FD))
    assert response.status_code == 202
    [item] = unprocessed(db_of(app))
    assert item.source == "freshdesk" and item.ticket_id == "11"


@pytest.mark.parametrize(
    "name",
    [
        "webhook_v3_incident_acknowledged.raw.json",
        "webhook_v3_incident_resolved.raw.json",
        "webhook_v3_incident_annotated.raw.json",
        "webhook_v3_pagey_ping.raw.json",
    ],
)
def test_pagerduty_recorded_signed_bodies_are_accepted(
    app: Flask, client: FlaskClient, clock: FrozenClock, name: str
) -> None:
    body = fixture_bytes(f"pagerduty/{name}")
    event = json.loads(body)["event"]
    clock.now = datetime.fromisoformat(event["occurred_at"]) + timedelta(seconds=2)
    vectors = fixture_json("pagerduty/webhook_v3_signature_vectors.json")["vectors"]
    [signature] = [v["X-PagerDuty-Signature"] for v in vectors if v["file"] == name]
    headers = {
        "Content-Type": "application/json",
        "X-PagerDuty-Signature": signature,
        "X-Webhook-Id": f"wh-{name}",
    }
    assert client.post("/webhooks/pagerduty", data=body, headers=headers).status_code == 202
    assert client.post("/webhooks/pagerduty", data=body, headers=headers).json["duplicate"]
    [item] = unprocessed(db_of(app))
    assert item.dedup_key == event["id"]
    assert item.kind == event["event_type"]


def test_slack_action_is_acknowledged_with_bare_200(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    body = slack_action_body()
    response = client.post("/slack/actions", data=body, headers=slack_headers(SL, body, clock()))
    assert response.status_code == 200 and response.data == b""
    [item] = unprocessed(db_of(app))
    assert item.kind == "slack.block_actions"


def test_a_click_on_a_button_the_bridge_did_not_make_is_answered_and_not_stored(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    body = slack_action_body(bridge_button=False)
    response = client.post("/slack/actions", data=body, headers=slack_headers(SL, body, clock()))
    assert response.status_code == 200 and response.data == b""
    assert count_inbound(db_of(app)) == 0


def test_slack_command_is_stored_and_answered_ephemerally(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    form = fixture_json("slack/slash_command_form.signing_test_vector.json")["form_fields"]
    body = urllib.parse.urlencode(
        {**form, "command": "/escalate", "text": "zendesk:35436"}
    ).encode()
    response = client.post("/slack/commands", data=body, headers=slack_headers(SL, body, clock()))
    assert response.status_code == 200 and response.json["response_type"] == "ephemeral"
    assert count_inbound(db_of(app), kind="slack.command") == 1


def test_a_mistyped_slack_command_gets_the_usage_and_is_not_stored(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    body = fixture_json("slack/slash_command_form.signing_test_vector.json")["raw_body"].encode()
    response = client.post("/slack/commands", data=body, headers=slack_headers(SL, body, clock()))
    assert response.status_code == 200 and "Usage" in response.json["text"]
    assert count_inbound(db_of(app)) == 0


# -- rejected -----------------------------------------------------------------------------------


def _zendesk(body: bytes, clock: FrozenClock, **changes: str | None) -> dict[str, str]:
    headers = zendesk_headers(ZD, body, clock())
    for key, value in changes.items():
        name = {
            "signature": "X-Zendesk-Webhook-Signature",
            "timestamp": "X-Zendesk-Webhook-Signature-Timestamp",
            "content_type": "Content-Type",
        }[key]
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    return headers


REJECTIONS: list[tuple[str, Callable[[FrozenClock], tuple[str, bytes, dict[str, str]]], int]] = [
    (
        "zendesk no signature",
        lambda c: (
            "/webhooks/zendesk",
            ZENDESK_TRIGGER,
            _zendesk(ZENDESK_TRIGGER, c, signature=None),
        ),
        401,
    ),
    (
        "zendesk wrong signature",
        lambda c: (
            "/webhooks/zendesk",
            ZENDESK_TRIGGER,
            _zendesk(ZENDESK_TRIGGER, c, signature="AAAA"),
        ),
        401,
    ),
    (
        "zendesk stale timestamp",
        lambda c: (
            "/webhooks/zendesk",
            ZENDESK_TRIGGER,
            zendesk_headers(ZD, ZENDESK_TRIGGER, c() - timedelta(minutes=6)),
        ),
        401,
    ),
    (
        "zendesk future timestamp",
        lambda c: (
            "/webhooks/zendesk",
            ZENDESK_TRIGGER,
            zendesk_headers(ZD, ZENDESK_TRIGGER, c() + timedelta(minutes=10)),
        ),
        401,
    ),
    (
        "zendesk not json",
        lambda c: ("/webhooks/zendesk", b"ticket_id=1", zendesk_headers(ZD, b"ticket_id=1", c())),
        400,
    ),
    (
        "zendesk no ticket id",
        lambda c: (
            "/webhooks/zendesk",
            b'{"status": "open"}',
            zendesk_headers(ZD, b'{"status": "open"}', c()),
        ),
        400,
    ),
    (
        "zendesk form content type",
        lambda c: (
            "/webhooks/zendesk",
            ZENDESK_TRIGGER,
            _zendesk(ZENDESK_TRIGGER, c, content_type="application/x-www-form-urlencoded"),
        ),
        415,
    ),
    (
        "zendesk too large",
        lambda c: ("/webhooks/zendesk", b" " * (1024 * 1024 + 1), zendesk_headers(ZD, b"", c())),
        413,
    ),
    (
        "freshdesk wrong password",
        lambda c: ("/webhooks/freshdesk", b'{"ticket_id": "1"}', freshdesk_headers("nope")),
        401,
    ),
    (
        "freshdesk no auth",
        lambda c: (
            "/webhooks/freshdesk",
            b'{"ticket_id": "1"}',
            {"Content-Type": "application/json"},
        ),
        401,
    ),
    (
        "freshdesk garbage",
        lambda c: ("/webhooks/freshdesk", b"\xff\xfe{", freshdesk_headers(FD)),
        400,
    ),
    (
        "freshdesk text/plain",
        lambda c: (
            "/webhooks/freshdesk",
            b'{"ticket_id": "1"}',
            {**freshdesk_headers(FD), "Content-Type": "text/plain"},
        ),
        415,
    ),
    (
        "pagerduty bad signature",
        lambda c: (
            "/webhooks/pagerduty",
            b'{"event": {}}',
            pagerduty_headers("other", b'{"event": {}}'),
        ),
        401,
    ),
    (
        "pagerduty not an event",
        lambda c: ("/webhooks/pagerduty", b'{"hello": 1}', pagerduty_headers(PD, b'{"hello": 1}')),
        400,
    ),
    (
        "clickup bad signature",
        lambda c: ("/webhooks/clickup", b"{}", clickup_headers("other", b"{}")),
        401,
    ),
    (
        "clickup not an event",
        lambda c: ("/webhooks/clickup", b'{"hello": 1}', clickup_headers(CU, b'{"hello": 1}')),
        400,
    ),
    (
        "slack stale",
        lambda c: (
            "/slack/actions",
            slack_action_body(),
            slack_headers(SL, slack_action_body(), c() - timedelta(minutes=6)),
        ),
        401,
    ),
    ("slack no payload", lambda c: ("/slack/actions", b"a=b", slack_headers(SL, b"a=b", c())), 400),
    (
        "slack json body",
        lambda c: (
            "/slack/actions",
            b"{}",
            {**slack_headers(SL, b"{}", c()), "Content-Type": "application/json"},
        ),
        415,
    ),
    (
        "slack command without command",
        lambda c: ("/slack/commands", b"text=1", slack_headers(SL, b"text=1", c())),
        400,
    ),
]


@pytest.mark.parametrize(("case", "build", "status"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_rejections_leave_no_row(
    app: Flask,
    client: FlaskClient,
    clock: FrozenClock,
    case: str,
    build: Callable[[FrozenClock], tuple[str, bytes, dict[str, str]]],
    status: int,
) -> None:
    path, body, headers = build(clock)
    response = client.post(path, data=body, headers=headers)
    assert response.status_code == status, response.data
    assert response.json and response.json["error"]
    assert count_inbound(db_of(app)) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/zendesk",
        "/webhooks/freshdesk",
        "/webhooks/pagerduty",
        "/webhooks/clickup",
        "/slack/actions",
        "/slack/commands",
    ],
)
def test_unconfigured_integration_is_404(database_url: str, clock: FrozenClock, path: str) -> None:
    bare = make_settings(database_url, **dict.fromkeys(SECRETS))
    app = create_app({"TESTING": True, "BRIDGE_SETTINGS": bare, "BRIDGE_CLOCK": clock})
    response = app.test_client().post(
        path, data=b"{}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 404
    assert count_inbound(db_of(app)) == 0
    db_of(app).dispose()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=300),
    content_type=st.sampled_from(
        ["application/json", "application/x-www-form-urlencoded", "text/plain", ""]
    ),
)
def test_arbitrary_signed_bodies_never_cause_a_500(
    client: FlaskClient, clock: FrozenClock, body: bytes, content_type: str
) -> None:
    requests = [
        ("/webhooks/zendesk", zendesk_headers(ZD, body, clock())),
        ("/webhooks/freshdesk", freshdesk_headers(FD)),
        ("/webhooks/pagerduty", pagerduty_headers(PD, body)),
        ("/webhooks/clickup", clickup_headers(CU, body)),
        ("/slack/actions", slack_headers(SL, body, clock())),
        ("/slack/commands", slack_headers(SL, body, clock())),
    ]
    for path, headers in requests:
        headers["Content-Type"] = content_type
        response = client.post(path, data=body, headers=headers)
        assert response.status_code in (200, 202, 400, 415), (path, response.status_code)
