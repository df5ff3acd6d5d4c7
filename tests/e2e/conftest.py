"""End-to-end harness: the bridge served over HTTP on loopback, the four sandboxes beside it,
one frozen clock for all, and the worker's jobs run step by step."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import BaseWSGIServer, make_server

from bridge import create_app
from bridge.config import Settings
from bridge.runtime import runtime
from bridge.store.tables import UTCDateTime
from bridge.store.tables import outbox as outbox_table
from bridge.worker.jobs import Jobs, build_jobs
from sandbox.scenario import ShiftableClock
from sandbox.world import SandboxWorld
from tests.support.drivers import (
    Desk,
    FreshdeskDriver,
    HelpScoutDriver,
    IntercomDriver,
    SalesforceDriver,
    TravelClock,
    ZendeskDriver,
)

MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def shared_clock() -> TravelClock:
    return TravelClock(MONDAY_9AM)


@pytest.fixture(scope="session")
def world(
    shared_clock: TravelClock, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SandboxWorld]:
    world = SandboxWorld.start(clock=shared_clock, directory=tmp_path_factory.mktemp("tls"))
    yield world
    world.stop()


@dataclass
class Bridge:
    app: Flask
    url: str
    jobs: Jobs
    clock: TravelClock
    world: SandboxWorld

    def run(self, rounds: int = 3, patience: timedelta = timedelta(seconds=90)) -> None:
        """What the worker does on its ticks: inbox, timers, delivery, until quiet. Retries a
        few seconds away (Slack's pace of one post per second per channel) are waited for by
        moving the clock, up to ``patience`` in all."""
        waited = timedelta(0)
        for _ in range(rounds):
            handled = self.jobs.process_inbox() + self.jobs.sweep()
            delivered = self.jobs.deliver()
            while (soon := self.next_retry()) is not None and waited + soon <= patience:
                self.clock.advance(seconds=soon.total_seconds())
                waited += soon
                delivered += self.jobs.deliver()
            if not handled and not delivered:
                return

    def next_retry(self) -> timedelta | None:
        """How long until the next waiting action comes due, if one waits."""
        engine = runtime(self.app).db
        now = self.clock()
        with engine.connect() as connection:
            due = connection.execute(
                select(func.min(outbox_table.c.next_attempt_at, type_=UTCDateTime())).where(
                    outbox_table.c.status == "pending", outbox_table.c.next_attempt_at > now
                )
            ).scalar_one()
        return due - now if due is not None else None


@pytest.fixture
def bridge_env() -> dict[str, str]:
    """Settings a test module adds to the sandboxes' (e.g. its own ``BRIDGE_POLICY``)."""
    return {}


@pytest.fixture
def bridge(
    world: SandboxWorld,
    shared_clock: TravelClock,
    database_url: str,
    tmp_path: Path,
    bridge_env: dict[str, str],
) -> Iterator[Bridge]:
    environment = {**world.environment(), **bridge_env}
    with served_bridge(world, shared_clock, environment, database_url) as served:
        yield served


@contextmanager
def served_bridge(
    world: SandboxWorld, shared_clock: TravelClock, environment: dict[str, str], database_url: str
) -> Iterator[Bridge]:
    """A bridge with ``environment`` (e.g. the world's, with Opsgenie's added) on loopback."""
    shared_clock.now = MONDAY_9AM
    services = (world.zendesk, world.freshdesk, world.slack, world.pagerduty, world.teams)
    world.intercom.reset()
    world.helpscout.reset()
    world.salesforce.reset()
    for service in (*services, world.statuspage, world.opsgenie, world.clickup):
        service.reset()
    settings = Settings.from_env({**environment, "DATABASE_URL": database_url})
    app = create_app({"TESTING": True, "BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": shared_clock})
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    world.slack.bridge_actions_url = f"{url}/slack/actions"
    world.pagerduty.webhook_url = f"{url}/webhooks/pagerduty"
    world.opsgenie.webhook_url = f"{url}/webhooks/opsgenie"
    world.clickup.webhook_url = f"{url}/webhooks/clickup"
    jobs = build_jobs(runtime(app), "test-worker")
    yield Bridge(app=app, url=url, jobs=jobs, clock=shared_clock, world=world)
    jobs.close()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    app.extensions["bridge"].db.dispose()


DRIVERS: dict[str, Callable[[SandboxWorld], Desk]] = {
    "zendesk": ZendeskDriver,
    "freshdesk": FreshdeskDriver,
    "intercom": IntercomDriver,
    "helpscout": HelpScoutDriver,
    "salesforce": SalesforceDriver,
}


@pytest.fixture(params=sorted(DRIVERS))
def desk(request: pytest.FixtureRequest, bridge: Bridge) -> Desk:
    return DRIVERS[request.param](bridge.world)


@pytest.fixture
def live_world(tmp_path: Path) -> Iterator[tuple[SandboxWorld, ShiftableClock]]:
    """The sandboxes on real time, for tests that run real workers."""
    clock = ShiftableClock()
    world = SandboxWorld.start(clock=clock, directory=tmp_path)
    yield world, clock
    world.stop()
