"""Nothing lost, nothing sent twice: duplicate and reordered webhooks, outages of Slack,
PagerDuty and the help desk, and two workers on one database."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from bridge import create_app
from bridge.config import Settings
from bridge.runtime import runtime
from bridge.store import outbox, tickets
from bridge.worker.scheduler import build_worker
from sandbox.common import Fault
from sandbox.scenario import ShiftableClock
from sandbox.world import ZENDESK_WEBHOOK_SECRET, SandboxWorld
from tests.e2e.conftest import Bridge
from tests.e2e.effects import assert_exactly_once, desk_markers, slack_keys
from tests.e2e.test_triggers import (
    angry,
    critical_two_hours,
    critical_unanswered,
    manager,
    tier_of,
    vip,
)
from tests.support.drivers import Desk
from tests.support.store import store_inbound, unprocessed


def effects(bridge: Bridge) -> tuple[int, int, int]:
    world = bridge.world
    return (
        sum(slack_keys(world).values()),
        sum(desk_markers(world).values()),
        len(world.pagerduty.incidents),
    )


def test_every_webhook_twice_and_out_of_order(bridge: Bridge, desk: Desk) -> None:
    tickets = [
        setup(bridge, desk)
        for setup in (critical_unanswered, critical_two_hours, vip, manager, angry)
    ]
    deliveries = tickets * 2
    random.Random(7).shuffle(deliveries)
    for ticket in deliveries:
        assert desk.notify(bridge.url, ticket) == 202
    if desk.name == "zendesk":
        # The same change announced again by an event subscription: another body, another
        # dedup key, so it reaches the engine a second time.
        for ticket in reversed(tickets):
            envelope = {
                "type": "zen:event-type:ticket.status_changed",
                "id": f"evt-{ticket}",
                "detail": {"id": ticket},
                "event": {},
            }
            bridge.world.zendesk.deliver_webhook(
                f"{bridge.url}/webhooks/zendesk", envelope, ZENDESK_WEBHOOK_SECRET
            )
    bridge.run()
    counted = assert_exactly_once(runtime(bridge.app).db, bridge.world)
    assert counted["chat.post"] >= len(tickets) and counted["page.trigger"] == 1

    # The safety-net sync lists every ticket again: still nothing new outside.
    before = effects(bridge)
    assert bridge.jobs.sync() >= len(tickets)
    bridge.run()
    assert effects(bridge) == before


def advance_until(bridge: Bridge, done: Callable[[], bool], rounds: int = 20) -> None:
    """Let time pass (the bridge's clock, and a little real time for client-side pacing)."""
    for _ in range(rounds):
        bridge.run()
        if done():
            return
        bridge.clock.advance(minutes=2)
        time.sleep(0.3)
    bridge.run()


def unfinished(bridge: Bridge) -> list[dict[str, object]]:
    with runtime(bridge.app).db.connect() as connection:
        return [r for r in outbox.listing(connection, limit=10_000) if r["status"] != outbox.DONE]


def test_slack_429_and_pagerduty_5xx_are_delivered_after_recovery(
    bridge: Bridge, desk: Desk
) -> None:
    world = bridge.world
    world.slack.rate_limit("chat.postMessage", retry_after=1, times=4)
    world.pagerduty.faults.inject("enqueue", Fault(status=503), times=3)
    ticket = critical_two_hours(bridge, desk)
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run(rounds=1, patience=timedelta(0))
    retrying = unfinished(bridge)
    assert {r["provider"] for r in retrying} >= {"slack", "pagerduty"}
    assert all(r["status"] == outbox.PENDING for r in retrying)

    advance_until(bridge, lambda: not unfinished(bridge))
    assert not unfinished(bridge)
    assert_exactly_once(runtime(bridge.app).db, world)
    assert len(world.pagerduty.incidents_for(f"{desk.name}:{ticket}")) == 1


def test_help_desk_429_sync_backs_off_and_catches_up(bridge: Bridge, desk: Desk) -> None:
    tickets = [critical_unanswered(bridge, desk) for _ in range(3)]  # no webhooks at all
    desk.sandbox.faults.inject(desk.list_endpoint, Fault(status=429, retry_after=30))
    assert bridge.jobs.sync() == 0  # refused: nothing lost, the cursor did not move
    bridge.clock.advance(minutes=1)  # the next sync interval (and Zendesk's export budget)
    desk.sandbox.faults.inject("tickets.show", Fault(status=429, retry_after=30), times=2)
    assert bridge.jobs.sync() == 3  # queued; reading the tickets now meets 429s
    assert any(tier_of_or_none(bridge, desk, t) is None for t in tickets)  # paused, not lost
    advance_until(bridge, lambda: all(tier_of_or_none(bridge, desk, t) for t in tickets))
    assert all(tier_of(bridge, desk, t).name == "L2" for t in tickets)
    assert_exactly_once(runtime(bridge.app).db, bridge.world)


def tier_of_or_none(bridge: Bridge, desk: Desk, ticket: str) -> object:
    with runtime(bridge.app).db.connect() as connection:
        state = tickets.load_state(connection, desk.name, ticket)
    return state.tier if state and state.fired else None


def test_two_workers_on_one_database_send_nothing_twice(
    live_world: tuple[SandboxWorld, ShiftableClock], database_url: str
) -> None:
    """Real schedulers on real time: one leader runs the jobs, the other stands by."""
    world, clock = live_world
    settings = Settings.from_env({**world.environment(), "DATABASE_URL": database_url})
    app = create_app({"TESTING": True, "BRIDGE_SETTINGS": settings})
    (first, _), (second, _) = build_worker(app), build_worker(app)
    first.start()
    second.start()
    engine = runtime(app).db
    try:
        for n in range(4):
            with clock.ago(minutes=20):
                ticket = str(world.zendesk.create_ticket(f"Outage {n}", priority="urgent"))
            store_inbound(
                engine,
                source="zendesk",
                dedup_key=f"two-workers:{ticket}",
                kind="ticket.changed",
                ticket_id=ticket,
                body=f'{{"ticket_id": "{ticket}"}}'.encode(),
                received_at=clock(),
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
            unprocessed(engine) or pending_rows(app) or not done_rows(app)
        ):
            time.sleep(0.2)
        leaders = [first.is_leader, second.is_leader]
    finally:
        first.stop()
        second.stop()
    assert sorted(leaders) == [False, True]
    rows = done_rows(app)
    assert rows and not pending_rows(app)
    assert len({r["claimed_by"] for r in rows}) == 1
    assert_exactly_once(engine, world)
    engine.dispose()


def pending_rows(app: Flask) -> list[dict[str, object]]:
    with runtime(app).db.connect() as connection:
        return outbox.listing(connection, outbox.PENDING, limit=10_000)


def done_rows(app: Flask) -> list[dict[str, object]]:
    with runtime(app).db.connect() as connection:
        return outbox.listing(connection, outbox.DONE, limit=10_000)
