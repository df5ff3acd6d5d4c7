"""``bridge serve``: gunicorn with one process serving the web app and running the worker."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from bridge.runtime import build_worker
from bridge.worker import Worker

log = logging.getLogger(__name__)


class SingleProcess(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        self.worker: Worker | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_worker_init", self._start_worker)
        self.cfg.set("worker_exit", self._stop_worker)

    def load(self) -> Flask:
        return self.application

    def _start_worker(self, _gunicorn_worker: Any) -> None:
        # Started inside the (single) gunicorn worker process so that the scheduler's threads
        # live where the app does, and stop when it stops.
        self.worker = build_worker(self.application)
        self.worker.start()

    def _stop_worker(self, _server: Any, _gunicorn_worker: Any) -> None:
        if self.worker is not None:
            self.worker.stop()


def serve(app: Flask, *, host: str, port: int, threads: int) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        "graceful_timeout": 30,
        "accesslog": None,
    }
    log.info("serving", extra={"bind": options["bind"]})
    SingleProcess(app, options).run()
