"""Which pagers a page goes to: those the route names that are configured; with none of them
configured, the first named (so the missing set-up shows as a dead letter). Follow-ups go to
every configured pager (one that never paged the ticket skips them)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bridge.policy_files import load_policy, load_templates
from bridge.worker.comment_context import Plan
from bridge.worker.plan import ChatTarget, Planner
from connectors.actions import PageTrigger
from policies.model import Decision, DecisionKind, EscalationState, Explanation, Route, Tier
from tests.policies.factory import ticket

PD, OG = "PAGERDUTY_ROUTING_KEY", "OPSGENIE_KEY_ONCALL"


def decision(kind: DecisionKind, route: Route) -> Decision:
    return Decision(
        rule="matrix",
        action=kind,
        tier=Tier.L3,
        route=route,
        key="zendesk:42:L3",
        reason=Explanation(rule="matrix", text="2 h at L2", inputs={"by": "ana"}),
    )


def planner(pagers: tuple[str, ...]) -> Planner:
    return Planner(load_templates(), chats=(ChatTarget("slack", "#s"),), pagers=pagers)


PLAN = Plan(
    ticket=ticket(),
    state=EscalationState(),
    next_deadline=None,
    policy=load_policy(),
    now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("named", "configured", "paged"),
    [
        ({"pagerduty": PD}, ("pagerduty",), [("pagerduty", PD)]),
        ({"pagerduty": PD}, (), [("pagerduty", PD)]),  # shows as a dead letter
        ({"pagerduty": PD}, ("opsgenie",), [("pagerduty", PD)]),
        ({"opsgenie": OG}, ("opsgenie",), [("opsgenie", OG)]),
        ({"pagerduty": PD, "opsgenie": OG}, ("pagerduty",), [("pagerduty", PD)]),
        ({"pagerduty": PD, "opsgenie": OG}, ("opsgenie",), [("opsgenie", OG)]),
        (
            {"pagerduty": PD, "opsgenie": OG},
            ("pagerduty", "opsgenie"),
            [("pagerduty", PD), ("opsgenie", OG)],
        ),
        ({"pagerduty": PD, "opsgenie": OG}, (), [("pagerduty", PD)]),
    ],
)
def test_a_page_goes_to_the_configured_pagers_the_route_names(
    named: dict[str, str], configured: tuple[str, ...], paged: list[tuple[str, str]]
) -> None:
    route = Route(
        name="L3",
        slack_channel="#eng",
        pagerduty_routing_key_env=named.get("pagerduty"),
        opsgenie_key_env=named.get("opsgenie"),
    )
    actions = planner(configured).actions(decision(DecisionKind.PAGE, route), PLAN)
    pages = [a for a in actions if isinstance(a.payload, PageTrigger)]
    assert [(a.provider, a.payload.routing) for a in pages] == paged
    # PagerDuty's key stays what it always was, so no page repeats after an upgrade.
    assert [a.key for a in pages] == [f"zendesk:42:L3:{p}.trigger" for p, _ in paged]
    [line] = [a.payload.line for a in actions if a.provider == "slack"]  # type: ignore[attr-defined]
    titles = {"pagerduty": "PagerDuty", "opsgenie": "Opsgenie"}
    assert line == "📟 Paged on-call in " + " and ".join(titles[p] for p, _ in paged)


@pytest.mark.parametrize(
    ("configured", "providers"),
    [
        ((), ["pagerduty"]),
        (("opsgenie",), ["opsgenie"]),
        (("pagerduty", "opsgenie"), ["pagerduty", "opsgenie"]),
    ],
)
@pytest.mark.parametrize("kind", [DecisionKind.ACKNOWLEDGE_PAGE, DecisionKind.RESOLVE_PAGE])
def test_follow_ups_go_to_every_configured_pager(
    configured: tuple[str, ...], providers: list[str], kind: DecisionKind
) -> None:
    route = Route(name="L3", pagerduty_routing_key_env=PD)
    actions = planner(configured).actions(decision(kind, route), PLAN)
    assert [a.provider for a in actions if a.provider != "slack"] == providers
