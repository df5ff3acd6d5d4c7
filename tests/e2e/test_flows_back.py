"""What people do in Slack and PagerDuty flows back into the page, the ticket and Slack."""

from __future__ import annotations

from urllib.parse import urlencode

import requests

from bridge.runtime import runtime
from bridge.store import outbox
from connectors.slack import SlackNotifier
from connectors.slack.blocks import ACTION_ACK, ACTION_ESCALATE, ACTION_OWN
from connectors.slack.inbound import SlackAuthorization
from sandbox.slack import send_click
from sandbox.slack.wire import APP_ID, TEAM_ID
from sandbox.world import SLACK_SIGNING_SECRET
from tests.e2e.conftest import Bridge
from tests.e2e.test_triggers import critical_two_hours, critical_unanswered, tier_of
from tests.support.drivers import Desk
from tests.support.signing import slack_headers

ENGINEERING = "#support-engineering"
ESCALATIONS = "#support-escalations"


def paged_ticket(bridge: Bridge, desk: Desk) -> tuple[str, str]:
    """A Critical ticket escalated to L3 and paged; returns (ticket id, Slack parent ts)."""
    ticket = critical_two_hours(bridge, desk)
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    [parent] = [
        m
        for m in bridge.world.slack.messages(ENGINEERING)
        if m.get("metadata", {})
        .get("event_payload", {})
        .get("key", "")
        .endswith(":escalate:slack:escalate")
        and f"#{ticket}" in m["text"]
    ]
    return ticket, parent["ts"]


def click(bridge: Bridge, desk: Desk, ticket: str, action: str, ts: str, user: str) -> None:
    response = send_click(
        f"{bridge.url}/slack/actions",
        signing_secret=SLACK_SIGNING_SECRET,
        action_id=action,
        value=f"{desk.name}:{ticket}",
        channel=bridge.world.slack.channel_id(ENGINEERING),  # Slack sends the id
        message_ts=ts,
        user_name=user,
        timestamp=int(bridge.clock().timestamp()),
    )
    assert response.status_code == 200 and response.content == b""


def test_slack_acknowledge_acknowledges_the_page_and_notes_the_ticket(
    bridge: Bridge, desk: Desk
) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    click(bridge, desk, ticket, ACTION_ACK, parent_ts, "ana")
    bridge.run()

    [incident] = bridge.world.pagerduty.incidents_for(f"{desk.name}:{ticket}")
    assert incident.status == "acknowledged"
    assert any("Acknowledged by ana in Slack" in note for note in desk.notes(ticket))
    thread = [m["text"] for m in bridge.world.slack.thread(ENGINEERING, parent_ts)]
    assert any("Acknowledged" in text and "ana" in text for text in thread)
    [parent] = [m for m in bridge.world.slack.messages(ENGINEERING) if m["ts"] == parent_ts]
    assert "edited" in parent and "ana" in str(parent["blocks"])

    # PagerDuty tells the bridge about the acknowledgement it made: no second page action loop.
    bridge.run()
    assert len(bridge.world.pagerduty.incidents_for(f"{desk.name}:{ticket}")) == 1


def test_pagerduty_resolve_notes_the_ticket_and_updates_slack(bridge: Bridge, desk: Desk) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    [incident] = bridge.world.pagerduty.incidents_for(f"{desk.name}:{ticket}")
    response = bridge.world.pagerduty.act(incident, "incident.resolved", agent="Olu Oncall")
    assert response is not None and response.status_code == 202
    bridge.run()

    assert any("PagerDuty incident resolved by Olu Oncall" in n for n in desk.notes(ticket))
    [parent] = [m for m in bridge.world.slack.messages(ENGINEERING) if m["ts"] == parent_ts]
    assert "Resolved" in str(parent["blocks"])
    with runtime(bridge.app).db.connect() as connection:
        rows = outbox.listing(connection)
    assert not [r for r in rows if r["status"] != outbox.DONE]


def test_pagerduty_resolving_by_itself_is_not_taken_for_the_bridge(
    bridge: Bridge, desk: Desk
) -> None:
    """An auto-resolution names no agent (null): news, unlike the bridge's own Events API calls."""
    ticket, parent_ts = paged_ticket(bridge, desk)
    [incident] = bridge.world.pagerduty.incidents_for(f"{desk.name}:{ticket}")
    bridge.world.pagerduty.act(incident, "incident.resolved", agent=None)
    bridge.run()
    notes = desk.notes(ticket)
    assert any("PagerDuty incident resolved" in n for n in notes), notes
    [parent] = [m for m in bridge.world.slack.messages(ENGINEERING) if m["ts"] == parent_ts]
    assert "Resolved" in str(parent["blocks"])


def test_pagerduty_note_reaches_the_ticket_and_the_thread(bridge: Bridge, desk: Desk) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    [incident] = bridge.world.pagerduty.incidents_for(f"{desk.name}:{ticket}")
    bridge.world.pagerduty.act(
        incident, "incident.annotated", agent="Olu", note="Rolled back the deploy"
    )
    bridge.run()
    assert any("Rolled back the deploy" in n for n in desk.notes(ticket))
    thread = [m["text"] for m in bridge.world.slack.thread(ENGINEERING, parent_ts)]
    assert any("Rolled back the deploy" in text for text in thread)


def test_escalate_and_take_ownership_buttons(bridge: Bridge, desk: Desk) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    click(bridge, desk, ticket, ACTION_OWN, parent_ts, "bo")
    click(bridge, desk, ticket, ACTION_ESCALATE, parent_ts, "bo")
    bridge.run()
    assert tier_of(bridge, desk, ticket).name == "L4"
    assert desk.group_of(ticket) == "support-management"
    assert any("Took ownership by bo" in n for n in desk.notes(ticket))


def test_only_allowed_people_may_escalate(bridge: Bridge, desk: Desk) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    slack = bridge.jobs.integrations.chats["slack"]
    assert isinstance(slack, SlackNotifier)
    slack.authorization = SlackAuthorization(allowed_users=frozenset({"U0LEAD"}))
    click(bridge, desk, ticket, ACTION_ESCALATE, parent_ts, "mallory")
    bridge.run()
    assert tier_of(bridge, desk, ticket).name == "L3"
    [refusal] = bridge.world.slack.ephemeral
    assert refusal["user"] == "U0SANDBOX" and "not allowed" in refusal["text"]


def test_slash_commands(bridge: Bridge, desk: Desk) -> None:
    ticket, _ = paged_ticket(bridge, desk)

    def command(text: str, name: str) -> requests.Response:
        body = urlencode(
            {
                "command": name,
                "text": text,
                "user_id": "U1",
                "user_name": "cy",
                "channel_id": "C1",
                "response_url": "https://hooks.slack.com/x",
                "team_id": TEAM_ID,
                "api_app_id": APP_ID,
            }
        )
        headers = slack_headers(SLACK_SIGNING_SECRET, body.encode(), bridge.clock())
        return requests.post(f"{bridge.url}/slack/commands", data=body, headers=headers, timeout=10)

    status = command(f"status {desk.name}:{ticket}", "/escalation")
    assert status.status_code == 200
    assert "L3" in status.json()["text"] and status.json()["response_type"] == "ephemeral"
    escalate = command(f"{desk.name}:{ticket} customer is a hospital", "/escalate")
    assert escalate.status_code == 200
    bridge.run()
    assert tier_of(bridge, desk, ticket).name == "L4"
    unknown = command("status zendesk:999999", "/escalation")
    assert "not tracked" in unknown.json()["text"]


def test_an_escalation_nobody_takes_raises_an_ownership_gap_once(
    bridge: Bridge, desk: Desk
) -> None:
    ticket = critical_unanswered(bridge, desk)  # at L2 for 5 min, handed to a group only
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    channel_before = [
        m for m in bridge.world.slack.messages(ESCALATIONS) if "Ownership" in m["text"]
    ]
    assert not channel_before
    bridge.clock.advance(minutes=11)
    bridge.run()
    bridge.clock.advance(minutes=16)
    bridge.run()
    gaps = [
        m["text"]
        for m in bridge.world.slack.messages(ESCALATIONS)
        if "Ownership gap" in m["text"] and f"#{ticket}" in m["text"]
    ]
    assert len(gaps) == 1 and "at L2" in gaps[0]


def test_taking_ownership_in_slack_prevents_the_ownership_gap(bridge: Bridge, desk: Desk) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    gaps_before = [m for m in bridge.world.slack.messages(ENGINEERING) if "Ownership" in m["text"]]
    click(bridge, desk, ticket, ACTION_OWN, parent_ts, "bo")
    bridge.run()
    bridge.clock.advance(hours=2)  # past the next escalation (L4) and its grace period
    bridge.run()
    gaps = [m for m in bridge.world.slack.messages(ENGINEERING) if "Ownership" in m["text"]]
    assert gaps == gaps_before
