"""``apply_decisions``: the escalation state after an evaluation's decisions are carried out."""

from __future__ import annotations

import dataclasses
import datetime as dt

from policies.engine import Evaluation
from policies.model import DecisionKind, EscalationState


def apply_decisions(
    state: EscalationState, evaluation: Evaluation, now: dt.datetime
) -> EscalationState:
    """Pure: records the tier, history, fired keys, page and solve state. Never lowers the tier."""
    fired = dict(state.fired)
    for decision in evaluation.decisions:
        fired.setdefault(decision.key, now)
    for key in evaluation.consumed:
        fired.setdefault(key, now)
    page_open = state.page_open
    owner = state.owner
    acknowledged_by, acknowledged_at = state.acknowledged_by, state.acknowledged_at
    for decision in evaluation.decisions:
        action = decision.action
        if action is DecisionKind.PAGE:
            page_open = True
        elif action is DecisionKind.RESOLVE_PAGE:
            page_open = False
        elif action is DecisionKind.ESCALATE or action is DecisionKind.FOLLOW_UP:
            owner = decision.route.assignee or decision.route.group or decision.route.name
        elif action is DecisionKind.ACKNOWLEDGE_PAGE:
            acknowledged_by = str(decision.reason.inputs.get("by") or "") or None
            acknowledged_at = now
    for request in state.manual:
        if request.kind == "take_ownership" and request.at <= now:
            owner = request.by
    tier = max(state.tier, evaluation.tier)
    tier_since = state.tier_since
    if tier != state.tier or tier_since is None:
        tier_since = evaluation.tier_since
    return dataclasses.replace(
        state,
        tier=tier,
        tier_since=tier_since,
        owner=owner,
        history=state.history + evaluation.steps,
        fired=fired,
        page_open=page_open,
        solved_at=evaluation.solved_at,
        acknowledged_by=acknowledged_by,
        acknowledged_at=acknowledged_at,
    )
