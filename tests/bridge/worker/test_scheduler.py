from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from bridge.config import Settings
from bridge.policy_files import load_policy, load_templates
from bridge.runtime import Runtime, utc_now
from bridge.store import leases
from bridge.worker.jobs import Job
from bridge.worker.scheduler import Worker

POLICY = load_policy()
TEMPLATES = load_templates()


def runtime_of(engine: Engine) -> Runtime:
    return Runtime(
        settings=Settings(), db=engine, clock=utc_now, policy=POLICY, templates=TEMPLATES
    )


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def make_worker(engine: Engine, name: str, runs: list[str], lock: threading.Lock) -> Worker:
    def record() -> None:
        with lock:
            runs.append(name)

    worker = Worker(
        runtime_of(engine),
        holder=name,
        lease_ttl=timedelta(seconds=1),
        renew_every=timedelta(seconds=0.1),
    )
    worker.schedule([Job("record", timedelta(seconds=0.05), record)])
    return worker


def test_two_workers_one_runs_jobs_and_the_other_takes_over(engine: Engine) -> None:
    runs: list[str] = []
    lock = threading.Lock()
    first = make_worker(engine, "first", runs, lock)
    second = make_worker(engine, "second", runs, lock)
    first.start()
    second.start()
    try:
        assert wait_until(lambda: len(runs) >= 10)
        assert first.is_leader and not second.is_leader
        assert set(runs) == {"first"}

        # The leader dies without releasing its lease (no clean shutdown).
        first.scheduler.shutdown(wait=True)
        with lock:
            runs.clear()
        assert wait_until(lambda: "second" in runs)
        assert second.is_leader
        assert set(runs) == {"second"}
    finally:
        second.stop()
    with engine.connect() as connection:
        assert leases.holder(connection, "worker", utc_now()) is None


def test_clean_stop_hands_over_at_once(engine: Engine) -> None:
    runs: list[str] = []
    lock = threading.Lock()
    first = make_worker(engine, "first", runs, lock)
    first.start()
    assert first.is_leader
    first.stop()
    second = make_worker(engine, "second", runs, lock)
    assert second.renew() is True


def test_a_failing_job_does_not_stop_the_worker(engine: Engine) -> None:
    calls: list[int] = []

    def explode() -> None:
        calls.append(1)
        raise RuntimeError("boom")

    worker = Worker(runtime_of(engine), renew_every=timedelta(seconds=0.1))
    worker.schedule([Job("explode", timedelta(seconds=0.05), explode)])
    worker.start()
    try:
        assert wait_until(lambda: len(calls) >= 3)
    finally:
        worker.stop()


def test_stop_while_a_running_job_asks_for_a_wake_up_does_not_deadlock(engine: Engine) -> None:
    """A job that wakes another (as the inbox wakes the sweep) while the worker is stopping: the
    scheduler's shutdown once held the lock that the wake-up needed while waiting for the job."""
    in_job = threading.Event()
    stopping = threading.Event()

    worker = Worker(
        runtime_of(engine), holder="waker", lease_ttl=timedelta(seconds=5), renew_every=timedelta(1)
    )

    def wakes_during_stop() -> None:
        in_job.set()
        stopping.wait(5)
        time.sleep(0.2)  # let stop() reach the scheduler's shutdown
        worker.wake("sweep", utc_now())

    worker.schedule(
        [
            Job("inbox", timedelta(hours=1), wakes_during_stop),
            Job("sweep", timedelta(hours=1), lambda: None),
        ],
        on_stopping=stopping.set,
    )
    worker.start()
    assert wait_until(in_job.is_set)
    stopper = threading.Thread(target=worker.stop, daemon=True)
    stopper.start()
    stopper.join(timeout=10)
    assert not stopper.is_alive(), "stop() deadlocked with a job asking for a wake-up"
    with engine.connect() as connection:
        assert leases.holder(connection, "worker", utc_now()) is None
