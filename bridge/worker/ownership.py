"""Checks the engine makes around the policy: one accountable owner, and the root cause recorded.

An escalated ticket needs a named person. The bridge hands a ticket to a group; if nobody takes
it (a new assignee in the desk, "Acknowledge" or "Take ownership" in chat, an acknowledged page)
within ``OWNERSHIP_GRACE`` of reaching the tier, the tier's channel is told once per tier. The
previous tier's agent left assigned in the desk is not the new owner. The grace runs from when
the bridge made the escalation, not from a back-dated tier time (a ticket first seen long after
its tier's limit ran out).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from policies import Policy
from policies.fields import field_key, lookup
from policies.model import OWNERSHIP_GRACE_MINUTES, AuthorRole, EscalationState, Ticket, Tier
from policies.templates import RCA_MARKER

OWNERSHIP_GRACE = timedelta(minutes=OWNERSHIP_GRACE_MINUTES)


@dataclass(frozen=True)
class OwnershipGap:
    alert: bool  # tell the tier's channel now
    check_at: datetime | None  # when to look again if nobody takes it before then
    key: str


def ownership_gap(ticket: Ticket, state: EscalationState, now: datetime) -> OwnershipGap:
    key = f"{ticket.source.value}:{ticket.id}:ownership-gap:{state.tier}"
    quiet = OwnershipGap(False, None, key)
    if state.tier < Tier.L2 or state.tier_since is None or ticket.status.resolved:
        return quiet
    if key in state.fired:
        return quiet
    if ticket.assignee_id and ticket.assignee_id != state.handed_from:
        return quiet
    start = handed_over_at(state, state.tier_since)
    if any(m.kind in OWNING and m.at >= start for m in state.manual):
        return quiet
    if state.acknowledged_at is not None and state.acknowledged_at >= start:
        return quiet
    due = start + OWNERSHIP_GRACE
    return OwnershipGap(True, None, key) if now >= due else OwnershipGap(False, due, key)


OWNING = ("take_ownership", "acknowledge")


def handed_over_at(state: EscalationState, tier_since: datetime) -> datetime:
    """When the bridge moved the ticket to its tier: the escalation's first firing, which is
    never before the (possibly back-dated) tier time."""
    suffix = f":{state.tier.name}:escalate"
    fired = [at for key, at in state.fired.items() if key.endswith(suffix)]
    return max(tier_since, min(fired, default=tier_since))


def hand_over(before: EscalationState, after: EscalationState, ticket: Ticket) -> EscalationState:
    """Remembers who was assigned when the ticket moved up a tier, until the ticket is seen
    without them (removed at the hand-over, or someone else assigned): whoever is assigned from
    then on owns it, the same agent taking it back included."""
    if after.tier > before.tier:
        return dataclasses.replace(after, handed_from=ticket.assignee_id)
    if after.handed_from is not None and ticket.assignee_id != after.handed_from:
        return dataclasses.replace(after, handed_from=None)
    return after


def rca_written(ticket: Ticket, policy: Policy) -> bool:
    """An agent's internal note starting with the RCA template's marker (the bridge's own request
    starts with it too, but is the bridge's), or the policy's RCA field filled in."""
    rca = policy.doc.targets.rca
    if rca is not None and rca.field and (found := lookup(ticket, field_key(rca.field))):
        return bool(str(found[1]).strip())
    return any(
        c.author_role is AuthorRole.AGENT
        and not c.public
        and c.body.lstrip().startswith(RCA_MARKER)
        for c in ticket.comments
    )
