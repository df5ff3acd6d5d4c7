"""What is due once a ticket is solved: its page resolved, a follow-up where the customer is
unhappy, and the root-cause write-up."""

from __future__ import annotations

from policies.compiled import NEXT
from policies.context import Context, iso
from policies.facts import Facts
from policies.model import DecisionKind, EscalationState, Ticket, Tier
from policies.routing import route_for
from policies.timers import reminder
from policies.triggers import FollowUp

L1, L4 = Tier.L1, Tier.L4
RCA, FOLLOW_UP = DecisionKind.REQUEST_RCA, DecisionKind.FOLLOW_UP


def follow_ups(
    ctx: Context, ticket: Ticket, facts: Facts, found: list[FollowUp], tier: Tier
) -> Tier:
    """A solved ticket's follow-ups (e.g. a low CSAT): the trigger's tier's team is told and
    owns it, the ticket is not handed over and the customer is told nothing. Returns the
    highest tier that owns a follow-up (L1 when none)."""
    owner_tier = L1
    for trigger, at, what in found:
        target = trigger.tier
        target = Tier(min(tier + 1, L4)) if target == NEXT or target is None else target
        owner_tier = max(owner_tier, target)
        routed = route_for(ctx.policy, target, ctx.sev, ticket, facts, ctx.now)
        text = f"Follow-up for {routed.owner.name} on a solved ticket: {what}"
        inputs = {"matched": what, "at": iso(at), "reopen": trigger.reopen}
        template = ctx.policy.tiers[target].templates.follow_up
        key = ctx.key(trigger.id, target, FOLLOW_UP)
        ctx.emit(
            key,
            trigger.id,
            FOLLOW_UP,
            target,
            routed.owner,
            text,
            trigger.source,
            inputs,
            template=template,
        )
    return owner_tier


def after_solve(ctx: Context, state: EscalationState, tier: Tier, solved_at: float) -> None:
    """Close the page and ask for the root cause of an escalated ticket once it is solved;
    ``tier`` is the highest tier that handled or follows up the ticket."""
    cp = ctx.policy
    route = cp.tiers[tier].route
    if state.page_open:
        key = ctx.key(f"solved@{int(solved_at)}", tier, DecisionKind.RESOLVE_PAGE)
        ctx.emit(
            key,
            "solved",
            DecisionKind.RESOLVE_PAGE,
            tier,
            route,
            "Ticket solved: resolve the page",
            cp.sources["manual"],
            {"solved_at": iso(solved_at)},
        )
    if cp.rca is None or tier == L1:
        return
    due_after, repeat = cp.rca
    template = cp.tiers[tier].templates.rca_request
    source = cp.sources["rca"]
    # The write-up is due after the solve, however late the bridge hears of a follow-up.
    deadline = solved_at + due_after
    clock = {"solved_at": iso(solved_at), "deadline": iso(deadline)}
    ctx.emit(
        ctx.key("rca", None, RCA),
        "rca",
        RCA,
        tier,
        route,
        f"Root-cause write-up due by {iso(deadline)}",
        source,
        {},
        clock,
        template,
    )
    if not state.rca_recorded:
        reminder(
            ctx,
            "rca_reminder",
            deadline,
            repeat,
            RCA,
            tier,
            lambda: "Root-cause write-up is overdue",
            source,
            lambda: clock,
            template,
        )
