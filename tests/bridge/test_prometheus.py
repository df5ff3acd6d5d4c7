"""``GET /metrics``: counts from the database, its own registry, no ticket content."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bridge import outbox
from bridge.metrics.sample import Rows, decision_row, insert, ticket_row
from bridge.prometheus import API_BUDGET_KEY, record_rejection
from tests.conftest import FrozenClock


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
    context = app.extensions["bridge"]
    storage = context.storage
    storage.store_inbound(
        source="zendesk", dedup_key="a", kind="webhook", ticket_id="1", body=b"{}", received_at=now
    )
    storage.store_inbound(
        source="zendesk", dedup_key="b", kind="webhook", ticket_id="1", body=b"{}", received_at=now
    )
    storage.finish_inbound(1, now)
    storage.set_cursor("zendesk", "c1", now - timedelta(seconds=90))
    rows = Rows()
    rows.tickets.append(
        ticket_row("secret-subject", now, next_check_at=now - timedelta(seconds=12))
    )
    rows.decisions += [
        decision_row("1", now, "escalate", "matrix"),
        decision_row("1", now, "internal_note", "matrix"),
        decision_row("2", now, "warn", "warn_75_percent", "L1"),
    ]
    with storage.engine.begin() as connection:
        insert(connection, rows)
        outbox.enqueue(
            connection,
            [
                outbox.NewAction("k1", "zendesk", "1", "slack", "post", {}),
                outbox.NewAction("k2", "zendesk", "1", "pagerduty", "page", {}),
            ],
            now - timedelta(seconds=30),
        )
        outbox.mark_dead(connection, 2, "gone", now)
    app.extensions[API_BUDGET_KEY] = lambda: {"zendesk": 180}
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
    with app.extensions["bridge"].storage.engine.begin() as connection:
        insert(connection, rows)
    text = app.test_client().get("/metrics").text
    assert "acme" not in text.lower() and "Ticket 7" not in text
    assert REGISTRY.get_sample_value("bridge_outbox_depth") is None
    assert app.extensions[API_BUDGET_KEY]() == {}  # no worker has published a budget yet
    assert "bridge_helpdesk_api_budget_remaining" not in text
