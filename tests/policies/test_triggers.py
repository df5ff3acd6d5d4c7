"""Every automatic and manual trigger of the default policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from policies import apply_decisions, evaluate
from policies.model import (
    AuthorRole,
    DecisionKind,
    EscalationState,
    ManualRequest,
    Party,
    Priority,
    Satisfaction,
    Severity,
    Status,
    Ticket,
    Tier,
)
from tests.policies.factory import MON, STATE, D, H, M, agent_reply, comment, default_policy, ticket

NOW = MON + H
SAT = MON - 2 * D  # within the Medium L1 limit of 4 business hours


def _customer_replies(n: int) -> Ticket:
    replies = [comment(MON + (i + 1) * 5 * M) for i in range(n)]
    return ticket(Priority.NORMAL, comments=(agent_reply(MON), *replies))


CASES: list[tuple[str, Callable[[], Ticket], str | None, Tier]] = [
    ("quiet ticket", lambda: ticket(Priority.NORMAL), None, Tier.L1),
    ("3 customer replies", lambda: _customer_replies(3), "customer_replies", Tier.L2),
    ("2 customer replies", lambda: _customer_replies(2), None, Tier.L1),
    (
        "CSAT 2",
        lambda: ticket(Priority.NORMAL, satisfaction=Satisfaction(score=2, rated_at=MON)),
        "low_csat",
        Tier.L2,
    ),
    (
        "CSAT bad label without score",
        lambda: ticket(Priority.NORMAL, satisfaction=Satisfaction(label="bad")),
        "low_csat",
        Tier.L2,
    ),
    ("CSAT 3", lambda: ticket(Priority.NORMAL, satisfaction=Satisfaction(score=3)), None, Tier.L1),
    (
        "VIP organization",
        lambda: ticket(Priority.LOW, organization=Party("o1", tags=frozenset({"vip"}))),
        "vip",
        Tier.L2,
    ),
    (
        "VIP by Freshdesk account_tier field",
        lambda: ticket(Priority.LOW, requester=Party("r1", fields={"account_tier": "Enterprise"})),
        "vip",
        Tier.L2,
    ),
    (
        "very negative latest comment",
        lambda: ticket(Priority.NORMAL, comments=(comment(MON + M, sentiment=-0.8),)),
        "negative_sentiment",
        Tier.L2,
    ),
    (
        "negative trend",
        lambda: ticket(
            Priority.NORMAL,
            comments=(
                comment(MON, sentiment=-0.5, cid="1"),  # the opening message
                comment(MON + 2 * M, sentiment=-0.5, cid="2"),
                agent_reply(MON + 3 * M),
                comment(MON + 4 * M, sentiment=-0.5, cid="3"),
            ),
        ),
        "negative_sentiment",
        Tier.L2,
    ),
    (
        "mildly negative comment",
        lambda: ticket(Priority.NORMAL, comments=(comment(MON + M, sentiment=-0.3),)),
        None,
        Tier.L1,
    ),
    (
        "asks for a manager",
        lambda: ticket(
            Priority.NORMAL,
            comments=(comment(MON + M, phrases=frozenset({"escalation_request"})),),
        ),
        "asks_for_manager",
        Tier.L2,
    ),
    (
        "legal words",
        lambda: ticket(Priority.NORMAL, comments=(comment(MON + M, phrases=frozenset({"legal"})),)),
        "legal",
        Tier.L4,
    ),
    # Complexity goes to specialised support (L2); engineering signals to L3.
    (
        "reassigned 3 times",
        lambda: ticket(Priority.NORMAL, group_changes=3),
        "complexity",
        Tier.L2,
    ),
    ("reassigned twice", lambda: ticket(Priority.NORMAL, group_changes=2), None, Tier.L1),
    (
        "5 agent replies without resolution",
        lambda: ticket(Priority.NORMAL, comments=tuple(agent_reply(MON + i * M) for i in range(5))),
        "complexity",
        Tier.L2,
    ),
    (
        "4 agent replies",
        lambda: ticket(Priority.NORMAL, comments=tuple(agent_reply(MON + i * M) for i in range(4))),
        None,
        Tier.L1,
    ),
    ("bug tag", lambda: ticket(Priority.NORMAL, tags=frozenset({"bug"})), "engineering", Tier.L3),
    (
        "linked engineering issue",
        lambda: ticket(Priority.NORMAL, custom_fields={"engineering_issue": "ENG-12"}),
        "engineering",
        Tier.L3,
    ),
    (
        "agent note: requires code change",
        lambda: ticket(
            Priority.NORMAL,
            comments=(
                comment(
                    MON + M, AuthorRole.AGENT, public=False, phrases=frozenset({"engineering"})
                ),
            ),
        ),
        "engineering",
        Tier.L3,
    ),
    (
        "customer says engineering words",
        lambda: ticket(
            Priority.NORMAL, comments=(comment(MON + M, phrases=frozenset({"engineering"})),)
        ),
        None,
        Tier.L1,
    ),
    (
        "tag escalate",
        lambda: ticket(Priority.NORMAL, tags=frozenset({"escalate"})),
        "tag:escalate",
        Tier.L2,
    ),
    (
        "tag escalate_l3",
        lambda: ticket(Priority.NORMAL, tags=frozenset({"escalate_l3"})),
        "tag:escalate_l3",
        Tier.L3,
    ),
]


@pytest.mark.parametrize(("name", "build", "rule", "tier"), CASES, ids=[c[0] for c in CASES])
def test_trigger(name: str, build: Callable[[], Ticket], rule: str | None, tier: Tier) -> None:
    result = evaluate(build(), STATE, default_policy(), NOW)
    escalations = [d for d in result.decisions if d.action is DecisionKind.ESCALATE]
    assert result.tier == tier
    assert [d.rule for d in escalations] == ([rule] if rule else [])
    if rule:
        assert escalations[0].reason.source.startswith("default.yaml:")
        assert escalations[0].tier == tier


def test_vip_notifies_customer_success() -> None:
    t = ticket(Priority.LOW, organization=Party("o1", tags=frozenset({"vip"})))
    result = evaluate(t, STATE, default_policy(), NOW)
    notify = [d for d in result.decisions if d.action is DecisionKind.NOTIFY]
    assert [(d.rule, d.route.name) for d in notify] == [("vip", "customer_success")]


def test_no_update_for_24h_while_open_moves_one_tier() -> None:
    t = ticket(Priority.URGENT, created=MON, comments=(agent_reply(MON + M),))
    state = EscalationState(tier=Tier.L4, tier_since=MON)
    assert evaluate(t, state, default_policy(), MON + 30 * H).tier == Tier.L4
    # Created on a Saturday: 24 h of silence end on Sunday, when nobody works; the business-
    # hours ticket moves when business opens on Monday (before its matrix clock moves it).
    t2 = ticket(Priority.LOW, created=SAT, comments=(agent_reply(SAT + M),))
    opens = MON.replace(hour=9)
    before = evaluate(t2, EscalationState(tier_since=SAT), default_policy(), SAT + 25 * H)
    assert before.tier == Tier.L1
    assert before.next_check_at == opens
    after = evaluate(t2, EscalationState(tier_since=SAT), default_policy(), opens)
    assert [d.rule for d in after.decisions if d.action is DecisionKind.ESCALATE] == ["no_update"]


def test_no_update_does_not_run_while_pending() -> None:
    t = ticket(Priority.LOW, status=Status.PENDING, comments=(agent_reply(MON + M),))
    result = evaluate(t, EscalationState(tier_since=MON), default_policy(), MON + 48 * H)
    assert result.tier == Tier.L1


def test_relative_trigger_fires_once_per_silence() -> None:
    policy = default_policy()
    t = ticket(Priority.LOW, created=SAT, comments=(agent_reply(SAT + M),))
    state = EscalationState(tier_since=SAT)
    moment = MON.replace(hour=9)
    result = evaluate(t, state, policy, moment)
    state = apply_decisions(state, result, moment)
    assert state.tier == Tier.L2
    again = evaluate(t, state, policy, moment + M)
    assert again.tier == Tier.L2
    assert not [d for d in again.decisions if d.action is DecisionKind.ESCALATE]


def test_impact_tag_raises_severity_and_notifies_management() -> None:
    t = ticket(Priority.LOW, tags=frozenset({"data_loss"}))
    result = evaluate(t, STATE, default_policy(), NOW)
    assert result.severity is Severity.CRITICAL
    assert ("impact", "management") in {(d.rule, d.route.name) for d in result.decisions}


def test_keyword_condition_matches_subject_and_description() -> None:
    from tests.policies.factory import policy_with

    override = {"id": "outage", "when": {"keywords": ["outage"]}, "severity": "High"}
    policy = policy_with(severity={"overrides": [override]})
    t = ticket(Priority.LOW, subject="Total OUTAGE in eu-west!")
    assert evaluate(t, STATE, policy, NOW).severity is Severity.HIGH


def test_manual_request_from_slack() -> None:
    request = ManualRequest(kind="escalate", by="U123", at=MON + M, reason="customer is angry")
    state = EscalationState(tier_since=MON, manual=(request,))
    result = evaluate(ticket(Priority.LOW), state, default_policy(), NOW)
    escalate = next(d for d in result.decisions if d.action is DecisionKind.ESCALATE)
    assert (escalate.rule, escalate.tier) == ("manual", Tier.L2)
    assert "U123" in escalate.reason.text
    state = apply_decisions(state, result, NOW)
    assert evaluate(ticket(Priority.LOW), state, default_policy(), NOW + M).tier == Tier.L2


def test_manual_request_to_a_chosen_tier() -> None:
    request = ManualRequest(kind="escalate", by="U1", at=MON + M, tier=Tier.L3)
    state = EscalationState(tier_since=MON, manual=(request,))
    assert evaluate(ticket(Priority.LOW), state, default_policy(), NOW).tier == Tier.L3


def test_csat_applies_to_solved_tickets_but_other_triggers_do_not() -> None:
    solved = ticket(
        Priority.NORMAL,
        status=Status.SOLVED,
        tags=frozenset({"bug"}),
        satisfaction=Satisfaction(score=1, rated_at=MON + M),
    )
    result = evaluate(solved, STATE, default_policy(), NOW)
    assert result.tier == Tier.L1  # a follow-up, not a hand-over
    assert {d.rule for d in result.decisions if d.action is DecisionKind.FOLLOW_UP} == {"low_csat"}
    assert not [d for d in result.decisions if d.action is DecisionKind.ESCALATE]


def test_bridge_comments_do_not_count_as_activity() -> None:
    bridge_note = comment(MON + 10 * H, AuthorRole.BRIDGE, public=False)
    t = ticket(Priority.LOW, created=MON, comments=(agent_reply(MON + M), bridge_note))
    result = evaluate(t, EscalationState(tier_since=MON), default_policy(), MON + M + 24 * H)
    assert "no_update" in {d.rule for d in result.decisions}


def test_disabled_trigger() -> None:
    from tests.policies.factory import policy_with

    policy = policy_with(
        triggers=[{"id": "vip", "enabled": False, "when": {"party_tags": ["vip"]}, "tier": "L2"}]
    )
    t = ticket(Priority.LOW, organization=Party("o1", tags=frozenset({"vip"})))
    assert evaluate(t, STATE, policy, NOW).tier == Tier.L1


def test_now_is_a_parameter() -> None:
    t = ticket(Priority.URGENT)
    assert evaluate(t, STATE, default_policy(), MON + dt.timedelta(minutes=14)).tier == Tier.L1
