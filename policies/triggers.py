"""Events that can raise the tier (triggers, tags, Slack requests, missed status updates) and
the notifications and page commands that do not change it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from policies.compiled import NEXT
from policies.context import Context
from policies.facts import Facts
from policies.model import DecisionKind, EscalationState, Route, Ticket, Tier

L4, NOTIFY = Tier.L4, DecisionKind.NOTIFY
Notice = tuple[str, Route, str, str]  # (rule, route, what held, source)


@dataclass(frozen=True, slots=True)
class Event:
    at: float
    target: Tier | Literal[0]  # NEXT: one tier up from wherever the ticket is then
    rule: str
    key: str  # marks the event as used once it raised the tier
    what: str
    source: str


# (when, target tier); target None: the trigger will notify someone, so it is news regardless.
Future = tuple[float, Tier | Literal[0] | None]


def wake_for(ctx: Context, future: list[Future], tier: Tier) -> None:
    """Wake for triggers still to come that would change something from ``tier``: if one is
    the earliest wake-up, nothing moves the ticket before it, so ``tier`` is still its tier."""
    for at, target in future:
        if target is None or (tier < L4 if target == NEXT else target > tier):
            ctx.wake(at)


def events(
    ctx: Context,
    ticket: Ticket,
    state: EscalationState,
    facts: Facts,
    resolved: bool,
    notices: list[Notice],
    future: list[Future],
) -> list[Event]:
    """Tier-raising events that have happened by now. Notifications of matching triggers are
    appended to ``notices``; triggers that come true later to ``future``."""
    cp, prefix, fired, now = ctx.policy, ctx.prefix, ctx.fired, ctx.now
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
        if trig.tier is not None:
            key = f"{prefix}{trig.id}@{int(at)}"
            if key not in fired:
                found.append(Event(at, trig.tier, trig.id, key, what, trig.source))
    if resolved:
        return found
    source = cp.sources["manual"]
    for tag, target in cp.manual_tags:
        key = f"{prefix}tag:{tag}"
        if tag in ticket.tags and key not in fired:
            found.append(Event(facts.updated, target, f"tag:{tag}", key, f"tag {tag}", source))
    for req in state.manual:
        at = req.at.timestamp()
        key = f"{prefix}manual:{req.by}@{int(at)}"
        if req.kind == "escalate" and at <= now and key not in fired:
            what = f"requested by {req.by}" + (f": {req.reason}" if req.reason else "")
            found.append(Event(at, req.tier or NEXT, "manual", key, what, source))
    _missed_updates(ctx, facts, found, future)
    return found


def _missed_updates(ctx: Context, facts: Facts, found: list[Event], future: list[Future]) -> None:
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
    found.append(Event(at, NEXT, "status_update", key, what, cp.sources["status_update"]))


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
