"""A policy names Opsgenie keys the way it names PagerDuty keys: by variable, checked against
``opsgenie_keys``; a tier or route may name either pager or both."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies import PolicyError, parse_policy
from policies.model import Tier

DEFAULT = (Path(__file__).parents[2] / "policies" / "default.yaml").read_text()


def test_the_default_policy_names_both_pagers_at_l3() -> None:
    route = parse_policy(DEFAULT, "default.yaml").compiled.tiers[Tier.L3].route
    assert route.pagers() == (
        ("pagerduty", "PAGERDUTY_ROUTING_KEY"),
        ("opsgenie", "OPSGENIE_API_KEY"),
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    opsgenie: oncall\n",
            "    opsgenie: nightwatch\n",
            "unknown Opsgenie key 'nightwatch'",
        ),
        (
            "  oncall: OPSGENIE_API_KEY\n",
            "  oncall: 5e81c312-2f6f-4f49-ad4b-56e9627325bd\n",
            "must name an environment variable",
        ),
    ],
)
def test_bad_opsgenie_keys_are_refused(old: str, new: str, message: str) -> None:
    assert old in DEFAULT
    with pytest.raises(PolicyError, match=message):
        parse_policy(DEFAULT.replace(old, new), "p.yaml")


def test_a_route_can_page_opsgenie_alone() -> None:
    text = DEFAULT.replace(
        "    pagerduty: oncall\n    opsgenie: oncall\n", "    opsgenie: oncall\n"
    )
    route = parse_policy(text, "p.yaml").compiled.tiers[Tier.L3].route
    assert route.pagers() == (("opsgenie", "OPSGENIE_API_KEY"),)
