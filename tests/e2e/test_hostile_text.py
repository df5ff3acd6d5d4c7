"""A ticket whose subject tries to ping, link and overflow, through the whole bridge: nothing in
any Slack message (posts, threads, alerts, the /escalation status answer) pings or links."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import requests

from sandbox.slack.wire import APP_ID, TEAM_ID
from sandbox.world import SLACK_SIGNING_SECRET
from tests.e2e.conftest import Bridge
from tests.support.drivers import Desk
from tests.support.signing import slack_headers

SUBJECT = "<!channel> <!here> <@U0BRIDGE> <https://evil.example|click> & *now* " + "x" * 3000


def test_a_hostile_subject_pings_and_links_nothing(bridge: Bridge, desk: Desk) -> None:
    with bridge.clock.ago(hours=2, minutes=5):
        ticket = desk.create(SUBJECT, priority="urgent")
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    bridge.clock.advance(minutes=30)  # past the ownership-gap grace: the alert carries it too
    bridge.run()

    form = {
        "command": "/escalation",
        "text": f"status {desk.name}:{ticket}",
        "user_id": "U1",
        "channel_id": "C1",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
    }
    body = urlencode(form).encode()
    headers = slack_headers(SLACK_SIGNING_SECRET, body, bridge.clock())
    answer = requests.post(f"{bridge.url}/slack/commands", data=body, headers=headers, timeout=10)
    texts = [answer.json()["text"]]
    slack = bridge.world.slack
    for channel in slack.channels:
        for message in slack.channels[channel]:
            texts += [message["text"], str(message.get("blocks", ""))]
    # The ticket was posted. The Intercom connector reads a title as HTML, so its tag-like
    # parts are dropped as markup: nothing of them is left to escape there.
    assert desk.name == "intercom" or any("&lt;!channel&gt;" in text for text in texts[1:])
    assert any("Ownership gap" in text for text in texts)
    assert desk.name == "intercom" or "&lt;!channel&gt;" in texts[0]
    for text in texts:
        assert "<!channel>" not in text and "<!here>" not in text and "<@U0BRIDGE>" not in text
        assert "<https://evil.example" not in text
        assert not re.search(r"&(?!amp;|lt;|gt;)", text)
