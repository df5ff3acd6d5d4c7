"""``bridge doctor`` for Freshdesk: credentials, the plan's limits, the automation rules, and
what the policy names (groups, agents, ticket fields)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from connectors._desk.doctor import directory_checks, field_checks
from connectors.base import AuthError, Check, CheckStatus, ConnectorError, PolicyNeeds
from connectors.freshdesk.limits import EndpointClass
from connectors.freshdesk.setup import find_rule, other_agents, rule_specs, stale

if TYPE_CHECKING:
    from connectors.freshdesk.client import FreshdeskDesk

SETUP = "run `bridge setup freshdesk --url https://YOUR-BRIDGE`"


def diagnose(desk: FreshdeskDesk, needs: PolicyNeeds) -> Iterator[Check]:
    try:
        me = desk._get("/api/v2/agents/me")
    except AuthError as exc:
        yield Check("freshdesk: credentials", CheckStatus.FAIL, str(exc), "check FRESHDESK_API_KEY")
        return
    email = (me.get("contact") or {}).get("email")
    yield Check(
        "freshdesk: credentials", CheckStatus.OK, f"acting as agent {email} (id {me['id']})"
    )
    limits = desk.settings.limits
    listing = limits.endpoints[EndpointClass.TICKETS_LIST]
    yield Check(
        "freshdesk: plan",
        CheckStatus.OK,
        f"{desk.settings.plan}: {limits.total}/min, tickets list {listing}/min",
    )
    if desk.settings.webhook_secret is None:
        yield Check(
            "freshdesk: webhook secret",
            CheckStatus.FAIL,
            "FRESHDESK_WEBHOOK_SECRET is not set: the webhook endpoint answers 404",
            "set it to a long random password, then " + SETUP,
        )
    try:
        yield from rule_checks(desk)
        yield from directory_checks("freshdesk", desk.directory, needs.groups, needs.agents)
        if needs.fields:
            fields = list(desk._paged("/api/v2/ticket_fields"))
            yield from field_checks("freshdesk", needs.fields, fields, ("name", "label"))
    except ConnectorError as exc:
        yield Check("freshdesk: API", CheckStatus.FAIL, str(exc), "see the message")


def rule_checks(desk: FreshdeskDesk) -> Iterator[Check]:
    for kind, spec in rule_specs("https://unused", "", other_agents(desk)):
        existing = find_rule(desk, kind, spec["name"])
        label = f"freshdesk: rule {spec['name']!r}"
        if existing is None:
            yield Check(label, CheckStatus.FAIL, "missing", SETUP)
        elif stale(existing, spec):
            yield Check(
                label,
                CheckStatus.WARN,
                "inactive, or its agents are not every agent but the bridge's",
                SETUP + " again",
            )
        else:
            yield Check(label, CheckStatus.OK, f"{existing['id']} active")
