"""``bridge serve`` (web and worker in one process), ``bridge worker``."""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from gunicorn.app.base import BaseApplication

from bridge.cli.doctor import warn_at_start
from bridge.config import load_settings
from bridge.runtime import runtime
from bridge.worker.scheduler import Worker, build_worker
from connectors.provider import Role
from connectors.registry import names

log = logging.getLogger(__name__)

FALLBACK_WARNING = (
    "WARNING: no help desk is configured (none of Zendesk, Freshdesk, Intercom, Help Scout or "
    "Salesforce has its variables set), so "
    "`bridge serve` falls back to the built-in DEMO: local stand-ins with published test "
    "secrets, nothing real is watched. Set the help desk's variables, or BRIDGE_ENV=production "
    "to refuse instead of falling back."
)
REFUSED_IN_PRODUCTION = (
    "BRIDGE_ENV=production: the built-in demo is never served in production. Configure a help "
    "desk (e.g. ZENDESK_SUBDOMAIN, ZENDESK_EMAIL, ZENDESK_API_TOKEN; README, Configuration, "
    "names every desk's variables) and run `bridge serve --no-demo`."
)


class SingleProcess(BaseApplication):  # type: ignore[misc]
    """gunicorn with one process serving the web app and running the worker."""

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
        self.worker, _jobs = build_worker(self.application)
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


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the scheduler and delivery jobs (one leader among several workers)."""
    worker, jobs = build_worker(current_app._get_current_object())  # type: ignore[attr-defined]
    _announce(runtime().settings.describe())
    warn_at_start(jobs.integrations, runtime().policy)
    _run_until_signalled(worker)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "8000")),
    show_default="$PORT or 8000",
)
@click.option("--threads", type=int, default=8, show_default=True)
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Run against the built-in sandbox (default: when no help desk is configured).",
)
def serve_command(host: str, port: int, threads: int, demo: bool | None) -> None:
    """Web and worker in one process, for small deployments."""
    settings = load_settings()
    desks = any(settings.enabled(name) for name in names(Role.DESK))
    if demo or (demo is None and not desks):
        if settings.environment == "production":
            raise click.ClickException(REFUSED_IN_PRODUCTION)
        if not demo:
            # A production host whose help-desk variables went missing must not look healthy.
            click.secho(FALLBACK_WARNING, err=True, fg="yellow", bold=True)
            log.warning("no help desk configured: serving the built-in demo")
        from bridge.cli.demo import run_demo

        run_demo(host, port)
        return
    from bridge import create_app

    app = create_app({"BRIDGE_SETTINGS": settings})
    _announce(settings.describe())
    serve(app, host=host, port=port, threads=threads)


def _announce(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


def _run_until_signalled(worker: Worker) -> None:
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    worker.start()
    try:
        stop.wait()
    finally:
        worker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
