"""The worker's jobs. Later stages (sweep, sync, delivery) register here."""

from __future__ import annotations

from flask import Flask

from bridge.worker import Job


def worker_jobs(app: Flask) -> list[Job]:
    return []
