"""The "Publish to Statuspage?" question in Slack and the click that answers it."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from connectors.actions import ChatPrompt, TicketCard
from connectors.base import PersonRequestKind
from connectors.slack.blocks import ACTION_STATUSPAGE, build_prompt
from connectors.slack.inbound import SlackActions, parse_action
from sandbox.slack.blocks import block_problems

PROMPT = ChatPrompt(
    channel="#support-management",
    ticket=TicketCard(source="zendesk", ticket_id="7", url="https://a.zendesk.com/agent/tickets/7"),
    text="📣 Publish this outage on the public status page? <!channel> & more",
    request="publish_statuspage",
    label="Publish to Statuspage",
)


def test_the_prompt_is_valid_block_kit_with_one_escaped_button() -> None:
    message = build_prompt(PROMPT)
    assert block_problems(message["blocks"]) == []
    [button] = message["blocks"][1]["elements"]
    assert (button["action_id"], button["value"]) == (ACTION_STATUSPAGE, "zendesk:7")
    assert "<!channel>" not in json.dumps(message) and "&lt;!channel&gt; &amp; more" in str(message)


def test_a_click_on_it_is_a_request_to_publish() -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": "U1", "username": "lee"},
        "channel": {"id": "C1"},
        "message": {"ts": "1.2"},
        "actions": [{"action_id": ACTION_STATUSPAGE, "value": "zendesk:7"}],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    assert parse_action(body).kind is PersonRequestKind.PUBLISH_STATUSPAGE
    request = SlackActions().parse(body)
    assert request.kind is PersonRequestKind.PUBLISH_STATUSPAGE and request.user_name == "lee"
