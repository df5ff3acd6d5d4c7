"""What follows from the tier and the clock: the escalation's hand-off, management notice,
pre-breach warnings and reminders (``policies.solved``: what is due once a ticket is solved)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from policies.calendar import INF, Clock
from policies.compiled import Row
from policies.context import TIER_NAMES, Context, iso
from policies.facts import Facts
from policies.model import DecisionKind, EscalationState, Severity, Ticket, Tier
from policies.routing import route_for

A = DecisionKind
# Module constants: attribute access on enum classes is slow in the hot path.
L1, L4 = Tier.L1, Tier.L4
ESCALATE, NOTE, ACK, PAGE = A.ESCALATE, A.INTERNAL_NOTE, A.CUSTOMER_ACK, A.PAGE
NOTIFY, WARN, REMIND, RCA = A.NOTIFY, A.WARN, A.REMIND_OWNER, A.REQUEST_RCA
CRITICAL = Severity.CRITICAL


@dataclass(frozen=True, slots=True)
class Step:
    at: float
    rule: str
    from_tier: Tier
    to_tier: Tier
    what: str
    source: str
    clock: tuple[float, float, float] | None  # (start, limit, deadline) of a matrix step

    def why(self, clock: Clock) -> str:
        if self.what or self.clock is None:
            return self.what
        # Built only when explained: most evaluations never show a step.
        return f"{clock.describe(self.clock[1])} at {TIER_NAMES[self.from_tier]} ran out"


def escalation(
    ctx: Context,
    ticket: Ticket,
    state: EscalationState,
    facts: Facts,
    tier: Tier,
    steps: list[Step],
) -> None:
    """The decisions that carry out the move to ``tier`` (again, for any not yet fired)."""
    if tier == L1:
        return
    row_clock = ctx.policy.rows[ctx.sev].clock
    if steps:
        last = steps[-1]
        rule, what, source, arithmetic = last.rule, last.why(row_clock), last.source, last.clock
    elif state.history and state.history[-1].to_tier == tier:
        rule, what, source, arithmetic = state.history[-1].rule, "earlier escalation", "", None
    else:
        return
    fired = ctx.fired
    # Marks an escalation whose every decision was handed out, so routes are not matched again.
    done = f"{ctx.prefix}{rule}:{TIER_NAMES[tier]}:done"
    if done in fired:
        return
    esc, note, ack, page = (ctx.key(rule, tier, a) for a in (ESCALATE, NOTE, ACK, PAGE))
    cp = ctx.policy
    rules = cp.tiers[tier]
    clock = ctx.arithmetic(cp.rows[ctx.sev].clock, *arithmetic) if arithmetic else {}
    routed = route_for(cp, tier, ctx.sev, ticket, facts, ctx.now)
    route = routed.owner
    text = f"{ctx.sev.value} ticket escalated to {tier.name} ({rules.name}): {what}"
    if steps and steps[-1].from_tier == tier:
        text = f"{ctx.sev.value} ticket handed to {route.name} at {tier.name}: {what}"
    elif routed.matched:
        text += f"; routed to {route.name} ({routed.matched})"
    inputs: dict[str, Any] = {"severity": ctx.sev.value, "status": ticket.status.value}
    inputs["why"] = what
    inputs["steps"] = [
        {
            "at": iso(s.at),
            "rule": s.rule,
            "from": s.from_tier.name,
            "to": s.to_tier.name,
            "why": s.why(row_clock),
        }
        for s in steps
    ]
    src = source or routed.source
    ctx.emit(esc, rule, ESCALATE, tier, route, text, src, inputs, clock)
    hand_off = f"Hand-off note for {route.name}: {what}"
    ctx.emit(
        note,
        rule,
        NOTE,
        tier,
        route,
        hand_off,
        src,
        inputs,
        clock,
        rules.templates.handoff_note,
    )
    if route.customer_ack:
        ctx.emit(
            ack,
            rule,
            ACK,
            tier,
            route,
            f"Customer told that {rules.name} ({TIER_NAMES[tier]}) now owns the ticket",
            src,
            inputs,
            clock,
            rules.templates.customer_ack,
        )
    if routed.page and page not in fired:
        quiet_end = cp.quiet.ends_at(ctx.now) if cp.quiet else None
        if quiet_end is not None and ctx.sev is not CRITICAL:
            ctx.wake(quiet_end)
            done = ""
        else:
            ctx.emit(
                page,
                rule,
                PAGE,
                tier,
                route,
                f"Page on-call for {tier.name}: {what}",
                src,
                inputs,
                clock,
            )
    for other, other_source in routed.also:
        key = ctx.key(f"{rule}>{other.name}", tier, NOTIFY)
        ctx.emit(
            key,
            rule,
            NOTIFY,
            tier,
            other,
            f"{other.name} told of escalation: {what}",
            other_source,
            inputs,
        )
    if done:
        ctx.marks.append(done)


def _management_on_request(ctx: Context) -> None:
    """Management is told "on request": when the customer or an agent asks for it."""
    if not ctx.requests:
        return
    rule, what, source = ctx.requests[0]
    ctx.emit(
        ctx.key("management", L4, NOTIFY),
        "management",
        NOTIFY,
        L4,
        ctx.policy.notify_routes["management"],
        f"Management notified on request: {what}",
        source,
        {"severity": ctx.sev.value, "requested_by": rule},
    )


def _due(ctx: Context, row: Row, start: float, limit: float) -> float:
    return row.clock.deadline(start, limit, ctx.pauses)


def timed(ctx: Context, row: Row, facts: Facts, tier: Tier, since: float) -> None:
    """Clock-driven rules of an unresolved ticket: management, warnings, reminders."""
    cp, now, fresh = ctx.policy, ctx.now, ctx.fresh
    route = cp.tiers[tier].route
    if row.management is None and tier < L4:
        _management_on_request(ctx)
    elif row.management is not None and tier < L4:
        key = ctx.key("management", L4, NOTIFY)
        if fresh(key):
            at = _due(ctx, row, facts.created, row.management)
            if at <= now:
                text = (
                    f"Management notified: {ctx.sev.value} ticket open since {iso(facts.created)}"
                )
                clock = ctx.arithmetic(row.clock, facts.created, row.management, at)
                ctx.emit(
                    key,
                    "management",
                    NOTIFY,
                    tier,
                    cp.notify_routes["management"],
                    text,
                    row.source,
                    {"severity": ctx.sev.value},
                    clock,
                )
            else:
                ctx.wake(at)
    limit = row.limits[tier]
    if limit is not None:
        for warn in cp.warnings:
            if (warn.severities is not None and ctx.sev not in warn.severities) or (
                warn.tiers is not None and tier not in warn.tiers
            ):
                continue
            offset = limit * warn.percent / 100 if warn.percent else limit - (warn.before or 0)
            key = ctx.key(warn.id, tier, WARN)
            if offset <= 0 or not fresh(key):
                continue
            at = _due(ctx, row, since, offset)
            if at > now:
                ctx.wake(at)
                continue
            due = _due(ctx, row, since, limit)
            allowed = row.clock.describe(limit)
            if due == INF:  # paused (pending, on hold) since the warning fell due
                text = (
                    f"{tier.name} time limit of {allowed} is paused (the ticket is waiting or "
                    "on hold): it will not escalate until the clock runs again"
                )
            else:
                text = f"{tier.name} time limit of {allowed} ends at {iso(due)}"
            clock = ctx.arithmetic(row.clock, since, limit, due)
            ctx.emit(key, warn.id, WARN, tier, route, text, warn.source, {}, clock)
    templates = cp.tiers[tier].templates
    diagnose = cp.diagnosis.get(ctx.sev)
    if diagnose is not None and tier > L1 and facts.agent_last < since:
        # Nobody at the new tier has written a note or reply since the escalation.
        by = _due(ctx, row, since, diagnose)
        reminder(
            ctx,
            f"diagnosis@{int(since)}",
            by,
            None,
            REMIND,
            tier,
            lambda: (
                f"No initial diagnosis (agent note or reply) within "
                f"{row.clock.describe(diagnose)} of the escalation to {tier.name}"
            ),
            cp.sources["diagnosis"],
            lambda: ctx.arithmetic(row.clock, since, diagnose, by),
            templates.diagnosis_reminder,
        )
    if cp.first_response and not facts.agent_public:
        within, repeat = cp.first_response
        at = _due(ctx, row, facts.created, within)
        start = facts.created
        reminder(
            ctx,
            "first_response",
            at,
            repeat,
            REMIND,
            tier,
            lambda: f"No public reply to the customer within {row.clock.describe(within)}",
            cp.sources["first_response"],
            lambda: ctx.arithmetic(row.clock, start, within, at),
            templates.first_response_reminder,
        )
    every = cp.cadence.get(ctx.sev)
    if every is not None and facts.agent_public:
        anchor = facts.agent_public[-1]
        rule = f"status_update@{int(anchor)}"
        if not fresh(ctx.key(rule, None, REMIND)):
            return
        at = _due(ctx, row, anchor, every)
        reminder(
            ctx,
            rule,
            at,
            None,
            REMIND,
            tier,
            lambda: f"Status update to the customer due every {row.clock.describe(every)}",
            cp.sources["status_update"],
            lambda: ctx.arithmetic(row.clock, anchor, every, at),
            templates.status_reminder,
        )


def reminder(
    ctx: Context,
    rule: str,
    at: float,
    repeat: int | None,
    action: DecisionKind,
    tier: Tier,
    text: Callable[[], str],
    source: str,
    clock: Callable[[], dict[str, Any]],
    template: str | None,
) -> None:
    """A reminder due at ``at``, then every ``repeat`` seconds of calendar time if set."""
    if at > ctx.now:
        ctx.wake(at)
        return
    count = int((ctx.now - at) // repeat) if repeat else 0
    if repeat:
        ctx.wake(at + (count + 1) * repeat)
    key = ctx.key(rule, None, action)
    key += f"#{count}" if count else ""
    if not ctx.fresh(key):
        return
    route = ctx.policy.tiers[tier].route
    rule_id = rule.partition("@")[0]
    ctx.emit(key, rule_id, action, tier, route, text(), source, {}, clock(), template)
