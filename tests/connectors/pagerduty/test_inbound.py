"""What PagerDuty posts: V3 webhooks (signatures are tested in
tests/connectors/test_signatures.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.base import Ignored, PageChanged
from connectors.pagerduty.inbound import PagerDutyInbound

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pagerduty"
INBOUND = PagerDutyInbound()


def parse(body: bytes) -> PageChanged:
    event = INBOUND.parse(body)
    assert isinstance(event, PageChanged)
    return event


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "event_type", "status", "note"),
    [
        ("webhook_v3_incident_triggered.raw.json", "incident.triggered", "triggered", None),
        (
            "webhook_v3_incident_acknowledged.raw.json",
            "incident.acknowledged",
            "acknowledged",
            None,
        ),
        ("webhook_v3_incident_resolved.raw.json", "incident.resolved", "resolved", None),
        (
            "webhook_v3_incident_annotated.raw.json",
            "incident.annotated",
            None,
            "Resolution Note: I'm resolving it",
        ),
    ],
)
def test_parse_webhook_on_recorded_incidents(
    name: str, event_type: str, status: str | None, note: str | None
) -> None:
    event = parse(raw(name))
    assert event.event_type == event_type.removeprefix("incident.")
    assert event.incident_id == "Q2CKYRLH85UNN4"
    assert event.url == "https://aldaviva.pagerduty.com/incidents/Q2CKYRLH85UNN4"
    assert event.note == note
    assert (event.by_person, event.agent) == (True, "Ben")
    assert event.occurred_at is not None and event.occurred_at.tzinfo is not None
    expected_key = None if note else "dfead9d88e0649e8b7dee514b1875756"
    assert event.incident_key == expected_key


def test_parse_webhook_ping() -> None:
    body = raw("webhook_v3_pagey_ping.raw.json")
    assert isinstance(INBOUND.parse(body), Ignored)
    receipt = INBOUND.receipt({}, body)
    assert (receipt.kind, receipt.dedup_key) == ("pagey.ping", "01FKZOXA868SHYEE4DVNWB5P9W")
    assert receipt.ticket_id is None


def test_parse_webhook_tolerates_a_null_agent() -> None:
    body = json.loads(raw("webhook_v3_incident_resolved.raw.json"))
    body["event"]["agent"] = None
    event = parse(json.dumps(body).encode())
    assert (event.by_person, event.by_integration, event.agent) == (False, False, None)


@pytest.mark.parametrize(
    ("agent_type", "person", "integration"),
    [
        ("user_reference", True, False),
        ("service_reference", False, True),
        ("integration_reference", False, True),
    ],
)
def test_only_a_user_reference_is_a_person(
    agent_type: str, person: bool, integration: bool
) -> None:
    body = json.loads(raw("webhook_v3_incident_resolved.raw.json"))
    body["event"]["agent"]["type"] = agent_type
    event = parse(json.dumps(body).encode())
    assert (event.by_person, event.by_integration) == (person, integration)


def test_a_trimmed_note_says_so() -> None:
    body = json.loads(raw("webhook_v3_incident_annotated.raw.json"))
    body["event"]["data"]["trimmed"] = True
    event = parse(json.dumps(body).encode())
    assert event.note is not None and event.note.endswith(
        "[trimmed by PagerDuty: the full note is on the incident]"
    )


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff",
        b"[]",
        b'{"event": 1}',
        b'{"event": {"id": "x"}}',
        b'{"event": {"id": "x", "event_type": "incident.resolved", "data": []}}',
        raw("webhook_v3_incident_priority_updated.docs_example.json"),
    ],
)
def test_parse_webhook_rejects_garbage(body: bytes) -> None:
    with pytest.raises(ValueError):
        INBOUND.receipt({}, body)
        INBOUND.parse(body)


def test_ids_and_keys_longer_than_the_bridge_stores_are_treated_as_absent() -> None:
    """PostgreSQL keeps them in varchar(64): a longer one would fail the insert, and none the
    bridge made is that long (it hashes long keys)."""
    document = json.loads(raw("webhook_v3_incident_acknowledged.raw.json"))
    document["event"]["data"].update(id="Q" * 65, incident_key="zendesk:" + "9" * 92)
    body = json.dumps(document).encode()
    event = parse(body)
    assert event.incident_id is None and event.incident_key is None
    receipt = INBOUND.receipt({"X-Webhook-Id": "unsigned"}, body)
    assert receipt.ticket_id is None
    assert receipt.dedup_key == document["event"]["id"]
    assert receipt.occurred_at is not None and receipt.occurred_at.tzinfo is not None
