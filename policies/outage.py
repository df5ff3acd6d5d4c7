"""Statuspage rules: when a ticket is an outage the public status page must show.

One incident per ticket and rule: it is opened once (at once, or after a person confirms the
"Publish to Statuspage?" question when the rule says ``confirm``), updated each time the ticket
moves up a tier, and resolved when the ticket is solved. The decisions' keys, recorded in the
state's ``fired``, are what make each step happen once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from policies.compiled import OutageRule
from policies.context import Context
from policies.facts import Facts
from policies.model import DecisionKind, EscalationState, Route, Ticket, Tier
from policies.timers import Step

PUBLISH_REQUEST = "publish_statuspage"


def components(rule: OutageRule, ticket: Ticket) -> tuple[str, ...]:
    """Component names the ticket names: its field (text split on commas, or a list), then
    mapped tags; the connector keeps only names the status page has."""
    found: list[str] = []
    value = ticket.custom_fields.get(rule.component_field) if rule.component_field else None
    if isinstance(value, str):
        found += [part.strip() for part in value.split(",")]
    elif isinstance(value, list | tuple):
        found += [str(part).strip() for part in value]
    found += [name for tag, name in rule.component_tags if tag in ticket.tags]
    return tuple(dict.fromkeys(name for name in found if name))


def decide(
    ctx: Context,
    ticket: Ticket,
    state: EscalationState,
    facts: Facts,
    tier: Tier,
    steps: Sequence[Step],
    resolved: bool,
) -> None:
    for rule in ctx.policy.outages:
        emit = _Emitter(ctx, rule, ticket, tier)
        if emit.opened:
            if resolved:
                emit(DecisionKind.STATUS_RESOLVE, "the ticket is solved: incident resolved")
            elif steps:
                emit(DecisionKind.STATUS_UPDATE, f"the outage moved to {tier}", tier)
            continue
        if resolved or not _applies(rule, ticket, facts, tier, ctx):
            continue
        if not rule.confirm:
            emit(DecisionKind.STATUS_OPEN, f"{rule.id}: published on the status page")
            continue
        emit(DecisionKind.STATUS_PROPOSE, f"{rule.id}: asked whether to publish on Statuspage")
        confirmed = [
            r for r in state.manual if r.kind == PUBLISH_REQUEST and r.at.timestamp() <= ctx.now
        ]
        # Only an answer to a question already asked counts: a click cannot skip the question.
        if emit.asked and confirmed:
            emit(DecisionKind.STATUS_OPEN, f"{confirmed[0].by} confirmed publishing {rule.id}")


class _Emitter:
    """Emits one rule's decisions, each carrying what the status page will show. The route and
    the inputs are built at the first decision: most tickets are no outage and get none."""

    def __init__(self, ctx: Context, rule: OutageRule, ticket: Ticket, tier: Tier) -> None:
        self.ctx, self.rule, self.ticket, self.tier = ctx, rule, ticket, tier
        self.base = f"statuspage:{rule.id}"
        self.opened = ctx.key(self.base, None, DecisionKind.STATUS_OPEN) in ctx.fired
        self.asked = ctx.key(self.base, None, DecisionKind.STATUS_PROPOSE) in ctx.fired

    @cached_property
    def route(self) -> Route:
        return _route(self.rule, self.ctx.policy.tiers[self.tier].route)

    @cached_property
    def inputs(self) -> dict[str, Any]:
        rule = self.rule
        return {
            "statuspage_rule": rule.id,
            "components": list(components(rule, self.ticket)),
            "component_status": rule.component_status,
            "impact": rule.impact,
            **rule.messages.model_dump(),
        }

    def __call__(self, action: DecisionKind, text: str, at: Tier | None = None) -> None:
        key = self.ctx.key(self.base, at, action)
        if key in self.ctx.fired:
            return
        self.ctx.emit(
            key, self.base, action, self.tier, self.route, text, self.rule.source, self.inputs
        )


def _applies(rule: OutageRule, ticket: Ticket, facts: Facts, tier: Tier, ctx: Context) -> bool:
    if tier < rule.tier or (rule.severities is not None and ctx.sev not in rule.severities):
        return False
    if rule.when is None:
        return True
    hit = rule.when.match(ticket, facts)
    return hit is not None and hit[0] <= ctx.now


def _route(rule: OutageRule, tier_route: Route) -> Route:
    return dataclasses.replace(
        rule.route,
        slack_channel=rule.route.slack_channel or tier_route.slack_channel,
        teams_channel=rule.route.teams_channel or tier_route.teams_channel,
    )
