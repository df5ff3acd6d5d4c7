"""``bridge report``: the process-improvement report for a period."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext

from bridge.metrics.report import build_report, render
from bridge.runtime import runtime

_SINCE = re.compile(r"(\d+)\s*([dhw])")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_since(text: str) -> timedelta:
    """``30d``, ``12h``, ``2w``."""
    match = _SINCE.fullmatch(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise click.BadParameter(f"{text!r}: write a length like 30d, 12h or 2w")
    return int(match.group(1)) * _UNITS[match.group(2)]


@click.command("report")
@click.option("--since", "since_text", default="30d", show_default=True, help="e.g. 30d, 12h, 2w")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "html", "csv"]), default="md", show_default=True
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None)
@with_appcontext
def report_command(since_text: str, fmt: str, output: str | None) -> None:
    """The process-improvement report: metrics against targets, top triggers, organizations and
    categories, RCA completion, and recommendations."""
    context = runtime()
    report = build_report(context.db, context.policy, context.clock(), parse_since(since_text))
    text = render(report, fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
