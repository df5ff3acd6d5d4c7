from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from bridge.config import Settings
from bridge.context import BridgeContext, utc_now
from bridge.storage import Storage
from bridge.worker import Job, Worker
from policies import load_policy

POLICY = load_policy()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def make_worker(storage: Storage, name: str, runs: list[str], lock: threading.Lock) -> Worker:
    def record() -> None:
        with lock:
            runs.append(name)

    context = BridgeContext(settings=Settings(), storage=storage, clock=utc_now, policy=POLICY)
    return Worker(
        context,
        [Job("record", timedelta(seconds=0.05), record)],
        holder=name,
        lease_ttl=timedelta(seconds=1),
        renew_every=timedelta(seconds=0.1),
    )


def test_two_workers_one_runs_jobs_and_the_other_takes_over(storage: Storage) -> None:
    runs: list[str] = []
    lock = threading.Lock()
    first = make_worker(storage, "first", runs, lock)
    second = make_worker(storage, "second", runs, lock)
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
    assert storage.lease_holder("worker", utc_now()) is None


def test_clean_stop_hands_over_at_once(storage: Storage) -> None:
    runs: list[str] = []
    lock = threading.Lock()
    first = make_worker(storage, "first", runs, lock)
    first.start()
    assert first.is_leader
    first.stop()
    second = make_worker(storage, "second", runs, lock)
    assert second.renew() is True


def test_a_failing_job_does_not_stop_the_worker(storage: Storage) -> None:
    calls: list[int] = []

    def explode() -> None:
        calls.append(1)
        raise RuntimeError("boom")

    context = BridgeContext(settings=Settings(), storage=storage, clock=utc_now, policy=POLICY)
    worker = Worker(
        context,
        [Job("explode", timedelta(seconds=0.05), explode)],
        renew_every=timedelta(seconds=0.1),
    )
    worker.start()
    try:
        assert wait_until(lambda: len(calls) >= 3)
    finally:
        worker.stop()
