"""Events that can raise the tier (triggers, tags, Slack requests, missed status updates) and
the notifications and page commands that do not change it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from policies.compiled import NEXT, RouteRule, Trigger
from policies.context import Context
from policies.facts import Facts
from policies.model import DecisionKind, EscalationState, Route, Ticket, Tier

L3, L4, NOTIFY = Tier.L3, Tier.L4, DecisionKind.NOTIFY
Notice = tuple[str, Route, str, str]  # (rule, route, what held, source)
FollowUp = tuple[Trigger, float, str]  # (trigger, when it held, what held)


@dataclass(frozen=True, slots=True)
class Event:
    at: float
    target: Tier | Literal[0]  # NEXT: one tier up from wherever the ticket is then
    rule: str
    key: str  # marks the event as used once it raised the tier
    what: str
    source: str
    top: Tier = L4  # the highest tier a NEXT event may reach
    # An immediate route: at or above its tier, the route's team takes the ticket where it is.
    route: RouteRule | None = None

    def hands_over(self, tier: Tier, owner: str | None) -> bool:
        """Whether this event gives the ticket to its route's team without raising the tier."""
        rule = self.route
        if rule is None or tier >= L4 or (rule.tiers is not None and tier not in rule.tiers):
            return False
        return owner != (rule.assignee or rule.group or rule.name)


# (when, target tier); target None: the trigger will notify someone, so it is news regardless.
Future = tuple[float, Tier | Literal[0] | None]


def wake_for(ctx: Context, future: list[Future], tier: Tier) -> None:
    """Wake for triggers still to come that would change something from ``tier``: if one is
    the earliest wake-up, nothing moves the ticket before it, so ``tier`` is still its tier."""
    top = next_top(ctx)
    for at, target in future:
        if target is None or (tier < top if target == NEXT else target > tier):
            ctx.wake(at)


def next_top(ctx: Context) -> Tier:
    """The highest tier "one tier up" reaches: below management where it is told on request."""
    return L3 if ctx.policy.rows[ctx.sev].on_request else L4


def events(
    ctx: Context,
    ticket: Ticket,
    state: EscalationState,
    facts: Facts,
    resolved: bool,
    notices: list[Notice],
    future: list[Future],
    follow_ups: list[FollowUp],
) -> list[Event]:
    """Tier-raising events that have happened by now. Notifications of matching triggers are
    appended to ``notices``, triggers that come true later to ``future``, follow-ups of a solved
    ticket to ``follow_ups``; requests for management to ``ctx.requests``."""
    cp, prefix, fired, now = ctx.policy, ctx.prefix, ctx.fired, ctx.now
    top = next_top(ctx)
    found: list[Event] = []
    for trig in cp.triggers:
        if resolved and not trig.while_resolved:
            continue
        hit = trig.when.match(ticket, facts)
        if hit is None:
            continue
        at, what = hit
        if at > now:
            news = any(
                ctx.key(f"{trig.id}>{r.name}", None, NOTIFY) not in fired for r in trig.notify
            )
            if news or trig.tier is not None:
                future.append((at, None if news else trig.tier))
            continue
        notices += [(trig.id, route, what, trig.source) for route in trig.notify]
        if trig.management_request:
            ctx.requests.append((trig.id, what, trig.source))
        if trig.tier is None:
            continue
        if resolved and trig.follow_up:
            follow_ups.append((trig, at, what))
            continue
        key = f"{prefix}{trig.id}@{int(at)}"
        if key not in fired:
            found.append(Event(at, trig.tier, trig.id, key, what, trig.source, top))
    if resolved:
        return found
    _immediate_routes(ctx, ticket, facts, found, future)
    _manual(ctx, ticket, state, facts, found)
    _missed_updates(ctx, facts, found, future, top)
    return found


def _immediate_routes(
    ctx: Context, ticket: Ticket, facts: Facts, found: list[Event], future: list[Future]
) -> None:
    """A functional, hierarchical or domain route whose condition holds takes the ticket at once
    (``escalate: immediately``), once per ticket."""
    for rule in ctx.policy.routes:
        if not rule.immediate or rule.when is None:
            continue
        if rule.severities is not None and ctx.sev not in rule.severities:
            continue
        key = f"{ctx.prefix}route:{rule.name}"
        if key in ctx.fired:
            continue
        hit = rule.when.match(ticket, facts)
        if hit is None:
            continue
        at, what = hit
        if at > ctx.now:
            future.append((at, rule.first_tier()))
            continue
        name = f"route:{rule.name}"
        found.append(Event(at, rule.first_tier(), name, key, what, rule.source, route=rule))


def _manual(
    ctx: Context, ticket: Ticket, state: EscalationState, facts: Facts, found: list[Event]
) -> None:
    """Agents' escalation tags and people's requests from Slack or a slash command."""
    prefix, fired, now = ctx.prefix, ctx.fired, ctx.now
    source = ctx.policy.sources["manual"]
    for tag, target in ctx.policy.manual_tags:
        if tag not in ticket.tags:
            continue
        if target == L4:
            ctx.requests.append((f"tag:{tag}", f"tag {tag}", source))
        key = f"{prefix}tag:{tag}"
        if key not in fired:
            found.append(Event(facts.updated, target, f"tag:{tag}", key, f"tag {tag}", source))
    for req in state.manual:
        at = req.at.timestamp()
        if req.kind != "escalate" or at > now:
            continue
        what = f"requested by {req.by}" + (f": {req.reason}" if req.reason else "")
        ctx.requests.append(("manual", what, source))
        key = f"{prefix}manual:{req.by}@{int(at)}"
        if key not in fired:
            found.append(Event(at, req.tier or NEXT, "manual", key, what, source))


def _missed_updates(
    ctx: Context, facts: Facts, found: list[Event], future: list[Future], top: Tier
) -> None:
    cp = ctx.policy
    every, misses = cp.cadence.get(ctx.sev), cp.cadence_escalate_after
    if every is None or misses is None or not facts.agent_public:
        return
    anchor = facts.agent_public[-1]
    key = f"{ctx.prefix}status_update@{int(anchor)}"
    if key in ctx.fired:
        return
    at = cp.rows[ctx.sev].clock.deadline(anchor, every * misses, ctx.pauses)
    if at > ctx.now:
        future.append((at, NEXT))
        return
    clock = cp.rows[ctx.sev].clock
    what = f"{misses} status updates missed (one due every {clock.describe(every)})"
    found.append(Event(at, NEXT, "status_update", key, what, cp.sources["status_update"], top))


def notices(ctx: Context, pending: list[Notice], tier: Tier) -> None:
    for rule, route, what, source in pending:
        key = ctx.key(f"{rule}>{route.name}", None, NOTIFY)
        text = f"{route.name} notified: {what}"
        ctx.emit(key, rule, DecisionKind.NOTIFY, tier, route, text, source, {"matched": what})


def manual(ctx: Context, state: EscalationState, tier: Tier) -> None:
    """Page commands people send from Slack: acknowledge or resolve the open page."""
    if not state.page_open:
        return
    route = ctx.policy.tiers[tier].route
    kinds = {
        "acknowledge": DecisionKind.ACKNOWLEDGE_PAGE,
        "resolve_page": DecisionKind.RESOLVE_PAGE,
    }
    for req in state.manual:
        action = kinds.get(req.kind)
        at = req.at.timestamp()
        if action is None or at > ctx.now:
            continue
        key = ctx.key(f"{req.kind}:{req.by}@{int(at)}", tier, action)
        text = f"{req.by} asked to {req.kind.replace('_', ' ')} the page"
        inputs = {"by": req.by, "at": req.at.isoformat(), "reason": req.reason}
        ctx.emit(key, "manual", action, tier, route, text, ctx.policy.sources["manual"], inputs)
