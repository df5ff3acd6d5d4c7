"""An Intercom ticket, end to end: a signed ``ticket.created`` notification in, the VIP
escalation out, in Slack and on the ticket as the bridge admin's note, and a Slack button on it
back to the ticket."""

from __future__ import annotations

from typing import cast

from connectors.intercom.mapping import text_of
from connectors.slack.blocks import ACTION_OWN
from policies.model import Tier
from sandbox.scenario import INTERCOM_CLIENT_SECRET, ShiftableClock
from sandbox.slack import send_click
from sandbox.world import SLACK_SIGNING_SECRET
from tests.e2e.conftest import Bridge
from tests.e2e.test_triggers import slack_mentions, tier_of
from tests.support.drivers import IntercomDriver


def test_a_vip_ticket_escalates_with_a_note_and_a_slack_message(bridge: Bridge) -> None:
    clock = cast(ShiftableClock, bridge.clock)
    sandbox = bridge.world.intercom
    company = sandbox.add_company("Umbrella Corp", tags=["vip"], plan="Enterprise")
    contact = sandbox.add_contact("Alice Abernathy", "alice@umbrella.example", company_id=company)
    with clock.ago(minutes=20):
        raw = sandbox.create_ticket(
            "Admin console locked", "Our whole team is locked out", contact_id=contact
        )
    answer = sandbox.deliver_webhook(
        f"{bridge.url}/webhooks/intercom", raw, INTERCOM_CLIENT_SECRET, topic="ticket.created"
    )
    assert answer.status_code < 300
    bridge.run()
    desk = IntercomDriver(bridge.world)
    assert tier_of(bridge, desk, f"t{raw}") is not Tier.L1
    assert slack_mentions(bridge, "#support-escalations", desk, f"t{raw}")
    notes = [
        text_of(str(p["body"]))
        for p in sandbox.ticket_parts[raw]
        if p["part_type"] == "note" and "[bridge:" in str(p["body"])
    ]
    assert len(notes) == 1 and "Umbrella Corp" in notes[0]
    # "Take ownership" on the ticket's Slack message names the ticket as intercom:t<id>.
    [parent] = [
        m
        for m in bridge.world.slack.messages("#support-escalations")
        if str(m.get("metadata", {}).get("event_payload", {}).get("key", "")).startswith(
            f"intercom:t{raw}:"
        )
        and str(m.get("metadata", {}).get("event_payload", {}).get("key", "")).endswith(
            ":escalate:slack:escalate"
        )
    ]
    response = send_click(
        f"{bridge.url}/slack/actions",
        signing_secret=SLACK_SIGNING_SECRET,
        action_id=ACTION_OWN,
        value=f"intercom:t{raw}",
        channel=bridge.world.slack.channel_id("#support-escalations"),
        message_ts=parent["ts"],
        user_name="bo",
        timestamp=int(clock().timestamp()),
    )
    assert response.status_code == 200 and response.content == b""
    bridge.run()
    taken = [text_of(str(p["body"])) for p in sandbox.ticket_parts[raw] if p["part_type"] == "note"]
    assert any("Took ownership by bo" in n for n in taken)
