"""Statuspage rules: when an outage is published, asked about, updated and resolved, once."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from policies import Policy, PolicyError, apply_decisions, evaluate, parse_policy
from policies.model import DecisionKind, EscalationState, ManualRequest, Status, Tier
from tests.policies.factory import MON, H, M, ticket

BASE = """\
version: 1
channels: {management: "#mgmt"}
teams_channels: {mgmt: TEAMS_MANAGEMENT_URL}
notify_routes: {management: {}}
tiers:
  L1: {name: Frontline}
  L2: {name: Senior}
  L3: {name: Engineering}
  L4: {name: Management}
matrix:
  Critical: {L1: 15m, L2: 1h, L3: 2h, management: on request}
  High: {L1: 2h, L2: 4h, L3: 8h, management: on request}
  Medium: {L1: 4h, L2: 1d, L3: 2d, management: on request}
  Low: {L1: 1d, L2: 2d, L3: 3d, management: on request}
statuspage:
  - id: outage
    when: {ticket_tags: [outage]}
    tier: L2
    confirm: CONFIRM
    channel: management
    teams: mgmt
    components: {field: affected, tags: {outage_api: API}}
"""


def policy(confirm: bool) -> Policy:
    return parse_policy(BASE.replace("CONFIRM", str(confirm).lower()), "p.yaml")


def run(
    pol: Policy, state: EscalationState, now: dt.datetime, **kw: object
) -> tuple[list[DecisionKind], EscalationState]:
    t = ticket(created=MON, tags=frozenset({"outage", "outage_api"}), **kw)  # type: ignore[arg-type]
    evaluation = evaluate(t, state, pol, now)
    kinds = [d.action for d in evaluation.decisions if d.action.value.startswith("status_")]
    return kinds, apply_decisions(state, evaluation, now)


def test_published_at_once_at_the_tier_then_updated_then_resolved() -> None:
    pol, state = policy(confirm=False), EscalationState()
    kinds, state = run(pol, state, MON + 5 * M)
    assert kinds == []  # still L1
    kinds, state = run(pol, state, MON + 20 * M)
    assert kinds == [DecisionKind.STATUS_OPEN]
    assert run(pol, state, MON + 30 * M)[0] == []  # nothing new
    kinds, state = run(pol, state, MON + 80 * M)  # L3 now
    assert kinds == [DecisionKind.STATUS_UPDATE]
    kinds, state = run(pol, state, MON + 90 * M, status=Status.SOLVED)
    assert kinds == [DecisionKind.STATUS_RESOLVE]
    assert run(pol, state, MON + 2 * H, status=Status.SOLVED)[0] == []


def test_confirm_asks_once_and_publishes_on_a_persons_yes() -> None:
    pol, state = policy(confirm=True), EscalationState()
    kinds, state = run(pol, state, MON + 20 * M)
    assert kinds == [DecisionKind.STATUS_PROPOSE]
    assert run(pol, state, MON + 25 * M)[0] == []
    yes = ManualRequest(kind="publish_statuspage", by="lee", at=MON + 26 * M)
    kinds, state = run(pol, dataclasses.replace(state, manual=(yes,)), MON + 27 * M)
    assert kinds == [DecisionKind.STATUS_OPEN]


def test_a_yes_before_the_question_publishes_nothing() -> None:
    pol = policy(confirm=True)
    early = ManualRequest(kind="publish_statuspage", by="lee", at=MON + 1 * M)
    kinds, _ = run(pol, EscalationState(manual=(early,)), MON + 2 * M)
    assert kinds == []


def test_the_decision_carries_what_the_page_shows() -> None:
    t = ticket(
        created=MON,
        tags=frozenset({"outage", "outage_api"}),
        custom_fields={"affected": "Checkout, API"},
    )
    [decision] = [
        d
        for d in evaluate(t, EscalationState(), policy(confirm=True), MON + 20 * M).decisions
        if d.action is DecisionKind.STATUS_PROPOSE
    ]
    assert decision.reason.inputs["components"] == ["Checkout", "API"]
    assert decision.route.slack_channel == "#mgmt"
    assert decision.route.teams_channel == "TEAMS_MANAGEMENT_URL"
    assert decision.tier is Tier.L2


@pytest.mark.parametrize(
    ("written", "instead", "said"),
    [
        ("    teams: mgmt\n", "    teams: nope\n", "unknown Teams channel 'nope'"),
        ("{mgmt: TEAMS_MANAGEMENT_URL}", "{mgmt: https://x}", "must name an environment variable"),
        ("    channel: management\n", "    channel: nowhere\n", "unknown channel 'nowhere'"),
        ("    tier: L2\n", "    tier: L2\n    messages: {title: 'Down {x}'}\n", "placeholder {x}"),
        ("    tier: L2\n", "    tier: L2\n    component_status: broken\n", "major_outage"),
    ],
)
def test_policy_check_names_the_mistake(written: str, instead: str, said: str) -> None:
    text = BASE.replace("CONFIRM", "true").replace(written, instead)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.yaml")
    assert str(caught.value).startswith("p.yaml:") and said in str(caught.value)


def test_a_second_rule_with_the_same_id_is_refused() -> None:
    rule = BASE.split("statuspage:\n")[1].replace("CONFIRM", "true")
    with pytest.raises(PolicyError, match="duplicate statuspage rule id 'outage'"):
        parse_policy(BASE.replace("CONFIRM", "true") + rule, "p.yaml")
