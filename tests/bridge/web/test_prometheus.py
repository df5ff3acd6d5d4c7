"""``GET /metrics``: counts from the database, its own registry, no ticket content."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bridge import create_app
from bridge.store import gauges, inbox, outbox
from bridge.web.prometheus import CACHE_SECONDS, record_rejection
from connectors.actions import ChatThread, NewAction, PageResolve
from connectors.base import TicketKey
from tests.conftest import FrozenClock, make_settings
from tests.support.sample import Rows, decision_row, insert, ticket_row
from tests.support.store import db_of, store_inbound


def _samples(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def test_metrics_are_counted_from_the_database(app: Flask, clock: FrozenClock) -> None:
    now = clock.now
    engine = db_of(app)
    for key in ("a", "b"):
        store_inbound(
            engine,
            source="zendesk",
            dedup_key=key,
            kind="webhook",
            ticket_id="1",
            body=b"{}",
            received_at=now,
        )
    with engine.begin() as connection:
        inbox.finish(connection, 1, now)
        inbox.store_sync(connection, "zendesk", [], "c1", now - timedelta(seconds=90))
        gauges.publish(connection, {"api_budget_remaining:zendesk": 180}, now)
    rows = Rows()
    rows.tickets.append(
        ticket_row("secret-subject", now, next_check_at=now - timedelta(seconds=12))
    )
    rows.decisions += [
        decision_row("1", now, "escalate", "matrix"),
        decision_row("1", now, "internal_note", "matrix"),
        decision_row("2", now, "warn", "warn_75_percent", "L1"),
    ]
    ticket = TicketKey("zendesk", "1")
    with engine.begin() as connection:
        insert(connection, rows)
        outbox.enqueue(
            connection,
            [
                NewAction("k1", ticket, "slack", ChatThread(line="hi")),
                NewAction("k2", ticket, "pagerduty", PageResolve(dedup_key="zendesk:1")),
            ],
            now - timedelta(seconds=30),
        )
        outbox.mark_dead(connection, 2, "gone", now)
    with app.test_request_context():
        record_rejection("zendesk", 401)

    samples = _samples(app)

    expected = {
        ("bridge_inbound_events_total", (("result", "processed"), ("source", "zendesk"))): 1,
        ("bridge_inbound_events_total", (("result", "pending"), ("source", "zendesk"))): 1,
        ("bridge_decisions_total", (("rule", "matrix"),)): 2,
        ("bridge_decisions_total", (("rule", "warn_75_percent"),)): 1,
        ("bridge_deliveries", (("provider", "slack"), ("status", "pending"))): 1,
        ("bridge_deliveries", (("provider", "pagerduty"), ("status", "dead"))): 1,
        ("bridge_outbox_depth", ()): 1,
        ("bridge_outbox_oldest_age_seconds", ()): 30,
        ("bridge_dead_letters", ()): 1,
        ("bridge_sync_lag_seconds", (("desk", "zendesk"),)): 90,
        ("bridge_scheduler_lag_seconds", ()): 12,
        ("bridge_helpdesk_api_budget_remaining", (("desk", "zendesk"),)): 180,
        ("bridge_webhook_rejections_total", (("source", "zendesk"), ("status", "401"))): 1,
    }
    for key, value in expected.items():
        assert samples[key] == value, key


def test_no_ticket_content_and_not_the_global_registry(app: Flask, clock: FrozenClock) -> None:
    rows = Rows()
    rows.tickets.append(ticket_row("7", clock.now, organization="acme-private"))
    with app.extensions["bridge"].db.begin() as connection:
        insert(connection, rows)
    text = app.test_client().get("/metrics").text
    assert "acme" not in text.lower() and "Ticket 7" not in text
    assert REGISTRY.get_sample_value("bridge_outbox_depth") is None
    assert "bridge_helpdesk_api_budget_remaining" not in text


# -- cached, restricted -------------------------------------------------------------------------

METRICS_TOKEN = "metrics-token-for-tests-0123456789abcdef"


def _inbound_total(app: Flask) -> float:
    samples = _samples(app)
    return sum(v for (name, _labels), v in samples.items() if name == "bridge_inbound_events_total")


def test_metrics_are_cached_for_a_few_seconds(app: Flask, clock: FrozenClock) -> None:
    engine = db_of(app)
    assert _inbound_total(app) == 0
    store_inbound(
        engine,
        source="zendesk",
        dedup_key="a",
        kind="webhook",
        ticket_id="1",
        body=b"{}",
        received_at=clock(),
    )
    assert _inbound_total(app) == 0  # the answer of a moment ago, no new queries
    clock.advance(seconds=CACHE_SECONDS)
    assert _inbound_total(app) == 1


def _restricted(database_url: str, clock: FrozenClock, **environ: str) -> Flask:
    settings = make_settings(database_url, **environ)
    return create_app({"TESTING": True, "BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": clock})


@pytest.mark.parametrize(
    ("environ", "remote", "headers", "status"),
    [
        ({"BRIDGE_METRICS_TOKEN": METRICS_TOKEN}, "10.1.2.3", {}, 401),
        ({"BRIDGE_METRICS_TOKEN": METRICS_TOKEN}, "10.1.2.3", {"Authorization": "Bearer x"}, 401),
        (
            {"BRIDGE_METRICS_TOKEN": METRICS_TOKEN},
            "10.1.2.3",
            {"Authorization": f"Bearer {METRICS_TOKEN}"},
            200,
        ),
        ({"BRIDGE_METRICS_ALLOW": "10.0.0.0/8, ::1"}, "10.1.2.3", {}, 200),
        ({"BRIDGE_METRICS_ALLOW": "10.0.0.0/8, ::1"}, "::1", {}, 200),
        ({"BRIDGE_METRICS_ALLOW": "10.0.0.0/8"}, "::ffff:10.0.0.1", {}, 200),
        ({"BRIDGE_METRICS_ALLOW": "10.0.0.0/8"}, "203.0.113.9", {}, 403),
        (
            {"BRIDGE_METRICS_ALLOW": "10.0.0.0/8", "BRIDGE_METRICS_TOKEN": METRICS_TOKEN},
            "203.0.113.9",
            {"Authorization": f"Bearer {METRICS_TOKEN}"},
            403,
        ),
    ],
)
def test_metrics_can_be_restricted(
    database_url: str,
    clock: FrozenClock,
    environ: dict[str, str],
    remote: str,
    headers: dict[str, str],
    status: int,
) -> None:
    app = _restricted(database_url, clock, **environ)
    response = app.test_client().get(
        "/metrics", headers=headers, environ_base={"REMOTE_ADDR": remote}
    )
    assert response.status_code == status
    assert (b"bridge_outbox_depth" in response.data) is (status == 200)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    db_of(app).dispose()


def test_metrics_token_guesses_are_throttled(database_url: str, clock: FrozenClock) -> None:
    app = _restricted(database_url, clock, BRIDGE_METRICS_TOKEN=METRICS_TOKEN)
    client = app.test_client()

    def get(token: str) -> int:
        return client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code

    assert [get(f"guess-{n}") for n in range(5)] == [401] * 5
    assert get(METRICS_TOKEN) == 429
    db_of(app).dispose()
