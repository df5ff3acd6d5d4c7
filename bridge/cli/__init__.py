"""The ``bridge`` command line (also ``flask --app wsgi bridge …``): one module per group."""

from __future__ import annotations

import click
from flask.cli import AppGroup, ScriptInfo

from bridge.cli.desk import setup_group, sync_command
from bridge.cli.doctor import doctor_command
from bridge.cli.ops import backtest_command, db_group, explain_command, outbox_group, sweep_command
from bridge.cli.policy import policy_group
from bridge.cli.report import report_command
from bridge.cli.serve import serve_command, worker_command
from bridge.config import ConfigError
from policies import PolicyError

bridge_group = AppGroup("bridge", help="Run and operate the escalation bridge.")
for _command in (
    report_command,
    policy_group,
    sync_command,
    setup_group,
    doctor_command,
    outbox_group,
    explain_command,
    sweep_command,
    backtest_command,
    db_group,
    worker_command,
    serve_command,
):
    bridge_group.add_command(_command)


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
