"""Routes (functional, hierarchical, domain; ``continue``) and ``apply_decisions``."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from policies import apply_decisions, evaluate
from policies.model import DecisionKind, EscalationState, Priority, Tier
from tests.policies.factory import MON, STATE, H, M, agent_reply, default_policy, ticket

NOW = MON + H


def escalated(**kw: object):  # type: ignore[no-untyped-def]
    t = ticket(Priority.NORMAL, tags=frozenset({"escalate_l2"}) | kw.pop("tags", frozenset()), **kw)  # type: ignore[operator,arg-type]
    return evaluate(t, STATE, default_policy(), NOW)


@pytest.mark.parametrize(
    ("kw", "owner", "also"),
    [
        ({}, "L2", []),
        ({"custom_fields": {"category": "warranty"}}, "warranty-claims", []),
        ({"tags": frozenset({"api"})}, "integration-specialists", []),
        ({"custom_fields": {"refund_amount": 800}}, "refund-approval", []),
        (
            {"custom_fields": {"refund_amount": 800, "category": "warranty"}},
            "refund-approval",
            ["warranty-claims"],
        ),
        ({"custom_fields": {"refund_amount": 100, "category": "warranty"}}, "warranty-claims", []),
    ],
)
def test_routes(kw: dict[str, object], owner: str, also: list[str]) -> None:
    result = escalated(**kw)
    escalate = next(d for d in result.decisions if d.action is DecisionKind.ESCALATE)
    assert escalate.route.name == owner
    notified = [d.route.name for d in result.decisions if d.action is DecisionKind.NOTIFY]
    assert notified == also


def test_route_inherits_tier_channels() -> None:
    result = escalated(custom_fields={"category": "warranty"})
    escalate = next(d for d in result.decisions if d.action is DecisionKind.ESCALATE)
    assert (escalate.route.group, escalate.route.slack_channel) == (
        "warranty-claims",
        "#support-specialists",
    )
    assert escalate.route.customer_ack is True


def test_escalation_bundle_and_templates() -> None:
    result = escalated()
    kinds = [(d.action, d.template) for d in result.decisions if d.rule == "tag:escalate_l2"]
    assert kinds == [
        (DecisionKind.ESCALATE, None),
        (DecisionKind.INTERNAL_NOTE, "handoff_note"),
        (DecisionKind.CUSTOMER_ACK, "customer_ack"),
    ]
    assert len({d.key for d in result.decisions}) == len(result.decisions)


def test_apply_records_everything_and_is_idempotent() -> None:
    t = ticket(Priority.URGENT, comments=(agent_reply(MON + M),))
    now = MON + 2 * H
    result = evaluate(t, STATE, default_policy(), now)
    state = apply_decisions(STATE, result, now)
    assert state.tier == Tier.L3 and state.page_open
    assert state.tier_since == MON + 75 * M
    assert [(h.from_tier, h.to_tier) for h in state.history] == [
        (Tier.L1, Tier.L2),
        (Tier.L2, Tier.L3),
    ]
    assert set(state.fired) == {d.key for d in result.decisions} | {"zendesk:42:matrix:L3:done"}
    assert state.owner == "engineering-support"
    again = evaluate(t, state, default_policy(), now)
    assert again.decisions == ()
    assert apply_decisions(state, again, now) == state


def test_keys_are_stable_across_re_evaluation() -> None:
    t = ticket(Priority.URGENT)
    first = evaluate(t, STATE, default_policy(), MON + 2 * H)
    second = evaluate(t, STATE, default_policy(), MON + 2 * H + M)
    assert (
        {d.key for d in first.decisions if d.action is DecisionKind.PAGE}
        == {d.key for d in second.decisions if d.action is DecisionKind.PAGE}
        == {"zendesk:42:matrix:L3:page"}
    )


def test_apply_never_lowers_the_tier() -> None:
    state = EscalationState(tier=Tier.L3, tier_since=MON)
    result = evaluate(ticket(Priority.LOW), EscalationState(), default_policy(), NOW)
    assert apply_decisions(state, result, NOW).tier == Tier.L3


def test_take_ownership() -> None:
    from policies.model import ManualRequest

    state = EscalationState(manual=(ManualRequest("take_ownership", "U9", MON + M),))
    result = evaluate(ticket(Priority.LOW), state, default_policy(), NOW)
    assert apply_decisions(state, result, NOW).owner == "U9"
    assert dataclasses.replace(state).owner is None
    assert isinstance(NOW, dt.datetime)
