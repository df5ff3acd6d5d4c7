"""``GET /metrics``: Prometheus exposition, computed from the database at scrape time.

Counts come from the tables rather than from in-process counters, so every gunicorn worker
answers the same. The endpoint is open (scrapers rarely log in) and exposes counts and ages only,
never ticket content. Each app has its own registry, not the process-global one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import cast

from flask import Blueprint, Flask, Response, current_app
from flask.blueprints import BlueprintSetupState
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import Engine, case, func, select

from bridge import outbox as outbox_queue
from bridge.context import bridge_context
from bridge.schema import UTCDateTime, audit_log, inbox, outbox, sync_cursors, tickets

REGISTRY_KEY = "bridge.prometheus"
# A callable returning the remaining help-desk API budget per desk, e.g. {"zendesk": 180}; the
# app reads what the worker last published.
API_BUDGET_KEY = "bridge.api_budget"

blueprint = Blueprint("prometheus", __name__)

ApiBudget = Callable[[], Mapping[str, float]]


class BridgeCollector(Collector):
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime], budget: Callable[[], ApiBudget | None]
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.budget = budget

    def collect(self) -> Iterable[Metric]:
        now = self.clock()
        with self.engine.connect() as connection:
            inbound = connection.execute(
                select(
                    inbox.c.source,
                    case(
                        (inbox.c.processed_at.is_(None), "pending"),
                        (inbox.c.error.is_not(None), "failed"),
                        else_="processed",
                    ).label("result"),
                    func.count(),
                ).group_by("source", "result")
            ).all()
            decisions = connection.execute(
                select(audit_log.c.rule, func.count())
                .where(audit_log.c.kind == "decision")
                .group_by(audit_log.c.rule)
            ).all()
            deliveries = connection.execute(
                select(outbox.c.provider, outbox.c.status, func.count()).group_by(
                    outbox.c.provider, outbox.c.status
                )
            ).all()
            depth, oldest = outbox_queue.depth(connection)
            cursors = connection.execute(select(sync_cursors.c.desk, sync_cursors.c.updated_at))
            cursor_ages = [(desk, (now - at).total_seconds()) for desk, at in cursors]
            overdue = connection.execute(
                select(func.min(tickets.c.next_check_at, type_=UTCDateTime())).where(
                    tickets.c.next_check_at <= now
                )
            ).scalar()
        yield _family(
            CounterMetricFamily,
            "bridge_inbound_events",
            "Inbound events stored (webhooks and sync) by source and processing result.",
            ["source", "result"],
            [((s, r), n) for s, r, n in inbound],
        )
        yield _family(
            CounterMetricFamily,
            "bridge_decisions",
            "Policy decisions recorded in the audit log, by rule.",
            ["rule"],
            [((rule or "",), n) for rule, n in decisions],
        )
        yield _family(
            GaugeMetricFamily,
            "bridge_deliveries",
            "Outbox actions by provider and status (pending, done, dead).",
            ["provider", "status"],
            [((p, s), n) for p, s, n in deliveries],
        )
        dead = sum(n for _p, s, n in deliveries if s == outbox_queue.DEAD)
        yield GaugeMetricFamily("bridge_outbox_depth", "Outbox actions waiting.", value=depth)
        yield GaugeMetricFamily(
            "bridge_outbox_oldest_age_seconds",
            "Age of the oldest waiting outbox action (0 when none waits).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        yield GaugeMetricFamily("bridge_dead_letters", "Dead-lettered outbox actions.", value=dead)
        yield _family(
            GaugeMetricFamily,
            "bridge_sync_lag_seconds",
            "Seconds since each help desk's sync cursor last moved.",
            ["desk"],
            [((desk,), age) for desk, age in cursor_ages],
        )
        yield GaugeMetricFamily(
            "bridge_scheduler_lag_seconds",
            "How late the most overdue ticket check is (0 when nothing is due).",
            value=max(0.0, (now - overdue).total_seconds()) if overdue else 0.0,
        )
        budget = self.budget()
        remaining = budget() if budget is not None else {}
        if remaining:
            yield _family(
                GaugeMetricFamily,
                "bridge_helpdesk_api_budget_remaining",
                "Help-desk API requests left in the current budget window (as the worker last "
                "published it).",
                ["desk"],
                [((desk,), value) for desk, value in remaining.items()],
            )


def _family(
    kind: type[CounterMetricFamily] | type[GaugeMetricFamily],
    name: str,
    documentation: str,
    labels: list[str],
    samples: list[tuple[tuple[str, ...], float]],
) -> Metric:
    family = kind(name, documentation, labels=labels)
    for values, value in samples:
        family.add_metric(list(values), float(value))
    return family


def install(app: Flask) -> CollectorRegistry:
    """Give the app its registry and collector; ``webhook_rejections`` is the one live counter."""
    context = bridge_context(app)
    registry = CollectorRegistry(auto_describe=True)
    registry.register(
        BridgeCollector(
            context.storage.engine, context.clock, lambda: app.extensions.get(API_BUDGET_KEY)
        )
    )
    rejections = Counter(
        "bridge_webhook_rejections",
        "Inbound requests refused (this process only), by source and HTTP status.",
        ["source", "status"],
        registry=registry,
    )
    app.extensions[REGISTRY_KEY] = (registry, rejections)
    return registry


def record_rejection(source: str, status: int) -> None:
    """Count a refused webhook (called from the webhook views; no row is stored for it)."""
    _registry, rejections = current_app.extensions[REGISTRY_KEY]
    rejections.labels(source=source, status=str(status)).inc()


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    install(cast(Flask, state.app))


@blueprint.get("/metrics")
def metrics() -> Response:
    registry, _rejections = current_app.extensions[REGISTRY_KEY]
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
