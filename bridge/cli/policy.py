"""``bridge policy check|doc|test``: validate, document and try the escalation policy."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import click

from bridge.cli.policy_lint import read_desks, unknown_names
from bridge.config import ConfigError, load_settings
from bridge.policy_files import load_policy, template_sources
from bridge.runtime import utc_now
from bridge.worker.integrations import build_integrations
from connectors.provider import BuildContext
from policies import Policy, PolicyError, PolicyIssue, annotate, evaluate
from policies.agent_guide import render_guide_html, render_guide_markdown
from policies.codec import state_from_json, ticket_from_json
from policies.model import EscalationState, Ticket
from policies.render_doc import render_html, render_markdown
from policies.templates import TEMPLATE_SUFFIX


def _policy_path(path: str | None) -> str | None:
    return path or os.environ.get("BRIDGE_POLICY") or None


def _load(path: str | None) -> Policy:
    try:
        return load_policy(_policy_path(path))
    except PolicyError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        raise SystemExit(1) from exc


@click.group("policy")
def policy_group() -> None:
    """Check, document and try the escalation policy."""


@policy_group.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--desks/--no-desks",
    default=True,
    show_default=True,
    help="Also look up the fields and groups the policy names in the configured help desks.",
)
def check_command(file: str | None, desks: bool) -> None:
    """Validate FILE (default: $BRIDGE_POLICY or the packaged default policy). Warnings
    (settings that do nothing, fields and groups no configured desk knows) do not fail it."""
    try:
        policy = load_policy(_policy_path(file))
    except PolicyError as exc:
        for issue in exc.issues:
            click.echo(str(issue))
        raise SystemExit(1) from exc
    warnings = list(policy.warnings)
    if desks:
        warnings += _desk_warnings(policy)
    for warning in sorted(warnings, key=lambda issue: issue.line):
        click.echo(str(warning))
    click.echo(
        f"{policy.file}: ok ({len(policy.compiled.triggers)} triggers, "
        f"{len(policy.compiled.routes)} routes"
        + (f", {len(warnings)} warnings)" if warnings else ")")
    )


def _desk_warnings(policy: Policy) -> list[PolicyIssue]:
    try:
        settings = load_settings()
    except ConfigError as exc:
        click.echo(f"help desks not checked: {exc}", err=True)
        return []
    integrations = build_integrations(settings, BuildContext(clock=utc_now))
    try:
        names, notes = read_desks(integrations.desks)
    finally:
        integrations.close()
    for note in notes:
        click.echo(note, err=True)
    return unknown_names(policy, names)


@policy_group.command("doc")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), default=None)
@click.option(
    "--for",
    "audience",
    type=click.Choice(["leads", "agents"]),
    default="leads",
    show_default=True,
    help="leads: the escalation process document; agents: the agent guide (training).",
)
def doc_command(fmt: str, policy_file: str | None, audience: str) -> None:
    """Print the escalation process document or the agent guide, rendered from the policy
    itself (the guide's examples are run through the engine as it renders)."""
    policy = _load(policy_file)
    if audience == "agents":
        text = render_guide_html(policy) if fmt == "html" else render_guide_markdown(policy)
    else:
        templates = template_sources(os.environ.get("BRIDGE_TEMPLATES") or None)
        templates = {name.removesuffix(TEMPLATE_SUFFIX): text for name, text in templates.items()}
        text = (render_html if fmt == "html" else render_markdown)(policy, templates)
    click.echo(text, nl=False)


def _read_json(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path}: expected a JSON object")
    return data


def _ticket(data: dict[str, Any], source: str) -> Ticket:
    if source == "zendesk":
        from connectors.zendesk.mapping import ticket_from_api_bundle as zendesk_bundle

        return zendesk_bundle(data)
    if source == "freshdesk":
        from connectors.freshdesk.mapping import ticket_from_api_bundle as freshdesk_bundle

        return freshdesk_bundle(data)
    if source == "intercom":
        from connectors.intercom.mapping import conversation_to_ticket

        # ``GET /conversations/{id}``, with the contact and company records under
        # ``contact`` and ``company`` if wanted; a flagged conversation reads as High.
        return conversation_to_ticket(
            data, contact=data.get("contact"), company=data.get("company")
        )
    if source == "helpscout":
        from connectors.helpscout.mapping import conversation_to_ticket as helpscout_ticket

        # ``GET /v2/conversations/{id}?embed=threads``, with the customer record under
        # ``customer`` if wanted; priority is read from a ``priority-<level>`` tag.
        return helpscout_ticket(data, customer=data.get("customer"))
    if source == "salesforce":
        from connectors.salesforce.mapping import case_bundle_to_ticket
        from connectors.salesforce.settings import SalesforceSettings

        # The org's picklist meanings and signals from SALESFORCE_* variables, else defaults.
        return case_bundle_to_ticket(data, SalesforceSettings.from_env(os.environ).terms())
    return ticket_from_json(data)


def _parse_now(text: str | None) -> dt.datetime:
    if text is None:
        return utc_now()
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"not ISO 8601: {text}", param_hint="--now") from exc
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@policy_group.command("test")
@click.argument("ticket_file", metavar="TICKET.json", type=click.Path(dir_okay=False))
@click.option("--now", "now_text", default=None, help="ISO 8601 time to evaluate at (default: now)")
@click.option("--state", "state_file", type=click.Path(dir_okay=False), default=None)
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), default=None)
@click.option(
    "--source",
    type=click.Choice(["model", "zendesk", "freshdesk", "intercom", "helpscout", "salesforce"]),
    default="model",
    show_default=True,
    help="model: the bridge's ticket JSON; zendesk/freshdesk: a recorded API bundle; "
    "intercom: a conversation as GET /conversations/{id} answers it; "
    "helpscout: a conversation as GET /v2/conversations/{id}?embed=threads answers it; "
    "salesforce: a Case as GET /sobjects/Case/{id} answers it",
)
def test_command(
    ticket_file: str,
    now_text: str | None,
    state_file: str | None,
    policy_file: str | None,
    source: str,
) -> None:
    """Evaluate one ticket and print the decisions as JSON."""
    policy = _load(policy_file)
    try:
        ticket = _ticket(_read_json(ticket_file), source)
        state = state_from_json(_read_json(state_file)) if state_file else EscalationState()
    except (KeyError, ValueError, TypeError) as exc:
        raise click.ClickException(f"cannot read input: {exc}") from exc
    result = evaluate(
        annotate(ticket, policy.compiled.phrases), state, policy, _parse_now(now_text)
    )
    out = {
        "severity": result.severity.value,
        "tier": result.tier.name,
        "decisions": [
            {
                "rule": d.rule,
                "action": d.action.value,
                "tier": d.tier.name,
                "route": d.route.name,
                "key": d.key,
                "reason": d.reason.text,
            }
            for d in result.decisions
        ],
        "next_check_at": _iso(result.next_check_at),
    }
    click.echo(json.dumps(out, indent=2))
