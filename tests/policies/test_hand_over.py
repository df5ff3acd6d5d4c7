"""``keep_assignee`` on tiers and routes: validated with its position, inherited by a route from
its tier, and shown in the process document (what a hand-over does with the previous agent)."""

from __future__ import annotations

import pytest

from bridge.policy_files import DEFAULT_POLICY_PATH
from policies import Policy, PolicyError, evaluate, parse_policy
from policies.model import DecisionKind, Priority, Route
from policies.render_doc import render_markdown
from policies.routing import clears_assignee, previous_assignee
from tests.policies.factory import MON, STATE, H, ticket

TIER_LINE = "    group: senior-support\n"  # tiers.L2 of the default policy
ROUTE_LINE = "    group: warranty-claims\n"  # routes: warranty-claims


def policy(tier: str = "", route: str = "") -> Policy:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert TIER_LINE in text and ROUTE_LINE in text
    text = text.replace(TIER_LINE, TIER_LINE + tier, 1).replace(ROUTE_LINE, ROUTE_LINE + route, 1)
    return parse_policy(text, "p.yaml")


def owner(p: Policy, **fields: object) -> Route:
    t = ticket(Priority.NORMAL, tags=frozenset({"escalate_l2"}), **fields)
    result = evaluate(t, STATE, p, MON + H)
    return next(d.route for d in result.decisions if d.action is DecisionKind.ESCALATE)


WARRANTY = {"custom_fields": {"category": "warranty"}}


@pytest.mark.parametrize(
    ("tier", "route", "fields", "clears"),
    [
        ("", "", {}, True),  # the process: a group takes the ticket, the L1 agent is removed
        ("    keep_assignee: true\n", "", {}, False),
        ("    keep_assignee: true\n", "", WARRANTY, False),  # the route keeps the tier's say
        ("    keep_assignee: true\n", "    keep_assignee: false\n", WARRANTY, True),
        ("", "    keep_assignee: true\n", WARRANTY, False),
        ("    assignee: lead@example.com\n", "", {}, False),  # replaced instead
    ],
)
def test_route_or_tier_decides(
    tier: str, route: str, fields: dict[str, object], clears: bool
) -> None:
    assert clears_assignee(owner(policy(tier, route), **fields)) is clears


def test_a_bad_value_is_reported_with_its_position() -> None:
    with pytest.raises(PolicyError) as caught:
        policy(tier="    keep_assignee: sometimes\n")
    assert "p.yaml:81:20: Input should be a valid boolean" in str(caught.value)


@pytest.mark.parametrize(
    ("group", "assignee", "keep", "words"),
    [
        ("senior-support", "lead@example.com", False, "replaced by lead@example.com"),
        ("senior-support", None, False, "removed: unassigned in the group"),
        ("senior-support", None, True, "kept (keep_assignee)"),
        ("senior-support", None, None, "as the tier says"),
        (None, None, False, "kept (no group to hand to)"),
    ],
)
def test_previous_assignee_in_words(
    group: str | None, assignee: str | None, keep: bool | None, words: str
) -> None:
    assert previous_assignee(group, assignee, keep) == words


def test_process_document_says_what_happens_to_the_previous_agent() -> None:
    text = render_markdown(policy(route="    keep_assignee: true\n"))
    assert "Previous assignee" in text
    assert "removed: unassigned in the group" in text  # L2..L4 of the default policy
    assert "kept (keep_assignee)" in text  # warranty-claims
    assert "None" not in text
