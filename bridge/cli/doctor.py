"""``bridge doctor``: is this installation right? One line per check with the fix, exit 1 on
any failure. Read-only (``--send-test`` adds one test page, resolved at once).

The command knows no provider: each provider that implements ``connectors.base.Diagnosable``
contributes its own checks, given what the policy names (``PolicyNeeds``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from bridge.config import Settings, load_settings
from bridge.policy_files import load_policy
from bridge.runtime import utc_now
from bridge.store import db
from bridge.worker.integrations import Integrations, build_integrations
from connectors.base import Check, CheckStatus, ConnectorError, Diagnosable, PolicyNeeds
from connectors.provider import BuildContext
from policies import Policy, PolicyError
from policies.schema import (
    ByField,
    Condition,
    NotifyRoute,
    PolicyDoc,
    RouteConfig,
    TierConfig,
)

log = logging.getLogger(__name__)
MARKS = {CheckStatus.OK: "ok  ", CheckStatus.WARN: "warn", CheckStatus.FAIL: "FAIL"}


def policy_needs(doc: PolicyDoc) -> PolicyNeeds:
    """Every group, agent, ticket field, channel and routing-key variable the policy names."""
    places: list[TierConfig | RouteConfig | NotifyRoute] = [
        *doc.tiers.values(),
        *doc.routes,
        *doc.notify_routes.values(),
    ]
    conditions: list[Condition] = [r.when for r in doc.severity.overrides]
    conditions += [t.when for t in doc.triggers] + [r.when for r in doc.routes if r.when]
    fields: set[str] = set()
    for condition in conditions:
        fields |= set(condition.ticket_fields or {}) | set(condition.fields_present or [])
        fields |= set(condition.fields_above or {})
    if doc.targets.rca and doc.targets.rca.field:
        fields.add(doc.targets.rca.field)
    if doc.grouping is not None:
        fields |= {entry.field for entry in doc.grouping.group_by if isinstance(entry, ByField)}
    return PolicyNeeds(
        groups=frozenset(p.group for p in places if p.group),
        agents=frozenset(p.assignee for p in places if p.assignee),
        fields=frozenset(fields),
        channels=frozenset(doc.channels.values()),
        routing_keys=frozenset(doc.pagerduty_keys.values()),
        opsgenie_keys=frozenset(doc.opsgenie_keys.values()),
    )


def database_checks(settings: Settings) -> Iterator[Check]:
    url = settings.database_url or f"sqlite:///{Path.cwd() / 'instance' / 'bridge.db'}"
    engine = db.make_engine(url)
    try:
        current = db.current_revision(engine)
    except SQLAlchemyError as exc:
        yield Check(
            "database", CheckStatus.FAIL, f"unreachable: {type(exc).__name__}", "check DATABASE_URL"
        )
        return
    finally:
        engine.dispose()
    yield Check("database", CheckStatus.OK, "reachable")
    if current == db.head_revision():
        yield Check("database: migrations", CheckStatus.OK, f"at {current}")
    else:
        yield Check(
            "database: migrations", CheckStatus.FAIL, f"at {current}", "run `bridge db upgrade`"
        )


def provider_checks(
    integrations: Integrations, needs: PolicyNeeds, *, send_test: bool = False
) -> Iterator[Check]:
    providers = [*integrations.desks.values(), *integrations.notifiers.values()]
    for provider in providers:
        if not isinstance(provider, Diagnosable):
            yield Check(provider.name, CheckStatus.OK, "configured (no checks of its own)")
            continue
        try:
            yield from provider.diagnose(needs, send_test=send_test)
        except ConnectorError as exc:  # a provider's checks stopped half-way
            yield Check(provider.name, CheckStatus.FAIL, str(exc), "see the message")


def installation_checks(settings: Settings, *, send_test: bool = False) -> list[Check]:
    checks = list(database_checks(settings))
    try:
        policy: Policy = load_policy(settings.policy_path)
    except PolicyError as exc:
        checks.append(Check("policy", CheckStatus.FAIL, str(exc), "run `bridge policy check`"))
        return checks
    checks.append(Check("policy", CheckStatus.OK, f"{policy.file} is valid"))
    context = BuildContext(
        clock=utc_now, budget_share=settings.api_budget_share, public_url=settings.public_url
    )
    integrations = build_integrations(settings, context)
    try:
        checks += provider_checks(integrations, policy_needs(policy.doc), send_test=send_test)
    finally:
        integrations.close()
    return checks


def line(check: Check) -> str:
    text = f"[{MARKS[check.status]}] {check.name}: {check.detail}"
    return text + (
        f"\n       fix: {check.fix}" if check.fix and check.status is not CheckStatus.OK else ""
    )


@click.command("doctor")
@click.option("--send-test", is_flag=True, help="Trigger and resolve a test PagerDuty alert.")
def doctor_command(send_test: bool) -> None:
    """Check this installation: database, policy, and each help desk, chat and pager."""
    checks = installation_checks(load_settings(), send_test=send_test)
    for check in checks:
        click.echo(line(check))
    failed = sum(c.status is CheckStatus.FAIL for c in checks)
    click.echo(f"{len(checks)} checks, {failed} failed")
    if failed:
        raise SystemExit(1)


def warn_at_start(integrations: Integrations, policy: Policy) -> None:
    """The worker's start-up check: every line that is not ok, as a warning."""
    try:
        for check in provider_checks(integrations, policy_needs(policy.doc)):
            if check.status is not CheckStatus.OK:
                log.warning("bridge doctor: %s", line(check))
    except Exception:  # a check must never stop the worker from starting
        log.exception("bridge doctor: the start-up check failed")
