"""Who may act from Slack: the allow-list (user ids and user groups) on every path that takes
ownership, escalates, resolves or publishes; clicks bound to this workspace, app and the
ticket's own message."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from connectors.slack import SlackNotifier
from connectors.slack.blocks import ACTION_ACK, ACTION_ESCALATE, ACTION_OWN
from connectors.slack.inbound import SlackAuthorization
from sandbox.slack.wire import APP_ID, TEAM_ID, block_actions, interaction_request
from sandbox.world import SLACK_SIGNING_SECRET
from tests.e2e.conftest import Bridge
from tests.e2e.test_flows_back import ENGINEERING, click, paged_ticket
from tests.e2e.test_triggers import tier_of
from tests.support.drivers import Desk
from tests.support.signing import slack_headers

LEAD = "U0LEAD"
CLICKER = "U0SANDBOX"  # the user every sandbox click comes from


@pytest.fixture
def bridge_env() -> dict[str, str]:
    return {"SLACK_ALLOWED_ESCALATORS": LEAD}


def restrict(bridge: Bridge, **lists: frozenset[str]) -> SlackNotifier:
    slack = bridge.jobs.integrations.chats["slack"]
    assert isinstance(slack, SlackNotifier)
    slack.authorization = SlackAuthorization(**lists)
    return slack


def command(bridge: Bridge, text: str, user: str, **fields: str) -> dict[str, Any]:
    form = {
        "command": "/escalate",
        "text": text,
        "user_id": user,
        "user_name": "cy",
        "channel_id": "C1",
        "response_url": "https://hooks.slack.com/x",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        **fields,
    }
    body = urlencode(form).encode()
    headers = slack_headers(SLACK_SIGNING_SECRET, body, bridge.clock())
    response = requests.post(f"{bridge.url}/slack/commands", data=body, headers=headers, timeout=10)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def test_escalate_command_refuses_at_once_whom_the_list_leaves_out(
    bridge: Bridge, desk: Desk
) -> None:
    ticket, _ = paged_ticket(bridge, desk)
    restrict(bridge, allowed_users=frozenset({LEAD}))
    answer = command(bridge, f"{desk.name}:{ticket} now", "U0MALLORY")
    assert answer["text"] == "You are not allowed to escalate; ask a lead."
    bridge.run()
    assert tier_of(bridge, desk, ticket).name == "L3"
    assert bridge.world.slack.ephemeral == []  # told once, by the command's answer

    assert "requested" in command(bridge, f"{desk.name}:{ticket} now", LEAD)["text"]
    bridge.run()
    assert tier_of(bridge, desk, ticket).name == "L4"


def test_taking_ownership_is_restricted_too_acknowledging_is_not(
    bridge: Bridge, desk: Desk
) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    restrict(bridge, allowed_users=frozenset({LEAD}))
    click(bridge, desk, ticket, ACTION_OWN, parent_ts, "mallory")
    click(bridge, desk, ticket, ACTION_ACK, parent_ts, "mallory")
    bridge.run()
    notes = desk.notes(ticket)
    assert not any("Took ownership" in n for n in notes)
    assert any("Acknowledged by mallory" in n for n in notes)
    [refusal] = bridge.world.slack.ephemeral
    assert refusal["user"] == CLICKER and "not allowed" in refusal["text"]


@pytest.mark.parametrize(("members", "allowed"), [((LEAD, CLICKER), True), ((LEAD,), False)])
def test_user_groups_are_resolved_with_usergroups_users_list(
    bridge: Bridge,
    desk: Desk,
    members: tuple[str, ...],
    allowed: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    monkeypatch.setattr(bridge.world.slack, "usergroups", {"S0LEADS": members})
    restrict(bridge, allowed_groups=frozenset({"S0LEADS"}))
    calls = bridge.world.slack.calls.get("usergroups.users.list", 0)
    click(bridge, desk, ticket, ACTION_ESCALATE, parent_ts, "cy")
    bridge.run()
    assert tier_of(bridge, desk, ticket).name == ("L4" if allowed else "L3")
    assert bool(bridge.world.slack.ephemeral) is not allowed
    assert bridge.world.slack.calls["usergroups.users.list"] == calls + 1
    # Cached: a second click within the TTL asks Slack nothing.
    click(bridge, desk, ticket, ACTION_ACK, parent_ts, "cy")
    click(bridge, desk, ticket, ACTION_OWN, parent_ts, "cy")
    bridge.run()
    assert bridge.world.slack.calls["usergroups.users.list"] == calls + 1


def signed_click(bridge: Bridge, payload: dict[str, Any]) -> None:
    body, headers = interaction_request(
        payload, SLACK_SIGNING_SECRET, int(bridge.clock().timestamp())
    )
    response = requests.post(f"{bridge.url}/slack/actions", data=body, headers=headers, timeout=10)
    assert response.status_code == 200


@pytest.mark.parametrize("change", ["nothing", "workspace", "app", "message", "channel"])
def test_a_click_counts_only_from_this_workspace_on_the_tickets_message(
    bridge: Bridge, desk: Desk, change: str
) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    restrict(bridge, allowed_users=frozenset({LEAD}))
    bridge.jobs.integrations.chats["slack"].app_id = APP_ID  # as with SLACK_APP_ID set
    channel = bridge.world.slack.channel_id(ENGINEERING)
    payload = block_actions(
        action_id=ACTION_ESCALATE,
        value=f"{desk.name}:{ticket}",
        channel=channel,
        message_ts=parent_ts,
        user_id=LEAD,  # allowed: only where the click comes from decides
        user_name="lee",
    )
    if change == "workspace":
        payload["team"] = {"id": "T0ELSEWHERE", "domain": "elsewhere"}
    elif change == "app":
        payload["api_app_id"] = "A0OTHER"
    elif change == "message":  # another message (e.g. another ticket's) carrying this value
        payload["message"]["ts"] = payload["container"]["message_ts"] = "1.000001"
    elif change == "channel":
        payload["channel"]["id"] = payload["container"]["channel_id"] = "C0OTHER"
    signed_click(bridge, payload)
    bridge.run()
    assert tier_of(bridge, desk, ticket).name == ("L4" if change == "nothing" else "L3")
    assert bridge.world.slack.ephemeral == []  # nothing to tell someone elsewhere
