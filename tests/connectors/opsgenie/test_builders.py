"""Alert API bodies: built from a page, within every documented limit, hostile text defused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.actions import PageTrigger, TicketCard
from connectors.opsgenie.builders import BRIDGE_SOURCE, BRIDGE_USER, build_action, build_create
from policies.model import Severity, Tier
from sandbox.opsgenie import wire

FIXTURES = Path(__file__).parents[2] / "fixtures" / "opsgenie"


def page(
    subject: str = "Checkout down", severity: Severity = Severity.CRITICAL, **kw: object
) -> PageTrigger:
    card = TicketCard(
        source="zendesk",
        ticket_id="4821",
        url="https://acme.zendesk.com/agent/tickets/4821",
        subject=subject,
        status="open",
        priority="urgent",
        customer_name="Ana",
        customer_org="Acme",
    )
    fields: dict[str, object] = {
        "routing": "OPSGENIE_API_KEY",
        "dedup_key": "zendesk:4821",
        "ticket": card,
        "severity": severity,
        "tier": Tier.L3,
        "rule": "matrix",
        "route": "L3",
        "reason": "2 h at L2 without a fix",
        **kw,
    }
    return PageTrigger.model_validate(fields)


def test_the_documented_sample_and_ours_pass_the_same_checks() -> None:
    sample = json.loads((FIXTURES / "create_alert_request.docs_example.json").read_text())
    assert wire.create_errors(sample) == {}
    assert wire.create_errors(build_create(page())) == {}


def test_a_page_becomes_an_alert_named_by_the_tickets_key() -> None:
    body = build_create(page(), ticket_page="https://bridge.example/tickets/zendesk/4821")
    assert body["alias"] == "zendesk:4821"
    assert body["message"] == "[Critical] L3 escalation: zendesk #4821 Checkout down"
    assert body["priority"] == "P1"
    assert (body["user"], body["source"]) == (BRIDGE_USER, BRIDGE_SOURCE)
    assert body["entity"] == "zendesk #4821"
    assert "Reason: 2 h at L2 without a fix" in body["description"]
    assert "https://bridge.example/tickets/zendesk/4821" in body["description"]
    assert body["details"]["ticket_url"] == "https://acme.zendesk.com/agent/tickets/4821"
    assert body["tags"] == [BRIDGE_SOURCE, "zendesk", "L3", "critical"]


@pytest.mark.parametrize(
    ("severity", "priority"),
    [
        (Severity.CRITICAL, "P1"),
        (Severity.HIGH, "P2"),
        (Severity.MEDIUM, "P3"),
        (Severity.LOW, "P4"),
    ],
)
def test_priority_follows_severity(severity: Severity, priority: str) -> None:
    assert build_create(page(severity=severity))["priority"] == priority


def test_long_and_hostile_text_is_cut_and_defused() -> None:
    subject = "<img src=x onerror=alert(1)> " + "ünïcödé " * 5000
    inputs = {f"signal_{i}": "x" * 2000 for i in range(40)}
    body = build_create(page(subject=subject, reason="r" * 20000, inputs=inputs))
    assert wire.create_errors(body) == {}
    assert len(body["message"]) == wire.MESSAGE_MAX and body["message"].endswith("…")
    assert len(body["description"]) <= wire.DESCRIPTION_MAX
    assert "<" not in body["message"] + body["description"] and "\u2039img" in body["message"]
    assert sum(len(k) + len(v) for k, v in body["details"].items()) <= wire.DETAILS_TOTAL_MAX
    assert body["details"]["ticket"] == "zendesk:4821"  # the ticket stays, inputs give way


def test_details_are_text_only() -> None:
    body = build_create(page(inputs={"count": 3, "tags": ["vip", "outage"], "none": None}))
    assert body["details"]["input.count"] == "3"
    assert body["details"]["input.tags"] == '["vip", "outage"]'
    assert "input.none" not in body["details"]


def test_actions_say_who_asks_and_carry_a_note_within_its_limit() -> None:
    assert build_action() == {"user": BRIDGE_USER, "source": BRIDGE_SOURCE}
    noted = build_action("n" * 30000)
    assert len(noted["note"]) == wire.NOTE_MAX
    assert wire.action_errors(noted, note_required=True) == {}
