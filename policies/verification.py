"""Resolution verification of an escalated ticket: once solved, the customer is asked to confirm
(a public reply); a confirmation is recorded; a reopen within the policy's window is flagged to
the team that owned it (``targets.resolution_check``)."""

from __future__ import annotations

from policies.context import Context, iso
from policies.durations import spoken_duration
from policies.facts import Facts
from policies.model import AuthorRole, DecisionKind, Ticket, Tier

CONFIRM_PHRASES = "resolution_confirmed"  # the default policy's list of "it works now" words
GOOD_SCORE = 4
CHECK, CONFIRMED = DecisionKind.RESOLUTION_CHECK, DecisionKind.RESOLUTION_CONFIRMED
NOTIFY = DecisionKind.NOTIFY


def verify(
    ctx: Context,
    ticket: Ticket,
    facts: Facts,
    tier: Tier,
    resolved: bool,
    solved_at: float | None,
) -> None:
    """``solved_at``: the current solve of a resolved ticket, else the last one before a
    reopen (None: never solved)."""
    cp = ctx.policy
    window = cp.reopen_within
    if window is None or tier == Tier.L1 or solved_at is None:
        return
    route = cp.tiers[tier].route
    source = cp.sources["resolution_check"]
    confirmed = confirmation(ticket, solved_at)
    if confirmed:
        ctx.emit(
            ctx.key(f"confirmed@{int(solved_at)}", None, CONFIRMED),
            "resolution_confirmed",
            CONFIRMED,
            tier,
            route,
            f"The customer confirmed the resolution ({confirmed})",
            source,
            {"how": confirmed, "solved_at": iso(solved_at)},
        )
    if resolved:
        # A ticket the bridge first sees long after its solve is not asked any more; a customer
        # who rated it badly gets a person (the follow-up), not a form letter.
        sat = ticket.satisfaction
        unhappy = sat is not None and ((sat.score or 5) < GOOD_SCORE - 1 or sat.label == "bad")
        if ctx.now - solved_at <= window and not confirmed and not unhappy:
            ctx.emit(
                ctx.key(f"resolution_check@{int(solved_at)}", None, CHECK),
                "resolution_check",
                CHECK,
                tier,
                route,
                "Customer asked to confirm the resolution",
                source,
                {"solved_at": iso(solved_at)},
                {"deadline": iso(solved_at + window)},
                cp.tiers[tier].templates.resolution_check,
            )
        return
    reopened = reopened_at(ticket, solved_at)
    if reopened is None or reopened - solved_at > window or confirmed:
        return
    after = spoken_duration(reopened - solved_at)
    ctx.emit(
        ctx.key(f"reopened@{int(solved_at)}", None, NOTIFY),
        "reopened",
        NOTIFY,
        tier,
        route,
        f"Reopened {after} after it was solved: the resolution did not hold",
        source,
        {"solved_at": iso(solved_at), "reopened_at": iso(reopened)},
    )


def confirmation(ticket: Ticket, solved_at: float) -> str:
    """How the customer confirmed the resolution after ``solved_at`` ("" if they did not): a
    good rating, or a reply saying it works."""
    sat = ticket.satisfaction
    if (sat is not None and (sat.score or 0) >= GOOD_SCORE) or (sat and sat.label == "good"):
        rated = sat.rated_at.timestamp() if sat.rated_at else None
        if rated is None or rated >= solved_at:
            return "a good satisfaction rating"
    for comment in ticket.comments:
        if comment.author_role is not AuthorRole.CUSTOMER or not comment.public:
            continue
        signals = comment.signals
        after = comment.created_at.timestamp() >= solved_at
        if after and signals is not None and CONFIRM_PHRASES in signals.phrases:
            return "a reply saying it works"
    return ""


def reopened_at(ticket: Ticket, solved_at: float) -> float | None:
    """When the ticket left the solved state after ``solved_at``, from the status history."""
    for change in ticket.status_history:
        at = change.at.timestamp()
        if at > solved_at and not change.status.resolved:
            return at
    return None
