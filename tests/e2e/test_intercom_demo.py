"""The demo's Intercom scenario, end to end: a signed notification in, L2 out, in Slack and in
the conversation as the bridge admin's note."""

from __future__ import annotations

from typing import cast

from policies.model import Tier
from sandbox.scenario import ShiftableClock, intercom_priority
from tests.e2e.conftest import Bridge
from tests.e2e.test_triggers import slack_mentions, tier_of
from tests.support.drivers import IntercomDriver


def test_the_intercom_scenario_escalates_with_a_note_and_a_slack_message(bridge: Bridge) -> None:
    clock = cast(ShiftableClock, bridge.clock)  # the same ``ago`` as the demo's clock
    shown = intercom_priority(bridge.world, clock, bridge.url)
    conversation = shown.removeprefix("intercom #")
    bridge.run()
    desk = IntercomDriver(bridge.world)
    assert tier_of(bridge, desk, conversation) == Tier.L2
    assert slack_mentions(bridge, "#support-escalations", desk, conversation)
    [note] = [n for n in desk.notes(conversation) if "[bridge:" in n]
    assert "Umbrella Corp" in note and "Issue:** Our whole team is locked out" in note
