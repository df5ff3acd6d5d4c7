"""A policy names environment variables for routing keys and channel URLs, never the values:
only variables of the provider's kind, never another service's credentials or the provider's
own secrets (the connectors would otherwise send them to the outside world)."""

from __future__ import annotations

import pytest

from policies import PolicyError, parse_policy

BASE = """\
version: 1
channels: {frontline: "#support"}
pagerduty_keys: {oncall: PAGERDUTY}
teams_channels: {ops: TEAMS}
notify_routes: {management: {}}
tiers:
  L1: {name: Frontline, channel: frontline}
  L2: {name: Senior, channel: frontline}
  L3: {name: Engineering, channel: frontline, pagerduty: oncall, teams: ops}
  L4: {name: Management, channel: frontline}
matrix:
  Critical: {L1: 15m, L2: 1h, L3: 2h, management: on request}
  High: {L1: 2h, L2: 4h, L3: 8h, management: on request}
  Medium: {L1: 4h, L2: 1d, L3: 2d, management: on request}
  Low: {L1: 1d, L2: 2d, L3: 3d, management: on request}
"""


def parse(pagerduty: str = "PAGERDUTY_ROUTING_KEY", teams: str = "TEAMS_WEBHOOK_URL") -> None:
    text = BASE.replace("PAGERDUTY", pagerduty, 1).replace("TEAMS}", teams + "}", 1)
    parse_policy(text, "p.yaml")


@pytest.mark.parametrize(
    "name", ["PAGERDUTY_ROUTING_KEY", "PAGERDUTY_DATABASE_TEAM", "PAGERDUTY_KEY_2"]
)
def test_pagerduty_routing_keys_named_by_their_variables(name: str) -> None:
    parse(pagerduty=name)


@pytest.mark.parametrize("name", ["TEAMS_WEBHOOK_URL", "TEAMS_OPS_URL", "TEAMS_SUPPORT"])
def test_teams_channels_named_by_their_variables(name: str) -> None:
    parse(teams=name)


@pytest.mark.parametrize(
    ("pagerduty", "teams", "problem"),
    [
        ("ZENDESK_API_TOKEN", "TEAMS_WEBHOOK_URL", "must name a PAGERDUTY_* variable"),
        ("SLACK_BOT_TOKEN", "TEAMS_WEBHOOK_URL", "must name a PAGERDUTY_* variable"),
        ("PAGERDUTY_WEBHOOK_SECRET", "TEAMS_WEBHOOK_URL", "not a routing key"),
        ("PAGERDUTY_EVENTS_URL", "TEAMS_WEBHOOK_URL", "not a routing key"),
        ("PAGERDUTY_ROUTING_KEY", "SLACK_BOT_TOKEN", "must name a TEAMS_* variable"),
        ("PAGERDUTY_ROUTING_KEY", "BRIDGE_ADMIN_TOKEN", "must name a TEAMS_* variable"),
        ("PAGERDUTY_ROUTING_KEY", "TEAMS_LINK_SECRET", "not a channel's webhook URL"),
    ],
)
def test_other_variables_are_refused_with_their_place_in_the_file(
    pagerduty: str, teams: str, problem: str
) -> None:
    with pytest.raises(PolicyError) as caught:
        parse(pagerduty=pagerduty, teams=teams)
    message = str(caught.value)
    assert problem in message and message.startswith("p.yaml:"), message
