"""Routes for an escalation: matched in order; ``continue`` lets later routes hear it too. At
L4 management owns the ticket and a matching route is only told."""

from __future__ import annotations

from dataclasses import dataclass

from policies.compiled import CompiledPolicy, RouteRule, TierRule, words
from policies.facts import Facts
from policies.model import Route, Severity, Ticket, Tier


@dataclass(frozen=True, slots=True)
class Routed:
    owner: Route  # who takes the ticket
    page: bool
    also: tuple[tuple[Route, str], ...]  # further routes that are told, with their rule source
    source: str  # where the owner's route is written
    matched: str  # what made the owner's route match ("" for the tier's own route)


def _route(rule: RouteRule, tier: TierRule) -> Route:
    base = tier.route
    return Route(
        name=rule.name,
        slack_channel=rule.channel or base.slack_channel,
        teams_channel=rule.teams or base.teams_channel,
        pagerduty_routing_key_env=rule.pagerduty or base.pagerduty_routing_key_env,
        opsgenie_key_env=rule.opsgenie or base.opsgenie_key_env,
        group=rule.group or base.group,
        assignee=rule.assignee if rule.group or rule.assignee else base.assignee,
        customer_ack=base.customer_ack,
        # A route that hands to the tier's own group is the tier's team.
        display_name=rule.display_name
        or (words(rule.name) if rule.group or rule.assignee else base.display_name),
        keep_assignee=base.keep_assignee if rule.keep_assignee is None else rule.keep_assignee,
    )


def route_for(
    policy: CompiledPolicy, tier: Tier, sev: Severity, ticket: Ticket, facts: Facts, now: float
) -> Routed:
    tier_rule = policy.tiers[tier]
    matches: list[tuple[RouteRule, str]] = []
    for rule in policy.routes:
        if rule.tiers is not None and tier not in rule.tiers:
            continue
        if rule.severities is not None and sev not in rule.severities:
            continue
        what = "every escalation"
        if rule.when is not None:
            hit = rule.when.match(ticket, facts)
            if hit is None or hit[0] > now:
                continue
            what = hit[1]
        matches.append((rule, what))
        if not rule.cont:
            break
    wants_page = sev in tier_rule.page
    if tier == Tier.L4:
        # L4 is management: it owns the ticket; a matching team is told alongside.
        page = wants_page and bool(tier_rule.route.pagers())
        also = tuple((_route(rule, tier_rule), rule.source) for rule, _ in matches)
        return Routed(tier_rule.route, page, also, "", "")
    if not matches:
        page = wants_page and bool(tier_rule.route.pagers())
        return Routed(tier_rule.route, page, (), "", "")
    first, what = matches[0]
    owner = _route(first, tier_rule)
    page = first.page if first.page is not None else wants_page
    also = tuple((_route(rule, tier_rule), rule.source) for rule, _ in matches[1:])
    page = page and bool(owner.pagers())
    return Routed(owner, page, also, first.source, what)


def clears_assignee(route: Route) -> bool:
    """Whether handing a ticket to ``route`` removes the previous tier's agent in the desk: the
    route names a group and no assignee, and does not keep the agent (``keep_assignee``)."""
    return bool(route.group) and not route.assignee and not route.keep_assignee


def previous_assignee(group: str | None, assignee: str | None, keep: bool | None) -> str:
    """What a hand-over does with the previous tier's agent, in words (the process document and
    ``bridge explain``); ``keep`` None: a route that leaves it to the tier."""
    if assignee:
        return f"replaced by {assignee}"
    if not group:
        return "kept (no group to hand to)"
    if keep is None:
        return "as the tier says"
    return "kept (keep_assignee)" if keep else "removed: unassigned in the group"
