"""The worker killed with SIGKILL at random points during delivery, again and again: every
action's effect must still be present exactly once (issue: nothing lost, nothing sent twice)."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select

from bridge.store import db, outbox
from bridge.store.tables import inbox
from sandbox.scenario import ShiftableClock
from sandbox.world import SandboxWorld
from tests.e2e.effects import assert_exactly_once
from tests.support.store import store_inbound

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("BRIDGE_CRASH_KILLS", "20"))
TICKETS_PER_ROUND = int(os.environ.get("BRIDGE_CRASH_TICKETS", "2"))


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def pending(engine: Engine) -> int:
    with engine.connect() as connection:
        waiting = connection.execute(
            select(func.count()).select_from(inbox).where(inbox.c.processed_at.is_(None))
        ).scalar_one()
        return int(waiting) + outbox.depth(connection)[0]


def delivered(engine: Engine) -> int:
    with engine.connect() as connection:
        return len(outbox.listing(connection, outbox.DONE, limit=100_000))


def test_worker_killed_mid_delivery_leaves_every_effect_exactly_once(
    live_world: tuple[SandboxWorld, ShiftableClock], database_url: str, tmp_path: Path
) -> None:
    world, clock = live_world
    services = (
        world.zendesk,
        world.freshdesk,
        world.intercom,
        world.helpscout,
        world.salesforce,
        world.slack,
        world.pagerduty,
    )
    world.helpscout.per_minute = 100_000  # as the other stand-ins: no plan limit here
    for service in (*services, world.teams):
        service.latency = 0.02  # slow enough that kills land in the middle of sending
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    env = {
        **os.environ,
        **world.environment(),
        "DATABASE_URL": database_url,
        "BRIDGE_WORKER_ID": "crash-test-worker",
        "BRIDGE_LOG_FORMAT": "json",
        "BRIDGE_SWEEP_SECONDS": "1",
        # The sandbox has no plan limit; the bridge's own budget would only slow the test.
        "ZENDESK_RATE_LIMIT": "100000",
        "HELPSCOUT_RATE_LIMIT": "100000",
        "PYTHONPATH": str(ROOT),
    }
    log = (tmp_path / "worker.log").open("w")
    rng = random.Random(20261127)

    zygote = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.zygote"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        cwd=ROOT,
        text=True,
    )
    assert zygote.stdin is not None and zygote.stdout is not None

    def start() -> int:
        zygote.stdin.write("start\n")
        zygote.stdin.flush()
        return int(zygote.stdout.readline())

    def stop(pid: int, sig: signal.Signals) -> None:
        os.kill(pid, sig)
        zygote.stdin.write(f"wait {pid}\n")
        zygote.stdin.flush()
        zygote.stdout.readline()

    def add_tickets(round_number: int) -> None:
        for n in range(TICKETS_PER_ROUND):
            # Zendesk tickets, Intercom conversations (flagged: urgent in the sandbox world),
            # Help Scout conversations (tagged priority-urgent) and Salesforce Cases (Critical),
            # in turn.
            source = ("zendesk", "intercom", "helpscout", "salesforce")[
                (round_number * TICKETS_PER_ROUND + n) % 4
            ]
            title = f"Outage {round_number}.{n}"
            with clock.ago(minutes=20):
                if source == "intercom":
                    ticket = world.intercom.create_conversation(title, priority=True)
                elif source == "helpscout":
                    ticket = world.helpscout.create_conversation(
                        title, title, tags=["priority-urgent"]
                    )
                elif source == "salesforce":
                    ticket = world.salesforce.create_case(title, priority="Critical")
                else:
                    ticket = str(world.zendesk.create_ticket(title, priority="urgent"))
            store_inbound(
                engine,
                source=source,
                dedup_key=f"round{round_number}:{ticket}",
                kind="ticket.changed",
                ticket_id=ticket,
                body=f'{{"ticket_id": "{ticket}"}}'.encode(),
                received_at=clock(),
            )

    kills_mid_delivery = 0
    started: list[int] = []
    try:
        for round_number in range(KILLS):
            add_tickets(round_number)
            before = delivered(engine)
            worker = start()
            started.append(worker)
            # Kill once it is delivering, at a random moment within the next few sends.
            assert wait_until(lambda n=before: delivered(engine) > n, timeout=30), "never sent"
            time.sleep(rng.uniform(0.0, 0.3))
            stop(worker, signal.SIGKILL)
            kills_mid_delivery += pending(engine) > 0
        final = start()
        started.append(final)
        assert wait_until(lambda: pending(engine) == 0, timeout=300), "work left undone"
        stop(final, signal.SIGTERM)
    finally:
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        zygote.stdin.close()
        zygote.wait(timeout=30)
        zygote.stdout.close()
        log.close()

    counted = assert_exactly_once(engine, world, teams_repeats=KILLS)
    assert counted["chat.post"] >= KILLS * TICKETS_PER_ROUND
    assert counted["desk.note"] >= KILLS * TICKETS_PER_ROUND
    # Most kills must have interrupted work in progress, or the test proves little.
    assert kills_mid_delivery >= KILLS // 2, kills_mid_delivery
    engine.dispose()
