"""``GET /metrics``: Prometheus exposition, computed from the database at scrape time.

Counts come from the tables rather than from in-process counters, so every gunicorn worker
answers the same. An answer is reused for ``CACHE_SECONDS``: several scrapers (or someone
reloading it) cost one set of queries. It exposes counts and ages only, never ticket content; it
is open unless ``BRIDGE_METRICS_TOKEN`` (a bearer token, throttled like the admin token) or
``BRIDGE_METRICS_ALLOW`` (client networks) restrict it. Each app has its own registry, not the
process-global one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from ipaddress import ip_address, ip_network
from typing import cast

from flask import Blueprint, Flask, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from bridge.runtime import runtime
from bridge.store import db, outbox, stats
from bridge.web.throttle import check_secret

REGISTRY_KEY = "bridge.prometheus"
CACHE_KEY = "bridge.prometheus.cache"
CACHE_SECONDS = 5
CACHE = timedelta(seconds=CACHE_SECONDS)

blueprint = Blueprint("prometheus", __name__)


class BridgeCollector(Collector):
    def __init__(self, db: Engine, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def describe(self) -> Iterable[Metric]:
        # Without it the registry collects once at start to learn the names, and the app would
        # not start while the database is down.
        return []

    def collect(self) -> Iterable[Metric]:
        now = self.clock()
        with db.reading(self.db) as connection:
            found = stats.read(connection, now)
        yield _family(
            CounterMetricFamily,
            "bridge_inbound_events",
            "Inbound events stored (webhooks and sync) by source and processing result.",
            ["source", "result"],
            [((s, r), n) for s, r, n in found.inbound],
        )
        yield _family(
            CounterMetricFamily,
            "bridge_decisions",
            "Policy decisions recorded in the audit log, by rule.",
            ["rule"],
            [((rule,), n) for rule, n in found.decisions],
        )
        yield _family(
            GaugeMetricFamily,
            "bridge_deliveries",
            "Outbox actions by provider and status (pending, done, dead).",
            ["provider", "status"],
            [((p, s), n) for p, s, n in found.deliveries],
        )
        dead = sum(n for _p, s, n in found.deliveries if s == outbox.DEAD)
        yield GaugeMetricFamily("bridge_outbox_depth", "Outbox actions waiting.", value=found.depth)
        yield GaugeMetricFamily(
            "bridge_outbox_oldest_age_seconds",
            "Age of the oldest waiting outbox action (0 when none waits).",
            value=(now - found.oldest).total_seconds() if found.oldest else 0.0,
        )
        yield GaugeMetricFamily("bridge_dead_letters", "Dead-lettered outbox actions.", value=dead)
        yield _family(
            GaugeMetricFamily,
            "bridge_sync_lag_seconds",
            "Seconds since each help desk's sync cursor last moved.",
            ["desk"],
            [((desk,), (now - at).total_seconds()) for desk, at in found.cursors],
        )
        overdue = found.overdue
        yield GaugeMetricFamily(
            "bridge_scheduler_lag_seconds",
            "How late the most overdue ticket check is (0 when nothing is due).",
            value=max(0.0, (now - overdue).total_seconds()) if overdue else 0.0,
        )
        if found.budgets:
            yield _family(
                GaugeMetricFamily,
                "bridge_helpdesk_api_budget_remaining",
                "Help-desk API requests left in the current budget window (as the worker last "
                "published it).",
                ["desk"],
                [((desk,), value) for desk, value in found.budgets.items()],
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


class Cached:
    """The last exposition and when it was made; one request renders while others wait."""

    def __init__(self, render: Callable[[], bytes], clock: Callable[[], datetime]) -> None:
        self.render = render
        self.clock = clock
        self.lock = threading.Lock()
        self.body = b""
        self.made: datetime | None = None

    def get(self) -> bytes:
        with self.lock:
            now = self.clock()
            fresh = self.made is not None and self.made <= now < self.made + CACHE
            if not fresh:
                self.body, self.made = self.render(), now
            return self.body


def install(app: Flask) -> CollectorRegistry:
    """Give the app its registry and collector; ``webhook_rejections`` is the one live counter."""
    state = runtime(app)
    registry = CollectorRegistry(auto_describe=True)
    registry.register(BridgeCollector(state.db, state.clock))
    rejections = Counter(
        "bridge_webhook_rejections",
        "Inbound requests refused (this process only), by source and HTTP status.",
        ["source", "status"],
        registry=registry,
    )
    app.extensions[REGISTRY_KEY] = (registry, rejections)
    app.extensions[CACHE_KEY] = Cached(lambda: generate_latest(registry), state.clock)
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
    refusal = _refusal()
    if refusal is not None:
        return refusal
    cached: Cached = current_app.extensions[CACHE_KEY]
    return Response(cached.get(), content_type=CONTENT_TYPE_LATEST)


def _refusal() -> Response | None:
    settings = runtime().settings
    if settings.metrics_allow and not _allowed(request.remote_addr, settings.metrics_allow):
        return Response("/metrics is not served to this address\n", 403, mimetype="text/plain")
    if settings.metrics_token is None:
        return None
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and check_secret(
        given.strip(), settings.metrics_token.get_secret_value()
    ):
        return None
    refused = Response("/metrics needs its bearer token\n", 401, mimetype="text/plain")
    refused.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
    return refused


def _allowed(address: str | None, networks: tuple[str, ...]) -> bool:
    try:
        parsed = ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    parsed = getattr(parsed, "ipv4_mapped", None) or parsed
    return any(parsed in ip_network(network, strict=False) for network in networks)
