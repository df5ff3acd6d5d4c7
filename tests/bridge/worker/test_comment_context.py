from __future__ import annotations

import pytest

from bridge.worker.comment_context import owner_of
from policies.model import Decision, DecisionKind, EscalationState, Explanation, Route, Tier

ROUTE = Route("L2", group="senior-support", display_name="Senior Support")


def decision(route: Route) -> Decision:
    return Decision("matrix", DecisionKind.ESCALATE, Tier.L2, route, "k", Explanation("matrix", ""))


@pytest.mark.parametrize(
    ("owner", "route", "shown"),
    [
        ("senior-support", ROUTE, "Senior Support team"),  # the team, not its slug
        (None, ROUTE, "Senior Support team"),
        ("ana", ROUTE, "ana"),  # a person who took it
        ("senior-support", Route("L2", group="senior-support"), "senior-support"),  # no name given
    ],
)
def test_owner_as_chat_shows_it(owner: str | None, route: Route, shown: str) -> None:
    assert owner_of(decision(route), EscalationState(owner=owner)) == shown
