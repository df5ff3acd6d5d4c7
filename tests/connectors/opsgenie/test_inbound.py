"""What Opsgenie's Webhook integration posts: authenticated by a shared secret (it signs
nothing), known by alert, action and time, the bridge's own actions told apart."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Ignored, PageChanged, SignatureError, WebhookParseError
from connectors.opsgenie.builders import BRIDGE_SOURCE, BRIDGE_USER
from connectors.opsgenie.inbound import SECRET_HEADER, OpsgenieInbound

FIXTURES = Path(__file__).parents[2] / "fixtures" / "opsgenie"
INBOUND = OpsgenieInbound()
SECRET = "s3cret-webhook"
RECORDED = json.loads((FIXTURES / "webhook_create.recorded.json").read_text())
UPDATED = datetime(2020, 6, 30, 0, 6, 4, 636000, tzinfo=UTC)  # its updatedAt, in ns


def delivery(action: str = "Create", *, user: str = "kenaz@puppet.com", **alert: Any) -> bytes:
    body = json.loads(json.dumps(RECORDED))
    body["action"] = action
    body["alert"]["username"] = user
    body["alert"].update(alert)
    if user == BRIDGE_USER:
        body["source"] = {"name": BRIDGE_SOURCE, "type": "API"}
    return json.dumps(body).encode()


def basic(password: str, user: str = "opsgenie") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    "headers",
    [
        {SECRET_HEADER: SECRET},
        {"Authorization": basic(SECRET)},
        {"Authorization": basic(SECRET, "")},
    ],
    ids=["header", "basic", "basic-no-user"],
)
def test_the_secret_in_a_header_or_as_basic_password_is_accepted(headers: dict[str, str]) -> None:
    INBOUND.verify(headers, delivery(), SECRET, UPDATED + timedelta(seconds=5))


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing"),
        ({SECRET_HEADER: "wrong"}, "wrong webhook secret"),
        ({SECRET_HEADER: SECRET[:-1]}, "wrong webhook secret"),
        ({"Authorization": basic("wrong")}, "wrong webhook secret"),
        ({"Authorization": "Basic %%%"}, "unreadable"),
        ({"Authorization": f"Bearer {SECRET}"}, "missing"),
    ],
)
def test_a_wrong_or_missing_secret_is_refused(headers: dict[str, str], message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        INBOUND.verify(headers, delivery(), SECRET, UPDATED)


@pytest.mark.parametrize(
    ("now", "refused"),
    [
        (UPDATED + timedelta(minutes=59), False),
        (UPDATED + timedelta(hours=1, seconds=1), True),  # a replay, or news too old to act on
        (UPDATED - timedelta(seconds=30), False),  # clocks disagree a little
        (UPDATED - timedelta(minutes=5), True),  # from the future
    ],
)
def test_stale_deliveries_are_refused(now: datetime, refused: bool) -> None:
    headers = {SECRET_HEADER: SECRET}
    if refused:
        with pytest.raises(SignatureError):
            INBOUND.verify(headers, delivery(), SECRET, now)
    else:
        INBOUND.verify(headers, delivery(), SECRET, now)


@pytest.mark.parametrize(
    ("updated_at", "expected"),
    [
        (1593475564636000000, UPDATED),  # nanoseconds, as recorded
        (1593475564636, UPDATED),  # milliseconds
        ("1593475564636000000", UPDATED),  # as text
    ],
)
def test_updated_at_is_read_in_its_unit(updated_at: object, expected: datetime) -> None:
    event = INBOUND.parse(delivery(updatedAt=updated_at))
    assert isinstance(event, PageChanged) and event.occurred_at == expected


def test_the_recorded_create_is_a_person_triggering_the_alert() -> None:
    body = (FIXTURES / "webhook_create.recorded.json").read_bytes()
    receipt = INBOUND.receipt({}, body)
    alert_id = "7ec331d7-f5f3-4f78-a49c-2ad886df69fe-1593475564295"
    assert receipt.kind == "alert.Create"
    assert receipt.ticket_id == alert_id  # the alias: Opsgenie made one up
    assert receipt.dedup_key == f"{alert_id}:Create:1593475564636000000"
    event = INBOUND.parse(body)
    assert event == PageChanged(
        event_type="triggered",
        event_id=f"{alert_id}:Create:1593475564636000000",
        incident_id=alert_id,
        incident_key=alert_id,
        by_person=True,
        agent="kenaz@puppet.com",
        note=None,
        url=None,
        occurred_at=UPDATED,
        by_integration=False,
    )


@pytest.mark.parametrize(
    ("action", "event_type"),
    [
        ("Acknowledge", "acknowledged"),
        ("Close", "resolved"),
        ("AssignOwnership", "assignownership"),
    ],
)
def test_actions_become_page_events(action: str, event_type: str) -> None:
    event = INBOUND.parse(delivery(action, alias="zendesk:4821"))
    assert isinstance(event, PageChanged)
    assert (event.event_type, event.incident_key, event.by_person) == (
        event_type,
        "zendesk:4821",
        True,
    )


def test_a_long_alias_names_no_ticket_in_the_receipt() -> None:
    receipt = INBOUND.receipt({}, delivery("Close", alias="a" * 512))
    assert receipt.ticket_id is None
    assert INBOUND.receipt({}, delivery("Close", alias="zendesk:4821")).ticket_id == "zendesk:4821"


def test_a_note_carries_its_text() -> None:
    event = INBOUND.parse(delivery("AddNote", alias="zendesk:1", note="Rolled back the deploy"))
    assert isinstance(event, PageChanged)
    assert (event.event_type, event.note, event.agent) == (
        "annotated",
        "Rolled back the deploy",
        "kenaz@puppet.com",
    )


def test_the_bridges_own_actions_are_no_news() -> None:
    closed = INBOUND.parse(delivery("Close", user=BRIDGE_USER, alias="zendesk:1"))
    assert isinstance(closed, PageChanged)
    assert closed.by_integration and not closed.by_person and closed.agent is None
    assert isinstance(INBOUND.parse(delivery("AddNote", user=BRIDGE_USER, note="x")), Ignored)


def test_two_actions_on_one_alert_are_two_deliveries_and_a_redelivery_is_one() -> None:
    acked = INBOUND.receipt({}, delivery("Acknowledge", updatedAt=1593475564636000000))
    closed = INBOUND.receipt({}, delivery("Close", updatedAt=1593475564999000000))
    again = INBOUND.receipt({}, delivery("Acknowledge", updatedAt=1593475564636000000))
    assert acked.dedup_key != closed.dedup_key
    assert acked.dedup_key == again.dedup_key


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"alert": {"alertId": "a"}}',
        b'{"action": "Close"}',
        b'{"action": "Close", "alert": {"message": "no id"}}',
        b'{"action": "Close", "alert": "text"}',
        "\udcff".encode("utf-8", "surrogatepass"),
    ],
)
def test_unreadable_bodies_are_parse_errors(body: bytes) -> None:
    INBOUND.verify({SECRET_HEADER: SECRET}, body, SECRET, UPDATED)  # authentic: 400, not 401
    with pytest.raises(WebhookParseError):
        INBOUND.receipt({}, body)
