"""Fail-over on PostgreSQL: how long the standby worker takes to lead once the leader dies.

    scripts/with-postgres .venv/bin/python benchmarks/bench_failover.py [--rounds 3]

Starts the sandbox world, gunicorn with three web processes and two `bridge worker` processes
on one PostgreSQL (BRIDGE_TEST_DATABASE_URL, as scripts/with-postgres exports it). Each round
sends signed webhooks (every one twice), waits until the leader delivers, kills it with SIGKILL,
sends more webhooks, and measures the time until the standby holds the lease and until all
work is done; then starts a new standby for the next round. At the end every effect must exist
exactly once. The final line is JSON: hand-over seconds per round, time to drain, duplicates.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bridge.store import db  # noqa: E402
from bridge.worker.scheduler import LEASE_TTL, RENEW_EVERY  # noqa: E402
from sandbox.scenario import ShiftableClock  # noqa: E402
from sandbox.world import SandboxWorld  # noqa: E402
from tests.e2e.effects import assert_exactly_once  # noqa: E402
from tests.e2e.test_scale_out import send_webhooks  # noqa: E402
from tests.support.cluster import Cluster, cluster_environment, wait_until  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    database_url = os.environ.get("BRIDGE_TEST_DATABASE_URL", "")
    if not database_url.startswith("postgresql"):
        raise SystemExit("run under scripts/with-postgres (needs BRIDGE_TEST_DATABASE_URL)")
    clock = ShiftableClock()
    folder = Path(tempfile.mkdtemp(prefix="bench-failover-"))
    world = SandboxWorld.start(clock=clock, directory=folder)
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    handovers: list[float] = []
    drains: list[float] = []
    with (folder / "cluster.log").open("w") as log:
        cluster = Cluster(cluster_environment(world.environment(), database_url), engine, log)
        try:
            cluster.start_web(processes=3)
            names = iter(f"worker-{n}" for n in range(args.rounds + 2))
            cluster.start_worker(next(names))
            cluster.start_worker(next(names))
            wait_until(lambda: cluster.leader() is not None, timeout=60)
            for round_number in range(args.rounds):
                send_webhooks(world, clock, cluster.url, f"r{round_number}")
                wait_until(lambda: cluster.delivered() > 0, timeout=60)
                leader = cluster.leader()
                assert leader is not None
                cluster.kill_worker(leader)
                killed = time.monotonic()
                send_webhooks(world, clock, cluster.url, f"r{round_number}-after")
                wait_until(lambda old=leader: cluster.leader() not in (None, old), timeout=90)
                handovers.append(round(time.monotonic() - killed, 2))
                wait_until(lambda: cluster.waiting() == 0, timeout=180)
                drains.append(round(time.monotonic() - killed, 2))
                print(f"round {round_number}: {handovers[-1]} s", file=sys.stderr)
                cluster.start_worker(next(names))  # a new standby
        finally:
            cluster.stop()
            world.stop()
    counted = assert_exactly_once(engine, world)
    engine.dispose()
    print(
        json.dumps(
            {
                "web_processes": 3,
                "workers": 2,
                "lease_ttl_seconds": LEASE_TTL.total_seconds(),
                "renew_every_seconds": RENEW_EVERY.total_seconds(),
                "handover_seconds": handovers,
                "handover_max_seconds": max(handovers),
                "drained_after_kill_seconds": drains,
                "effects": counted,
                "duplicates": 0,  # assert_exactly_once raised otherwise
                "cores": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
