"""Outage storms end to end: many Critical tickets about one outage, each webhook delivered
twice, become one Slack message edited in place and one PagerDuty incident, while every ticket
still gets its own hand-off note exactly once (issue 16, Storms)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bridge.runtime import runtime
from bridge.store import storms
from bridge.store.tables import outbox as outbox_table
from sandbox.common import Fault
from tests.e2e.conftest import Bridge
from tests.e2e.test_cli_ops import invoke
from tests.support.drivers import Desk, ZendeskDriver

ENGINEERING = "#support-engineering"
GROUPING = """
grouping:
  group_wait: 10s
  group_interval: 30s
  severities: [Critical]
  examples: 3
  group_by:
    - problem
    - tag: outage
    - similar_subject: {window: 30m, threshold: 0.5}
"""


@pytest.fixture
def bridge_env(tmp_path: Path) -> dict[str, str]:
    policy = tmp_path / "storm.yaml"
    with open("policies/default.yaml", encoding="utf-8") as shipped:
        policy.write_text(shipped.read() + GROUPING, encoding="utf-8")
    return {"BRIDGE_POLICY": str(policy), "BRIDGE_DASHBOARD_OPEN": "1"}


def storm(bridge: Bridge, desk: Desk, count: int, subject: str, **kw: Any) -> list[str]:
    """``count`` Critical tickets two hours old (they land at L3, which pages), each webhook
    delivered twice."""
    with bridge.clock.ago(hours=2, minutes=5):
        made = [desk.create(f"{subject} #{n}", priority="urgent", **kw) for n in range(count)]
    for ticket in made:
        assert desk.notify(bridge.url, ticket) == 202
        assert desk.notify(bridge.url, ticket) == 202
    return made


def group_messages(bridge: Bridge) -> list[dict[str, Any]]:
    messages = bridge.world.slack.messages(ENGINEERING)
    return [m for m in messages if "Outage storm" in m["text"]]


def signal(bridge: Bridge, seconds: float) -> None:
    bridge.clock.advance(seconds=seconds)
    bridge.jobs.signal_storms()
    bridge.run()


def test_a_storm_is_one_message_one_incident_and_a_note_per_ticket(
    bridge: Bridge, desk: Desk
) -> None:
    tickets = storm(bridge, desk, 8, "Checkout API down", tags=("outage",))
    bridge.run()
    # Before group_wait nothing is said in chat for the storm, and nobody is paged yet.
    assert group_messages(bridge) == []
    assert not any(
        f"#{t}" in m["text"] for t in tickets for m in bridge.world.slack.messages(ENGINEERING)
    )
    signal(bridge, 10)

    [message] = group_messages(bridge)
    assert "8 Critical tickets" in message["text"] and "outage" in message["text"]
    with runtime(bridge.app).db.connect() as connection:
        [group] = storms.active(connection, bridge.clock())
    [incident] = bridge.world.pagerduty.incidents_for(group.key)
    listed = incident.custom_details["tickets"]
    assert sorted(listed) == sorted(f"{desk.name}:{t}" for t in tickets)
    for ticket in tickets:
        assert bridge.world.pagerduty.incidents_for(f"{desk.name}:{ticket}") == []
        notes = desk.notes(ticket)
        assert len(notes) == len(set(notes)) and notes, "one hand-off note, never twice"
    if desk.name == "zendesk":
        # Updates, notes and acknowledgements went as update_many jobs, not ticket by ticket.
        calls = bridge.world.zendesk.calls
        assert calls["tickets.update_many"] >= 3 and calls["tickets.update"] == 0, str(
            sorted(calls.items())
        )[100:250]

    # Later members: the same message, edited after group_interval; still one incident.
    late = storm(bridge, desk, 3, "checkout api down again", tags=("outage",))
    bridge.run()
    signal(bridge, 5)
    assert "8 Critical tickets" in group_messages(bridge)[0]["text"]  # group_interval not over yet
    signal(bridge, 30)
    [message] = group_messages(bridge)
    assert "11 Critical tickets" in message["text"]
    assert f"#{late[-1]}" in str(message["blocks"])  # newest examples first
    assert len(bridge.world.pagerduty.incidents) == 1

    page = bridge.app.test_client().get("/", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert page.status_code == 200
    row = page.text.split('id="storms"')[1].split("</table>")[0]
    assert group.key in row and "tagged outage" in row and '<td class="num">11</td>' in row


def test_similar_subjects_join_and_others_stay_alone(bridge: Bridge, desk: Desk) -> None:
    storm(bridge, desk, 3, "Login page returns 502", tags=("outage",))
    alike = storm(bridge, desk, 1, "login page returns 502 error")
    other = storm(bridge, desk, 1, "Invoice totals wrong for March")
    bridge.run()
    signal(bridge, 10)
    texts = [m["text"] for m in group_messages(bridge)]
    assert any("4 Critical tickets" in t for t in texts)
    with runtime(bridge.app).db.connect() as connection:
        joined = storms.membership(connection, desk.name, alike[0])
        alone = storms.membership(connection, desk.name, other[0])
    assert joined is not None and "similar" in joined.why
    # A different outage founds its own group of one: still one message, never per ticket.
    assert alone is not None and alone.group_id != joined.group_id

    output = invoke(bridge, "explain", f"{desk.name}:{alike[0]}").output
    assert "in outage storm storm:tag:outage@" in output and "(4 tickets)" in output
    assert "joined outage storm" in output and "[group_by similar_subject" in output
    assert re.search(r"subject 0\.\d\d similar to the group's \(threshold 0\.5\)", output)


def test_a_retried_group_post_after_a_crash_finds_its_message(bridge: Bridge, desk: Desk) -> None:
    storm(bridge, desk, 3, "Search is down", tags=("outage",))
    bridge.run()
    signal(bridge, 10)
    assert len(group_messages(bridge)) == 1
    # The worker died after Slack answered and before the outbox knew: the action is pending
    # again, its attempt counted, so the retry looks for its message before posting.
    engine = runtime(bridge.app).db
    with engine.begin() as connection:
        connection.execute(
            update(outbox_table)
            .where(outbox_table.c.action == "chat.group")
            .values(status="pending", provider_ref=None)
        )
        connection.execute(
            update(outbox_table)
            .where(outbox_table.c.action == "page.trigger")
            .values(status="pending", provider_ref=None)
        )
    bridge.run()
    assert len(group_messages(bridge)) == 1
    assert len(bridge.world.pagerduty.incidents) == 1


def test_a_bulk_job_whose_outcome_is_lost_posts_no_note_twice(bridge: Bridge) -> None:
    zendesk = ZendeskDriver(bridge.world)
    # The job ran, but its status could not be read: every ticket is retried one by one,
    # and finds its note (by the marker) instead of posting it again.
    bridge.world.zendesk.faults.inject("job_statuses.show", Fault(status=503), times=3)
    tickets = storm(bridge, zendesk, 6, "Payments declined", tags=("outage",))
    bridge.run()
    assert bridge.world.zendesk.calls["tickets.update_many"] >= 1
    for ticket in tickets:
        notes = zendesk.notes(ticket)
        assert notes and len(notes) == len(set(notes))
        replies = zendesk.replies(ticket)
        assert len([r for r in replies if "escalat" in r.lower()]) <= 1
