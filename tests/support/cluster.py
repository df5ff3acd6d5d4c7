"""Several bridge processes on one database, as a deployment runs them: gunicorn serving the web
app in N processes (the production gunicorn.conf.py) and M `bridge worker` processes, each with
a stable worker id. For the scale-out test and the fail-over benchmark."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import requests
from sqlalchemy import Engine, func, select

from bridge.store import leases, outbox
from bridge.store.tables import inbox
from bridge.worker.scheduler import LEASE_NAME

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


@dataclass
class Cluster:
    environment: Mapping[str, str]
    engine: Engine
    log: IO[str]
    url: str = ""
    web: subprocess.Popen[bytes] | None = None
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start_web(self, processes: int) -> None:
        port = free_port()
        env = {
            **self.environment,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": str(processes),
        }
        self.web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )
        self.url = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            with contextlib.suppress(requests.RequestException):
                return requests.get(f"{self.url}/healthz", timeout=1).status_code == 200
            return False

        if not wait_until(answers, timeout=60):
            raise RuntimeError("the web processes did not start; see the log")

    def start_worker(self, worker_id: str) -> None:
        env = {**self.environment, "BRIDGE_WORKER_ID": worker_id}
        self.workers[worker_id] = subprocess.Popen(
            [sys.executable, "-m", "bridge", "worker"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
        )

    def kill_worker(self, worker_id: str) -> None:
        process = self.workers.pop(worker_id)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def leader(self) -> str | None:
        with self.engine.connect() as connection:
            return leases.holder(connection, LEASE_NAME, datetime.now(UTC))

    def delivered(self) -> int:
        with self.engine.connect() as connection:
            return len(outbox.listing(connection, outbox.DONE, limit=100_000))

    def waiting(self) -> int:
        with self.engine.connect() as connection:
            unprocessed = connection.execute(
                select(func.count()).select_from(inbox).where(inbox.c.processed_at.is_(None))
            ).scalar_one()
            return int(unprocessed) + outbox.depth(connection)[0]

    def stop(self) -> None:
        for process in [*self.workers.values(), *([self.web] if self.web else [])]:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers.values(), *([self.web] if self.web else [])]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.workers.clear()
        self.web = None


def cluster_environment(world_environment: Mapping[str, str], database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        **world_environment,
        "DATABASE_URL": database_url,
        "BRIDGE_LOG_FORMAT": "json",
        "BRIDGE_SWEEP_SECONDS": "1",
        # The sandbox has no plan limit; the bridge's own budget would only slow the run.
        "ZENDESK_RATE_LIMIT": "100000",
        "PYTHONPATH": str(ROOT),
    }
