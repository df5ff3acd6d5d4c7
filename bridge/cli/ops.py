"""Operating commands: ``db upgrade``, ``outbox``, ``explain``, ``sweep`` and ``backtest``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import click
from flask.cli import with_appcontext

from bridge.policy_files import load_policy
from bridge.runtime import runtime
from bridge.store import db, outbox, storms, tickets
from bridge.worker.jobs import build_jobs
from connectors.text import printable
from policies import PolicyError, evaluate
from policies.backtest import Summary, backtest


@click.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply all pending migrations."""
    engine = runtime().db
    db.upgrade(engine)
    click.echo(f"database at revision {db.current_revision(engine)}")


@click.group("outbox")
def outbox_group() -> None:
    """List outbound actions and retry dead letters."""


@outbox_group.command("list")
@click.option("--dead", is_flag=True, help="Only dead letters.")
@click.option("--pending", is_flag=True, help="Only actions waiting to be sent.")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def outbox_list(dead: bool, pending: bool, limit: int) -> None:
    status = outbox.DEAD if dead else outbox.PENDING if pending else None
    context = runtime()
    with db.reading(context.db) as connection:
        rows = outbox.listing(connection, status, limit)
        depth, oldest = outbox.depth(connection)
    click.echo(
        f"{depth} waiting" + (f", oldest since {oldest:%Y-%m-%d %H:%M:%S} UTC" if oldest else "")
    )
    for row in rows:
        error = f"  {row['last_error']}" if row["last_error"] else ""
        _say(
            f"{row['id']:>6}  {row['status']:<7} {row['attempts']:>2} tries  "
            f"{row['source']}:{row['ticket_id']:<8} {row['action']:<20}{error}"
        )


@outbox_group.command("retry")
@click.argument("action_id", type=int, required=False)
@click.option("--all", "everything", is_flag=True, help="Every dead letter.")
@with_appcontext
def outbox_retry(action_id: int | None, everything: bool) -> None:
    """Put a dead letter (or --all) back in the queue."""
    if action_id is None and not everything:
        raise click.UsageError("name an action id, or --all")
    context = runtime()
    with context.db.begin() as connection:
        count = outbox.retry_dead(connection, action_id, context.clock())
    click.echo(f"{count} dead letter(s) queued again")


@click.command("explain")
@click.argument("ticket")
@with_appcontext
def explain_command(ticket: str) -> None:
    """Why a ticket is where it is: every decision with its rule, inputs and clock arithmetic,
    and what the policy says now. TICKET is e.g. zendesk:123."""
    source, sep, ticket_id = ticket.partition(":")
    if not sep:
        raise click.UsageError("write the ticket as DESK:ID, e.g. zendesk:123")
    context = runtime()
    with db.reading(context.db) as connection:
        mirrored = tickets.load_ticket(connection, source, ticket_id)
        state = tickets.load_state(connection, source, ticket_id)
        entries = tickets.audit_entries(connection, source, ticket_id)
        member = storms.membership(connection, source, ticket_id)
        group = storms.by_id(connection, member.group_id) if member else None
    if mirrored is None or state is None:
        raise click.ClickException(f"{ticket} is not tracked by the bridge")
    _say(
        f"{ticket} “{mirrored.subject}”: {mirrored.status.value}, "
        f"priority {mirrored.priority.value if mirrored.priority else 'none'}"
    )
    since = f" since {state.tier_since:%Y-%m-%d %H:%M} UTC" if state.tier_since else ""
    _say(f"at {state.tier}{since}, owner {state.owner or 'nobody'}")
    if member is not None and group is not None:
        over = f", over since {group.closed_at:%Y-%m-%d %H:%M} UTC" if group.closed_at else ""
        _say(
            f"in outage storm {group.key} ({group.members} tickets{over}): joined "
            f"{member.joined_at:%Y-%m-%d %H:%M:%S} UTC, {member.why}; its chat messages and "
            "pages are the group's"
        )
    for entry in entries:
        data: dict[str, Any] = entry["data"]
        if entry["kind"] == "grouped":
            _say(
                f"\n{entry['at']:%Y-%m-%d %H:%M:%S}  joined outage storm {data['group']}  "
                f"[group_by {entry['rule']} at {data.get('source') or '?'}]"
            )
            _say(f"    {data['why']}")
            if data.get("inputs"):
                _say(f"    inputs: {json.dumps(data['inputs'], default=str)}")
            continue
        if entry["kind"] != "decision":
            _say(f"\n{entry['at']:%Y-%m-%d %H:%M:%S}  input: {json.dumps(data)}")
            continue
        _say(
            f"\n{entry['at']:%Y-%m-%d %H:%M:%S}  {data['action']} {data['tier']} "
            f"via {data['route']}  [{entry['rule']} at {data.get('source') or '?'}]"
        )
        _say(f"    {data['text']}")
        if data.get("previous_assignee"):
            _say(f"    previous assignee: {data['previous_assignee']}")
        for label in ("inputs", "clock"):
            if data.get(label):
                _say(f"    {label}: {json.dumps(data[label], default=str)}")
    now = context.clock()
    evaluation = evaluate(mirrored, state, context.policy, now)
    upcoming = (
        f"next check {evaluation.next_check_at:%Y-%m-%d %H:%M:%S} UTC"
        if evaluation.next_check_at
        else "nothing can change by time alone"
    )
    _say(f"\nnow: {evaluation.severity.value}, {upcoming}")


def _say(text: str) -> None:
    """A line of ``explain``: ticket text may hold terminal escape sequences (a subject that
    clears the screen or retitles the window), so only printable text reaches the terminal."""
    click.echo(printable(text))


@click.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Evaluate the tickets whose next check has come, once (the worker does this every few
    seconds)."""
    jobs = build_jobs(runtime(), "cli-sweep")
    try:
        click.echo(f"{jobs.sweep()} ticket(s) evaluated; their actions wait in the outbox")
    finally:
        jobs.close()


@click.command("backtest")
@click.option(
    "--policy", "policy_path", default=None, help="Candidate policy file (default: the one in use)."
)
@click.option(
    "--since",
    "days",
    default=30,
    show_default=True,
    type=int,
    help="Tickets created in the last N days.",
)
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md")
@with_appcontext
def backtest_command(policy_path: str | None, days: int, fmt: str) -> None:
    """Replay the mirrored tickets through a policy and compare with the policy in use."""
    context = runtime()
    try:
        candidate = load_policy(policy_path) if policy_path else context.policy
    except PolicyError as error:
        raise click.ClickException(f"the candidate policy is invalid:\n{error}") from None
    now = context.clock()
    with db.reading(context.db) as connection:
        recent = [
            t for t in tickets.mirrored(connection) if t.created_at >= now - timedelta(days=days)
        ]
    results = {
        "in use": backtest(recent, context.policy, now),
        "candidate": backtest(recent, candidate, now),
    }
    if fmt == "json":
        click.echo(json.dumps({name: _as_json(s) for name, s in results.items()}, indent=2))
        return
    click.echo(f"Backtest over {len(recent)} ticket(s) created in the last {days} days\n")
    click.echo("| | in use | candidate |\n|---|---|---|")
    rows: list[tuple[str, Callable[[Summary], str]]] = [
        ("escalated", lambda s: f"{s.escalated} ({s.escalation_rate():.0%})"),
        ("pages", lambda s: str(s.pages)),
        ("avg time to escalate", lambda s: _duration(s.average_time_to_escalate())),
    ]
    for label, show in rows:
        click.echo(f"| {label} | {show(results['in use'])} | {show(results['candidate'])} |")
    rules = sorted(set(results["in use"].rules) | set(results["candidate"].rules))
    for rule in rules:
        click.echo(
            f"| escalations by `{rule}` | {results['in use'].rules[rule]} | "
            f"{results['candidate'].rules[rule]} |"
        )


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "-"
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _as_json(summary: Summary) -> dict[str, Any]:
    average = summary.average_time_to_escalate()
    return {
        "tickets": summary.tickets,
        "escalated": summary.escalated,
        "escalation_rate": round(summary.escalation_rate(), 4),
        "pages": summary.pages,
        "average_seconds_to_escalate": average.total_seconds() if average else None,
        "escalations_by_rule": dict(summary.rules),
        "actions": dict(summary.actions),
        "final_tiers": dict(summary.final_tiers),
    }
