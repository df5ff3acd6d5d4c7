"""The ``bridge`` command line (also ``flask --app wsgi bridge …``)."""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo

from bridge import db, load_settings
from bridge.cli_helpdesk import setup_command, sync_command
from bridge.cli_ops import backtest_command, explain_command, outbox_group, sweep_command
from bridge.cli_policy import policy_group
from bridge.cli_report import report_command
from bridge.config import ConfigError
from bridge.context import bridge_context
from bridge.runtime import build_worker
from bridge.worker import Worker
from policies import PolicyError

bridge_group = AppGroup("bridge", help="Run and operate the escalation bridge.")
bridge_group.add_command(report_command)
bridge_group.add_command(policy_group)
bridge_group.add_command(sync_command)
bridge_group.add_command(setup_command)
bridge_group.add_command(outbox_group)
bridge_group.add_command(explain_command)
bridge_group.add_command(sweep_command)
bridge_group.add_command(backtest_command)


@bridge_group.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply all pending migrations."""
    engine = bridge_context().storage.engine
    db.upgrade(engine)
    click.echo(f"database at revision {db.current_revision(engine)}")


@bridge_group.command("worker")
def worker_command() -> None:
    """Run the scheduler and delivery jobs (one leader among several workers)."""
    context = bridge_context()
    worker = build_worker(current_app._get_current_object())  # type: ignore[attr-defined]
    _announce(context.settings.describe())
    _run_until_signalled(worker)


@bridge_group.command("serve", with_appcontext=False)
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
    if demo or (demo is None and not (settings.zendesk_enabled or settings.freshdesk_enabled)):
        from bridge.demo import run_demo

        run_demo(host, port)
        return
    from bridge import create_app
    from bridge.serve import serve

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


def main() -> None:
    """Console script ``bridge``: the same commands as ``flask --app wsgi bridge``."""
    from bridge import create_app

    cli = click.Group("bridge", help=bridge_group.help, commands=bridge_group.commands)
    # Commands that need the app find it through ScriptInfo, as under `flask`, so the app (and
    # its database) is only built for them: `bridge policy check` needs neither.
    script = ScriptInfo(create_app=create_app, set_debug_flag=False, load_dotenv_defaults=False)
    try:
        cli.main(prog_name="bridge", obj=script)
    except ConfigError as error:
        click.echo(f"bridge: {error}", err=True)
        raise SystemExit(2) from None
    except PolicyError as error:
        click.echo(f"bridge: the policy file is invalid:\n{error}", err=True)
        raise SystemExit(2) from None
