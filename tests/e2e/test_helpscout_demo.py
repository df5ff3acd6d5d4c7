"""The demo's Help Scout scenario, end to end: a signed event in, L2 out, in Slack and in the
conversation as the bridge user's note."""

from __future__ import annotations

from typing import cast

from policies.model import Tier
from sandbox.scenario import ShiftableClock, helpscout_urgent
from tests.e2e.conftest import Bridge
from tests.e2e.test_triggers import slack_mentions, tier_of
from tests.support.drivers import HelpScoutDriver


def test_the_helpscout_scenario_escalates_with_a_note_and_a_slack_message(bridge: Bridge) -> None:
    clock = cast(ShiftableClock, bridge.clock)  # the same ``ago`` as the demo's clock
    shown = helpscout_urgent(bridge.world, clock, bridge.url)
    conversation = shown.removeprefix("helpscout #")
    bridge.run()
    desk = HelpScoutDriver(bridge.world)
    assert tier_of(bridge, desk, conversation) == Tier.L2
    assert slack_mentions(bridge, "#support-escalations", desk, conversation)
    [note] = [n for n in desk.notes(conversation) if "[bridge:" in n]
    assert "Issue:** Password resets never arrive" in note
    assert desk.group_of(conversation) == "senior-support"
