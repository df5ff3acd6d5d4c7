"""Issue 13, escalation types and tiers: routes that take a ticket at once, L4 owned by
management, management "on request", complexity to specialists first, the desk's SLA breach."""

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
    Priority,
    Severity,
    Status,
    Ticket,
    Tier,
)
from tests.policies.factory import (
    MON,
    STATE,
    D,
    H,
    M,
    agent_reply,
    comment,
    default_policy,
    policy_with,
    ticket,
)

S = dt.timedelta(seconds=1)
NOW = MON + H


def _escalations(
    t: Ticket, state: EscalationState = STATE, now: dt.datetime = NOW
) -> list[tuple[str, Tier, str]]:
    result = evaluate(t, state, default_policy(), now)
    return [
        (d.rule, d.tier, d.route.name)
        for d in result.decisions
        if d.action is DecisionKind.ESCALATE
    ]


# Item 5: a route's condition takes the ticket to its team at once (not after the L1 timer).
# (label, ticket, state, expected ESCALATE decisions (rule, tier, owner route))
ROUTES: list[tuple[str, Ticket, EscalationState, list[tuple[str, Tier, str]]]] = [
    (
        "warranty dispute at L1: to warranty-claims at L2 now",
        ticket(Priority.LOW, custom_fields={"category": "warranty"}),
        STATE,
        [("route:warranty-claims", Tier.L2, "warranty-claims")],
    ),
    (
        "refund above the limit: the managers, who approve it",
        ticket(Priority.LOW, custom_fields={"refund_amount": "750.00"}),
        STATE,
        [("route:refund-approval", Tier.L2, "refund-approval")],
    ),
    (
        "integration issue by tag",
        ticket(Priority.NORMAL, tags=frozenset({"api"})),
        STATE,
        [("route:integration-specialists", Tier.L2, "integration-specialists")],
    ),
    (
        "compliance request: its team, not L4",
        ticket(
            Priority.NORMAL, comments=(comment(MON + M, phrases=frozenset({"compliance_request"})),)
        ),
        STATE,
        [("route:compliance", Tier.L2, "compliance")],
    ),
    (
        "already at L2 with senior support: handed to the team where it is",
        ticket(Priority.LOW, custom_fields={"category": "warranty"}),
        EscalationState(tier=Tier.L2, tier_since=MON, owner="senior-support"),
        [("route:warranty-claims", Tier.L2, "warranty-claims")],
    ),
    (
        "already with the team: nothing again",
        ticket(Priority.LOW, custom_fields={"category": "warranty"}),
        EscalationState(tier=Tier.L2, tier_since=MON, owner="warranty-claims"),
        [],
    ),
    (
        "nothing matches",
        ticket(Priority.LOW, custom_fields={"category": "billing"}),
        STATE,
        [],
    ),
]


@pytest.mark.parametrize(
    ("t", "state", "expected"), [c[1:] for c in ROUTES], ids=[c[0] for c in ROUTES]
)
def test_routes_take_the_ticket_at_once(
    t: Ticket, state: EscalationState, expected: list[tuple[str, Tier, str]]
) -> None:
    assert _escalations(t, state) == expected


def test_an_immediate_route_hands_off_like_any_escalation_and_only_once() -> None:
    t = ticket(Priority.LOW, custom_fields={"category": "warranty"})
    result = evaluate(t, STATE, default_policy(), NOW)
    kinds = {(d.action, d.route.name) for d in result.decisions}
    assert (DecisionKind.INTERNAL_NOTE, "warranty-claims") in kinds
    assert (DecisionKind.CUSTOMER_ACK, "warranty-claims") in kinds
    assert result.decisions[0].route.slack_channel == "#support-specialists"
    state = apply_decisions(STATE, result, NOW)
    again = evaluate(t, state, default_policy(), NOW + H)
    assert not [d for d in again.decisions if d.action is DecisionKind.ESCALATE]


def test_with_tier_routes_wait_for_the_ticket_to_escalate() -> None:
    doc_routes = [
        {
            "name": "warranty-claims",
            "when": {"ticket_fields": {"category": ["warranty"]}},
            "escalate": "with_tier",
            "group": "warranty-claims",
        }
    ]
    policy = policy_with(routes=doc_routes, triggers=[])
    t = ticket(Priority.LOW, custom_fields={"category": "warranty"})
    assert evaluate(t, STATE, policy, NOW).tier == Tier.L1
    later = evaluate(t, STATE, policy, MON + 2 * D)  # after the L1 limit of 1 business day
    [escalate] = [d for d in later.decisions if d.action is DecisionKind.ESCALATE]
    assert (escalate.rule, escalate.route.name) == ("matrix", "warranty-claims")


# Item 6: at L4 the management route owns the ticket; a team is told alongside.
def test_l4_is_owned_by_management_and_the_team_is_told() -> None:
    t = ticket(
        Priority.NORMAL,
        tags=frozenset({"api"}),
        comments=(comment(MON + M, phrases=frozenset({"legal"})),),
    )
    state = EscalationState(tier=Tier.L2, tier_since=MON, owner="integration-specialists")
    result = evaluate(t, state, default_policy(), NOW)
    [escalate] = [d for d in result.decisions if d.action is DecisionKind.ESCALATE]
    assert (escalate.tier, escalate.route.name, escalate.route.group) == (
        Tier.L4,
        "L4",
        "support-management",
    )
    told = {d.route.name for d in result.decisions if d.action is DecisionKind.NOTIFY}
    assert "integration-specialists" in told


# Item 7: "on request" (Low): the clock never reaches management; a request does.
LOW_L3 = EscalationState(tier=Tier.L3, tier_since=MON)
ASKS = comment(MON + M, phrases=frozenset({"escalation_request"}))
ON_REQUEST: list[tuple[str, Priority, Callable[[], tuple[Ticket, EscalationState]], bool, Tier]] = [
    ("Low at L3 for a month: no L4, no notice", Priority.LOW,
     lambda: (ticket(Priority.LOW), LOW_L3), False, Tier.L3),
    ("Low, the customer asks for a manager", Priority.LOW,
     lambda: (ticket(Priority.LOW, comments=(ASKS,)), STATE), True, Tier.L2),
    ("Low, escalate_l4 tag", Priority.LOW,
     lambda: (ticket(Priority.LOW, tags=frozenset({"escalate_l4"})), STATE), True, Tier.L4),
    ("Low, a Slack request", Priority.LOW,
     lambda: (ticket(Priority.LOW), EscalationState(
         tier_since=MON, manual=(ManualRequest("escalate", "U1", MON + M),))), True, Tier.L2),
    ("Low, no request", Priority.LOW, lambda: (ticket(Priority.LOW), STATE), False, Tier.L1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("priority", "build", "told", "tier"),
    [c[1:] for c in ON_REQUEST],
    ids=[c[0] for c in ON_REQUEST],
)
def test_management_on_request(
    priority: Priority,
    build: Callable[[], tuple[Ticket, EscalationState]],
    told: bool,
    tier: Tier,
) -> None:
    t, state = build()
    now = MON + 30 * D if state is LOW_L3 else NOW
    result = evaluate(t, state, default_policy(), now)
    # The management notice, or at L4 the hand-off to management itself.
    notices = [d for d in result.decisions if d.route.slack_channel == "#support-management"]
    assert bool(notices) is told
    assert result.tier == tier


def test_on_request_notice_says_who_asked_and_medium_waits_for_its_clock() -> None:
    low = evaluate(ticket(Priority.LOW, comments=(ASKS,)), STATE, default_policy(), NOW)
    [notice] = [d for d in low.decisions if d.rule == "management"]
    assert notice.route.name == "management" and "on request" in notice.reason.text
    medium = evaluate(ticket(Priority.NORMAL, comments=(ASKS,)), STATE, default_policy(), NOW)
    assert not [d for d in medium.decisions if d.rule == "management"]  # after 1 business day


def test_no_update_stops_below_management_for_on_request_severities() -> None:
    t = ticket(Priority.LOW, comments=(agent_reply(MON + M),))
    result = evaluate(t, LOW_L3, default_policy(), MON + 7 * D)
    assert result.tier == Tier.L3 and not [d for d in result.decisions if d.rule == "no_update"]


# Item 9: the desk's own SLA passing on an unresolved ticket moves it one tier, at that second.
BREACH = MON + 30 * M
SLA = [
    ("before the breach", {"first_response": BREACH}, Status.OPEN, BREACH - S, [], BREACH),
    ("at the breach", {"first_response": BREACH}, Status.OPEN, BREACH,
     [("desk_sla_breach", Tier.L2)], None),
    ("resolution due later", {"resolution": BREACH + H}, Status.OPEN, BREACH, [], BREACH + H),
    ("solved: not a breach", {"resolution": BREACH}, Status.SOLVED, BREACH + H, [], None),
    ("a target the policy does not name", {"periodic_update": BREACH}, Status.OPEN, BREACH,
     [], None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("due", "status", "now", "expected", "next_check"),
    [c[1:] for c in SLA],
    ids=[c[0] for c in SLA],
)
def test_desk_sla_breach(
    due: dict[str, dt.datetime],
    status: Status,
    now: dt.datetime,
    expected: list[tuple[str, Tier]],
    next_check: dt.datetime | None,
) -> None:
    policy = policy_with(warnings=[], targets={"first_response": None, "rca": None})
    t = ticket(Priority.LOW, status=status, desk_sla=due, updated_at=MON)
    result = evaluate(t, EscalationState(tier_since=MON), policy, now)
    got = [(d.rule, d.tier) for d in result.decisions if d.action is DecisionKind.ESCALATE]
    assert got == expected
    if next_check is not None:
        assert result.next_check_at == next_check


def test_each_new_breach_moves_one_more_tier() -> None:
    t = ticket(
        Priority.LOW,
        desk_sla={"first_response": BREACH, "resolution": BREACH + H},
        comments=(agent_reply(BREACH + M),),
    )
    state = EscalationState(tier_since=MON)
    first = evaluate(t, state, default_policy(), BREACH)
    state = apply_decisions(state, first, BREACH)
    assert state.tier == Tier.L2
    assert evaluate(t, state, default_policy(), BREACH + H - S).tier == Tier.L2
    second = evaluate(t, state, default_policy(), BREACH + H)
    assert second.tier == Tier.L3 and second.severity is Severity.LOW


def test_complexity_and_engineering_are_different_tiers() -> None:
    replies = tuple(agent_reply(MON + i * M) for i in range(5))
    note = comment(MON + 10 * M, AuthorRole.AGENT, public=False, phrases=frozenset({"engineering"}))
    assert _escalations(ticket(Priority.NORMAL, comments=replies)) == [
        ("complexity", Tier.L2, "L2")
    ]
    assert _escalations(ticket(Priority.NORMAL, comments=(*replies, note))) == [
        ("engineering", Tier.L3, "L3")
    ]
