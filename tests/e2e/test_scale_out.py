"""Scale-out on PostgreSQL: three web processes and two workers on one database. Every webhook
is delivered twice, the leading worker is killed with SIGKILL while it delivers, and the standby
takes its jobs over once the lease expires: every effect exactly once, nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bridge.store import db
from sandbox.scenario import ShiftableClock
from sandbox.world import ZENDESK_WEBHOOK_SECRET, SandboxWorld
from tests.e2e.effects import assert_exactly_once
from tests.support.cluster import Cluster, cluster_environment, wait_until

pytestmark = pytest.mark.skipif(
    not os.environ.get("BRIDGE_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="several processes on one database is the PostgreSQL deployment",
)
TICKETS = 6


def send_webhooks(world: SandboxWorld, clock: ShiftableClock, url: str, batch: str) -> None:
    for n in range(TICKETS):
        with clock.ago(minutes=20):  # Critical and 20 minutes old: escalates at once
            ticket = world.zendesk.create_ticket(f"Outage {batch}.{n}", priority="urgent")
        for _ in range(2):  # every webhook twice
            answer = world.zendesk.deliver_webhook(
                f"{url}/webhooks/zendesk", {"ticket_id": str(ticket)}, ZENDESK_WEBHOOK_SECRET
            )
            assert answer.status_code == 202


def test_three_web_two_workers_and_a_killed_leader(
    live_world: tuple[SandboxWorld, ShiftableClock], database_url: str, tmp_path: Path
) -> None:
    world, clock = live_world
    for service in (world.zendesk, world.slack, world.pagerduty):
        service.latency = 0.02  # the kill lands while the leader is sending
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with (tmp_path / "cluster.log").open("w") as log:
        cluster = Cluster(cluster_environment(world.environment(), database_url), engine, log)
        try:
            cluster.start_web(processes=3)
            cluster.start_worker("worker-a")
            cluster.start_worker("worker-b")
            assert wait_until(lambda: cluster.leader() is not None, timeout=60)
            send_webhooks(world, clock, cluster.url, "before")
            assert wait_until(lambda: cluster.delivered() > 0, timeout=60), "nothing delivered"
            leader = cluster.leader()
            assert leader is not None
            standby = "worker-b" if leader == "worker-a" else "worker-a"
            cluster.kill_worker(leader)
            send_webhooks(world, clock, cluster.url, "after")  # arrives while nobody leads
            # Within the lease (20 s) and a renewal (5 s); the figure is bench_failover.py's.
            assert wait_until(lambda: cluster.leader() == standby, timeout=90)
            assert wait_until(lambda: cluster.waiting() == 0, timeout=180), "work left undone"
        finally:
            cluster.stop()
    # One kill: at most one Teams card posted again (README, Microsoft Teams, Delivery).
    counted = assert_exactly_once(engine, world, teams_repeats=1)
    assert counted["chat.post"] >= 2 * TICKETS and counted["desk.note"] >= 2 * TICKETS
    engine.dispose()
