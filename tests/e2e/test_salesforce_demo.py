"""The demo's Salesforce scenario, end to end: an Outbound Message in, L2 out, in Slack and on
the Case as the bridge's internal comment."""

from __future__ import annotations

from typing import cast

from policies.model import Tier
from sandbox.scenario import ShiftableClock, salesforce_vip_case
from tests.e2e.conftest import Bridge
from tests.e2e.test_triggers import slack_mentions, tier_of
from tests.support.drivers import SalesforceDriver


def test_the_salesforce_scenario_escalates_with_a_note_and_a_slack_message(
    bridge: Bridge,
) -> None:
    clock = cast(ShiftableClock, bridge.clock)  # the same ``ago`` as the demo's clock
    shown = salesforce_vip_case(bridge.world, clock, bridge.url)
    case = shown.removeprefix("salesforce #")
    bridge.run()
    desk = SalesforceDriver(bridge.world)
    assert tier_of(bridge, desk, case) == Tier.L2
    assert slack_mentions(bridge, "#support-escalations", desk, case)
    [note] = [n for n in desk.notes(case) if "[bridge:" in n]
    assert "Cyberdyne Systems" in note and "Payment API answers 500" in note


def test_a_message_about_the_bridges_own_change_is_dropped(bridge: Bridge) -> None:
    clock = cast(ShiftableClock, bridge.clock)
    case = salesforce_vip_case(bridge.world, clock, bridge.url).removeprefix("salesforce #")
    bridge.run()
    sandbox = bridge.world.salesforce
    assert sandbox.case(case)["LastModifiedById"] == sandbox.bridge_user_id  # its note
    reads = sandbox.calls["tickets.show"]
    desk = SalesforceDriver(bridge.world)
    assert desk.notify(bridge.url, case) == 202  # acknowledged, so Salesforce stops
    bridge.run()
    assert sandbox.calls["tickets.show"] == reads  # the loop guard: not even re-read
    desk.comment(case, "Any news?")  # a person's change is news again
    assert desk.notify(bridge.url, case) == 202
    bridge.run()
    assert sandbox.calls["tickets.show"] > reads
