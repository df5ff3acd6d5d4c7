"""Replays and repeats at intake: keys come from what the signature covers, and a key that is
only a body's hash expires."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import SECRETS, FrozenClock
from tests.support.signing import freshdesk_headers, pagerduty_headers, zendesk_headers
from tests.support.store import count_inbound, db_of

ZD = SECRETS["ZENDESK_WEBHOOK_SECRET"]
FD = SECRETS["FRESHDESK_WEBHOOK_SECRET"]
PD = SECRETS["PAGERDUTY_WEBHOOK_SECRET"]
TRIGGER = b'{"ticket_id": "35436", "updater_id": "7", "status": "open", "priority": "high"}'
FRESHDESK = b'{"freshdesk_webhook": {"ticket_id": "11", "ticket_status": "Open"}}'


def pd_note(occurred_at: str) -> bytes:
    event = {
        "id": "01NOTE",
        "event_type": "incident.annotated",
        "occurred_at": occurred_at,
        "agent": None,
        "data": {"type": "incident_note", "content": "hi", "incident": {"id": "Q1"}},
    }
    return json.dumps({"event": event}).encode()


def test_a_zendesk_trigger_replayed_with_new_invocation_ids_is_stored_once(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    headers = zendesk_headers(ZD, TRIGGER, clock())
    for invocation in ("a", "b", "c"):
        headers["X-Zendesk-Webhook-Invocation-Id"] = invocation
        assert client.post("/webhooks/zendesk", data=TRIGGER, headers=headers).status_code == 202
    assert count_inbound(db_of(app)) == 1
    # The same body signed a minute later is another change of the ticket.
    clock.advance(minutes=1)
    later = zendesk_headers(ZD, TRIGGER, clock())
    assert client.post("/webhooks/zendesk", data=TRIGGER, headers=later).json["duplicate"] is False
    assert count_inbound(db_of(app)) == 2


def test_a_repeated_freshdesk_body_is_a_duplicate_only_for_a_few_minutes(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    def post() -> bool:
        response = client.post("/webhooks/freshdesk", data=FRESHDESK, headers=freshdesk_headers(FD))
        assert response.status_code == 202
        return bool(response.json["duplicate"])

    assert post() is False
    clock.advance(minutes=1)
    assert post() is True
    clock.advance(minutes=5)
    assert post() is False
    assert count_inbound(db_of(app)) == 2


def test_pagerduty_events_older_than_the_window_are_answered_202_and_not_stored(
    app: Flask, client: FlaskClient, clock: FrozenClock
) -> None:
    old = pd_note("2026-03-02T08:54:59Z")  # the clock says 09:00: 5 min 1 s ago
    response = client.post("/webhooks/pagerduty", data=old, headers=pagerduty_headers(PD, old))
    assert response.status_code == 202
    assert (
        response.json["status"] == "ignored" and "older than 5 minutes" in response.json["reason"]
    )
    assert count_inbound(db_of(app)) == 0

    fresh = pd_note("2026-03-02T08:55:00Z")
    response = client.post("/webhooks/pagerduty", data=fresh, headers=pagerduty_headers(PD, fresh))
    assert response.status_code == 202 and response.json["status"] == "accepted"
    assert count_inbound(db_of(app)) == 1


def test_pagerduty_dedups_on_the_signed_event_id_not_the_webhook_id(
    app: Flask, client: FlaskClient
) -> None:
    body = pd_note("2026-03-02T08:59:00Z")
    for webhook_id in ("w1", "w2", "w3"):
        headers = pagerduty_headers(PD, body, webhook_id=webhook_id)
        assert client.post("/webhooks/pagerduty", data=body, headers=headers).status_code == 202
    assert count_inbound(db_of(app)) == 1
