"""Checks the engine makes around the policy: one accountable owner, and the root cause recorded.

An escalated ticket needs a named person. The bridge hands a ticket to a group; if nobody takes
it (an assignee in the desk, or "Take ownership" in Slack) within ``OWNERSHIP_GRACE`` of reaching
the tier, the tier's channel is told once per tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from policies import Policy
from policies.fields import field_key, lookup
from policies.model import AuthorRole, EscalationState, Ticket, Tier
from policies.templates import RCA_MARKER

OWNERSHIP_GRACE = timedelta(minutes=15)


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
    if ticket.assignee_id or key in state.fired:
        return quiet
    if any(m.kind == "take_ownership" and m.at >= state.tier_since for m in state.manual):
        return quiet
    due = state.tier_since + OWNERSHIP_GRACE
    return OwnershipGap(True, None, key) if now >= due else OwnershipGap(False, due, key)


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
