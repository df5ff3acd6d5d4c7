"""The worker process: APScheduler jobs run only by the holder of a database lease.

Every worker renews or tries to take the lease every few seconds. Jobs check leadership before
doing anything, so with several workers exactly one runs them, and when the leader dies another
takes over once the lease expires (at most ``LEASE_TTL`` + ``RENEW_EVERY``).

APScheduler runs on the wall clock; the bridge's decisions run on its injected clock (the demo
shifts it). A wake-up asked for at a moment of the bridge's clock is scheduled after the same
delay on the wall clock.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from bridge.runtime import Runtime, runtime, utc_now
from bridge.store import leases
from bridge.worker.jobs import Job, Jobs, build_jobs

log = logging.getLogger(__name__)

LEASE_NAME = "worker"
LEASE_TTL = timedelta(seconds=20)
RENEW_EVERY = timedelta(seconds=5)


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Holds the lease, schedules the jobs, and is the jobs' waker."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        holder: str | None = None,
        lease_ttl: timedelta = LEASE_TTL,
        renew_every: timedelta = RENEW_EVERY,
        wall_clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.runtime = runtime
        self.jobs: list[Job] = []
        self.holder = holder or default_holder()
        self.on_stop: Callable[[], None] | None = None
        self.on_stopping: Callable[[], None] | None = None
        self.lease_ttl = lease_ttl
        self.renew_every = renew_every
        self.wall_clock = wall_clock
        self._leader = threading.Event()
        self._stopping = threading.Event()
        self._running = 0
        self._idle = threading.Condition()
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=6)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            timezone="UTC",
        )

    def schedule(
        self,
        jobs: list[Job],
        *,
        on_stop: Callable[[], None] | None = None,
        on_stopping: Callable[[], None] | None = None,
    ) -> None:
        self.jobs = jobs
        self.on_stop = on_stop
        self.on_stopping = on_stopping

    @property
    def is_leader(self) -> bool:
        return self._leader.is_set()

    def renew(self) -> bool:
        """Take or keep the lease; on a database error assume we lost it (never two leaders)."""
        try:
            with self.runtime.db.begin() as connection:
                held = leases.acquire(
                    connection, LEASE_NAME, self.holder, self.runtime.clock(), self.lease_ttl
                )
        except SQLAlchemyError:
            log.exception("lease renewal failed; standing down")
            held = False
        if held and not self._leader.is_set():
            log.info("became leader", extra={"holder": self.holder})
        elif not held and self._leader.is_set():
            log.warning("lost leadership", extra={"holder": self.holder})
        if held:
            self._leader.set()
        else:
            self._leader.clear()
        return held

    def _counted(self, work: Callable[[], object]) -> Callable[[], None]:
        """Runs ``work`` unless stopping, counted so that ``stop`` can wait for it to end."""

        def run() -> None:
            with self._idle:
                if self._stopping.is_set():
                    return
                self._running += 1
            try:
                work()
            finally:
                with self._idle:
                    self._running -= 1
                    self._idle.notify_all()

        return run

    def _guarded(self, job: Job) -> Callable[[], None]:
        def run() -> None:
            if not self.is_leader:
                return
            try:
                job.run()
            except Exception:
                log.exception("job failed", extra={"job": job.name})

        return self._counted(run)

    def start(self) -> None:
        self.renew()
        self.scheduler.add_job(
            self._counted(self.renew),
            "interval",
            seconds=self.renew_every.total_seconds(),
            id="lease",
        )
        started = self.wall_clock()
        for job in self.jobs:
            # First run at once: work left by a previous worker should not wait an interval.
            self.scheduler.add_job(
                self._guarded(job),
                "interval",
                seconds=job.every.total_seconds(),
                id=job.name,
                next_run_time=started,
            )
        self.scheduler.start()
        log.info(
            "worker started", extra={"holder": self.holder, "jobs": [job.name for job in self.jobs]}
        )

    # -- the jobs' waker -----------------------------------------------------------------------
    def wake_sweep(self, at: datetime) -> None:
        self.wake("sweep", self.wall_clock() + max(timedelta(0), at - self.runtime.clock()))

    def wake_delivery(self) -> None:
        self.wake("deliver", self.wall_clock())

    def wake(self, job_name: str, at: datetime) -> None:
        """Run a job once at wall-clock ``at`` as well, when that is before its next run."""
        if self._stopping.is_set():
            return
        job = next((j for j in self.jobs if j.name == job_name), None)
        periodic = self.scheduler.get_job(job_name)
        if job is None or periodic is None:
            return
        if periodic.next_run_time and periodic.next_run_time <= at:
            return
        self.scheduler.add_job(
            self._guarded(job),
            "date",
            run_date=at,
            id=f"{job_name}-wake",
            replace_existing=True,
            misfire_grace_time=None,
        )

    def stop(self) -> None:
        """Let running jobs finish, then hand the lease over at once rather than at expiry."""
        with self._idle:
            self._stopping.set()
        if self.on_stopping is not None:
            self.on_stopping()
        # Not shutdown(wait=True): it holds the scheduler's job-store lock while it waits, and a
        # running job that asks for a wake-up (get_job/add_job) needs that lock: a deadlock.
        self.scheduler.shutdown(wait=False)
        with self._idle:
            self._idle.wait_for(lambda: self._running == 0)
        if self.on_stop is not None:
            try:
                self.on_stop()
            except SQLAlchemyError:
                log.exception("could not release claimed actions; their claims expire")
        if self._leader.is_set():
            try:
                with self.runtime.db.begin() as connection:
                    leases.release(connection, LEASE_NAME, self.holder)
            except SQLAlchemyError:
                log.exception("could not release the lease; it expires by itself")
        self._leader.clear()
        log.info("worker stopped", extra={"holder": self.holder})


def build_worker(app: Flask) -> tuple[Worker, Jobs]:
    """A worker running the bridge's jobs, woken for each ticket's next check."""
    state = runtime(app)
    holder = state.settings.worker_id or default_holder()
    worker = Worker(state, holder=holder)
    jobs = build_jobs(state, holder, waker=worker)
    # Claims this worker id left behind when it died are its own: take them back now.
    jobs.delivery.release()

    def stop() -> None:
        jobs.delivery.release()
        jobs.close()

    worker.schedule(jobs.as_jobs(), on_stop=stop, on_stopping=jobs.delivery.stop)
    return worker, jobs
