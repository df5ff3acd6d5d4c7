from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.actions import INCIDENT_KEY_MAX, PageTrigger, TicketCard, incident_key
from connectors.base import AuthError, PermanentError, RetryableError, TicketKey
from connectors.pagerduty.events import (
    DETAIL_STRING_MAX,
    EVENT_BYTES_BUDGET,
    EVENT_BYTES_MAX,
    SUMMARY_MAX,
    PagerDutyEvents,
    build_trigger,
    event_bytes,
)
from policies.model import Severity, Tier
from sandbox.common import Fault, Served, serve
from sandbox.pagerduty import PagerDutySandbox, local_tls

FIXTURES = Path(__file__).parents[2] / "fixtures" / "pagerduty"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEYS = {"PAGERDUTY_ROUTING_KEY": "0123456789abcdef0123456789abcdef", "PD_SHORT": "too-short"}
ENV = "PAGERDUTY_ROUTING_KEY"


def make_ticket(**changes: Any) -> TicketCard:
    return TicketCard(
        source="zendesk",
        ticket_id="123",
        url="https://acme.zendesk.com/agent/tickets/123",
        subject="Checkout fails",
        status="open",
        priority="urgent",
        customer_name="Ana Ruiz",
        customer_org="Acme GmbH",
    ).model_copy(update=changes)


def make_page(severity: Severity = Severity.CRITICAL, **changes: Any) -> PageTrigger:
    ticket = changes.pop("ticket", make_ticket())
    return PageTrigger(
        routing=ENV,
        dedup_key=incident_key(TicketKey(ticket.source, ticket.ticket_id)),
        ticket=ticket,
        severity=severity,
        tier=Tier.L3,
        rule="critical-l3",
        route="engineering",
        reason="Critical ticket open 2 h",
        inputs={"age_minutes": 120, "since": NOW.isoformat(), "tier": 2, "steps": [{"a": "b"}]},
        **changes,
    )


# ---- builders ----


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.CRITICAL, "critical"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "info"),
    ],
)
def test_trigger_maps_severity(severity: Severity, expected: str) -> None:
    assert build_trigger(make_page(severity))["payload"]["severity"] == expected


def test_trigger_carries_ticket_customer_tier_reason_and_link() -> None:
    event = build_trigger(make_page())
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == "zendesk:123"
    payload = event["payload"]
    assert payload["source"] == "escalation-bridge"
    assert "Checkout fails" in payload["summary"] and "Acme GmbH" in payload["summary"]
    details = payload["custom_details"]
    assert details["ticket"]["url"] == "https://acme.zendesk.com/agent/tickets/123"
    assert details["customer"] == {"name": "Ana Ruiz", "organization": "Acme GmbH"}
    assert (details["tier"], details["reason"]) == ("L3", "Critical ticket open 2 h")
    assert details["inputs"] == {
        "age_minutes": 120,
        "since": NOW.isoformat(),
        "tier": 2,
        "steps": "[{'a': 'b'}]",  # custom details show one level
    }
    assert event["links"] == [
        {"href": "https://acme.zendesk.com/agent/tickets/123", "text": "zendesk #123"}
    ]
    assert "routing_key" not in event
    json.dumps(event)


def test_trigger_keys_match_the_documented_event_shape() -> None:
    documented = json.loads(
        (FIXTURES / "events_v2_trigger_request.openapi_example.json").read_text()
    )
    event = build_trigger(make_page())
    assert set(event) - {"routing_key"} <= set(documented)
    assert set(event["payload"]) <= set(documented["payload"])


@pytest.mark.parametrize(
    ("ticket", "length_ok"),
    [
        (make_ticket(subject="x" * 5000), True),
        (make_ticket(subject="", url=""), True),
        (make_ticket(ticket_id="9" * 400), True),
    ],
    ids=["long-subject", "empty", "long-id"],
)
def test_trigger_stays_within_limits(ticket: TicketCard, length_ok: bool) -> None:
    event = build_trigger(make_page(ticket=ticket))
    assert len(event["payload"]["summary"]) <= SUMMARY_MAX
    assert len(event["dedup_key"]) <= INCIDENT_KEY_MAX
    assert ("links" in event) is bool(ticket.url)


def test_incident_key_is_deterministic_and_bounded() -> None:
    def key(source: str, ticket_id: str) -> str:
        return incident_key(TicketKey(source, ticket_id))

    assert key("freshdesk", "45") == "freshdesk:45"
    long_a, long_b = key("zendesk", "1" * 300), key("zendesk", "1" * 301)
    assert long_a == key("zendesk", "1" * 300) and long_a != long_b
    assert len(long_a) <= INCIDENT_KEY_MAX and long_a.startswith("zendesk:")


# ---- the real client over HTTPS against the sandbox ----


@pytest.fixture(scope="module")
def served_pd(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PagerDutySandbox, Served, str]]:
    tls = local_tls(tmp_path_factory.mktemp("tls"))
    sandbox = PagerDutySandbox()
    with serve(sandbox, ssl_context=tls.server_context) as served:
        yield sandbox, served, tls.ca_file


@pytest.fixture
def pd(
    served_pd: tuple[PagerDutySandbox, Served, str],
) -> Iterator[tuple[PagerDutySandbox, PagerDutyEvents]]:
    sandbox, served, ca_file = served_pd
    sandbox.reset()
    url = served.url
    events = PagerDutyEvents(KEYS.get, base_url=url, ca_file=ca_file, rate_limit_sleep=0.05)
    yield sandbox, events
    events.close()


def test_dedup_lifecycle(pd: tuple[PagerDutySandbox, PagerDutyEvents]) -> None:
    sandbox, events = pd
    trigger = build_trigger(make_page())
    assert events.trigger(ENV, trigger) == "zendesk:123"
    assert events.trigger(ENV, trigger) == "zendesk:123"
    [incident] = sandbox.incidents_for("zendesk:123")
    assert incident.status == "triggered" and len(incident.log) == 2

    events.acknowledge(ENV, "zendesk:123")
    assert incident.status == "acknowledged"
    events.resolve(ENV, "zendesk:123")
    assert incident.status == "resolved"

    events.acknowledge(ENV, "zendesk:123")  # nothing open: PagerDuty drops it
    assert len(sandbox.dropped) == 1 and incident.status == "resolved"

    events.trigger(ENV, trigger)
    first, second = sandbox.incidents_for("zendesk:123")
    assert (first.status, second.status) == ("resolved", "triggered")


def test_ssl_cert_file_is_honoured(
    served_pd: tuple[PagerDutySandbox, Served, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, served, ca_file = served_pd
    sandbox.reset()
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    events = PagerDutyEvents(KEYS.get, base_url=served.url)
    assert events.resolve(ENV, "zendesk:404") == "zendesk:404"
    events.close()


def test_400_is_permanent_with_the_api_errors(pd: tuple[PagerDutySandbox, PagerDutyEvents]) -> None:
    _, events = pd
    with pytest.raises(PermanentError) as caught:
        events.trigger("PD_SHORT", build_trigger(make_page()))
    assert caught.value.status == 400
    assert "Length of 'routing_key' is incorrect (should be 32 characters)" in str(caught.value)
    assert not isinstance(caught.value, RetryableError | AuthError)


def test_429_is_retryable_after_one_quick_retry(
    pd: tuple[PagerDutySandbox, PagerDutyEvents],
) -> None:
    sandbox, events = pd
    sandbox.faults.inject("enqueue", Fault(status=429), times=5)
    with pytest.raises(RetryableError) as caught:
        events.acknowledge(ENV, "zendesk:123")
    assert caught.value.status == 429 and caught.value.retry_after == 60.0
    assert sandbox.calls["enqueue"] == 2  # never the client's unlimited 429 loop


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retryable_without_client_retries(
    pd: tuple[PagerDutySandbox, PagerDutyEvents], status: int
) -> None:
    sandbox, events = pd
    sandbox.faults.inject("enqueue", Fault(status=status), times=10)
    with pytest.raises(RetryableError) as caught:
        events.resolve(ENV, "zendesk:123")
    assert caught.value.status == status
    assert sandbox.calls["enqueue"] == 1


def test_401_names_the_routing_key_variable(pd: tuple[PagerDutySandbox, PagerDutyEvents]) -> None:
    sandbox, events = pd
    sandbox.faults.inject("enqueue", Fault(status=401))
    with pytest.raises(AuthError, match=ENV):
        events.resolve(ENV, "zendesk:123")


def test_unset_routing_key_variable_is_an_auth_error() -> None:
    events = PagerDutyEvents(lambda name: None, base_url="https://127.0.0.1:9")
    with pytest.raises(AuthError, match="PD_MISSING is not set"):
        events.trigger("PD_MISSING", build_trigger(make_page()))


def test_unreachable_events_api_is_retryable() -> None:
    events = PagerDutyEvents(KEYS.get, base_url="https://127.0.0.1:9")
    with pytest.raises(RetryableError, match="unreachable"):
        events.resolve(ENV, "zendesk:123")
    events.close()


def test_http_base_url_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="https"):
        PagerDutyEvents(KEYS.get, base_url="http://127.0.0.1:9")


LONG_MULTIBYTE = "障害が発生しました🔥" * 40_000


def test_a_long_multibyte_ticket_stays_well_under_the_512_kb_limit(
    pd: tuple[PagerDutySandbox, PagerDutyEvents],
) -> None:
    """Issue 12, mismatch 5: such a ticket once made a 729 KB body, refused by PagerDuty."""
    page = make_page(
        ticket=make_ticket(subject=LONG_MULTIBYTE, customer_name=LONG_MULTIBYTE)
    ).model_copy(
        update={"reason": LONG_MULTIBYTE, "inputs": {f"k{i}": LONG_MULTIBYTE for i in range(200)}}
    )
    event = build_trigger(page)
    assert event_bytes(event) <= EVENT_BYTES_BUDGET < EVENT_BYTES_MAX
    details = event["payload"]["custom_details"]
    assert len(details["ticket"]["subject"]) <= DETAIL_STRING_MAX
    assert pd[1].trigger(ENV, event) == page.dedup_key


def test_trigger_says_when_and_links_back_to_the_bridge() -> None:
    event = build_trigger(
        make_page(), timestamp=NOW, client_url="https://bridge.example.com/tickets/zendesk/123"
    )
    assert event["payload"]["timestamp"] == "2026-03-02T09:00:00+00:00"
    assert event["client_url"] == "https://bridge.example.com/tickets/zendesk/123"
    assert "client_url" not in build_trigger(make_page())
