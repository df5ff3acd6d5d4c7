"""Opsgenie instead of (or beside) PagerDuty, end to end over HTTP: an escalation creates the
ticket's alert; what responders do in Opsgenie comes back into the ticket and the chat; the
bridge's own calls and redeliveries change nothing twice."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from bridge.runtime import runtime
from bridge.store import outbox
from bridge.store.tables import outbox as outbox_table
from connectors.slack.blocks import ACTION_ACK
from sandbox.world import SandboxWorld
from tests.e2e.conftest import Bridge, served_bridge
from tests.e2e.effects import assert_exactly_once
from tests.e2e.test_flows_back import ENGINEERING, click
from tests.e2e.test_triggers import critical_two_hours
from tests.support.drivers import Desk, FreshdeskDriver, TravelClock, ZendeskDriver


def opsgenie_only(world: SandboxWorld) -> dict[str, str]:
    environment = {**world.environment(), **world.opsgenie_environment()}
    del environment["PAGERDUTY_ROUTING_KEY"]
    return environment


def both_pagers(world: SandboxWorld) -> dict[str, str]:
    return {**world.environment(), **world.opsgenie_environment()}


@pytest.fixture
def genie(world: SandboxWorld, shared_clock: TravelClock, database_url: str) -> Iterator[Bridge]:
    with served_bridge(world, shared_clock, opsgenie_only(world), database_url) as served:
        yield served


@pytest.fixture(params=["zendesk", "freshdesk"])
def desk(request: pytest.FixtureRequest, world: SandboxWorld) -> Desk:
    driver: Desk = (ZendeskDriver if request.param == "zendesk" else FreshdeskDriver)(world)
    return driver


def paged(bridge: Bridge, desk: Desk) -> tuple[str, dict[str, object]]:
    """A Critical ticket two hours old, escalated to L3 and paged; returns it and its alert."""
    ticket = critical_two_hours(bridge, desk)
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    [alert] = bridge.world.opsgenie.alerts_for(f"{desk.name}:{ticket}")
    return ticket, alert


def parent_message(bridge: Bridge, ticket: str) -> dict[str, object]:
    [parent] = [
        m
        for m in bridge.world.slack.messages(ENGINEERING)
        if f"#{ticket}" in m["text"] and "L3" in str(m.get("blocks"))
    ]
    return parent


def all_done(bridge: Bridge) -> list[dict[str, object]]:
    with runtime(bridge.app).db.connect() as connection:
        rows = outbox.listing(connection, limit=10_000)
    assert [r for r in rows if r["status"] != outbox.DONE] == []
    return rows


def test_an_escalation_pages_opsgenie_alone(genie: Bridge, desk: Desk) -> None:
    ticket, alert = paged(genie, desk)
    assert alert["priority"] == "P1" and alert["status"] == "open"
    assert f"{desk.name} #{ticket}" in str(alert["message"])
    assert genie.world.pagerduty.incidents_for(f"{desk.name}:{ticket}") == []
    thread = [
        m["text"]
        for m in genie.world.slack.thread(ENGINEERING, parent_message(genie, ticket)["ts"])
    ]
    assert any("Paged on-call in Opsgenie" in line for line in thread), thread
    rows = all_done(genie)
    assert {r["provider"] for r in rows if r["action"] == "page.trigger"} == {"opsgenie"}


def test_acknowledged_in_opsgenie_comes_back_to_the_ticket_and_slack(
    genie: Bridge, desk: Desk
) -> None:
    ticket, alert = paged(genie, desk)
    response = genie.world.opsgenie.responder(alert, "Acknowledge", who="olu@example.com")
    assert response is not None and response.status_code == 202
    genie.run()
    notes = desk.notes(ticket)
    assert any("Opsgenie alert acknowledged by olu@example.com" in n for n in notes), notes
    assert "olu@example.com" in str(parent_message(genie, ticket)["blocks"])
    # The bridge acknowledged the alert too; Opsgenie told it so, and that was no news.
    genie.run()
    assert sum("acknowledged" in n for n in desk.notes(ticket)) == 1
    assert len(genie.world.opsgenie.alerts_for(f"{desk.name}:{ticket}")) == 1
    all_done(genie)


def test_closed_in_opsgenie_resolves_the_page_and_a_note_reaches_the_thread(
    genie: Bridge, desk: Desk
) -> None:
    ticket, alert = paged(genie, desk)
    genie.world.opsgenie.responder(alert, "AddNote", note="Rolled back the deploy")
    genie.world.opsgenie.responder(alert, "Close")
    genie.run()
    notes = desk.notes(ticket)
    assert any("Rolled back the deploy" in n for n in notes), notes
    assert any("Opsgenie alert resolved by oncall@example.com" in n for n in notes), notes
    parent = parent_message(genie, ticket)
    assert "Resolved" in str(parent["blocks"])
    thread = [m["text"] for m in genie.world.slack.thread(ENGINEERING, parent["ts"])]
    assert any("Rolled back the deploy" in text for text in thread)
    all_done(genie)


def test_a_redelivered_action_is_stored_and_noted_once(genie: Bridge, desk: Desk) -> None:
    ticket, alert = paged(genie, desk)
    genie.world.opsgenie.responder(alert, "AddNote", note="On it")
    source = {"name": "", "type": "web"}
    for _ in range(2):  # Opsgenie sends the same delivery again
        again = genie.world.opsgenie.send(
            alert, "AddNote", user="oncall@example.com", source=source, note="On it"
        )
        assert again is not None and again.json()["duplicate"]
    genie.run()
    assert sum("On it" in n for n in desk.notes(ticket)) == 1


def test_a_policy_can_page_both_and_slack_acknowledges_both(
    world: SandboxWorld, shared_clock: TravelClock, database_url: str
) -> None:
    desk: Desk = ZendeskDriver(world)
    with served_bridge(world, shared_clock, both_pagers(world), database_url) as bridge:
        ticket, alert = paged(bridge, desk)
        key = f"zendesk:{ticket}"
        [incident] = world.pagerduty.incidents_for(key)
        parent = parent_message(bridge, ticket)
        thread = [m["text"] for m in world.slack.thread(ENGINEERING, parent["ts"])]
        assert any("Paged on-call in PagerDuty and Opsgenie" in line for line in thread)
        click(bridge, desk, ticket, ACTION_ACK, str(parent["ts"]), "ana")
        bridge.run()
        assert incident.status == "acknowledged"
        [alert] = world.opsgenie.alerts_for(key)
        assert alert["acknowledged"] is True
        assert any("Acknowledged by ana in Slack" in n for n in desk.notes(ticket))
        all_done(bridge)


def test_every_webhook_twice_and_out_of_order_pages_once(genie: Bridge, desk: Desk) -> None:
    tickets = [critical_two_hours(genie, desk) for _ in range(3)]
    deliveries = tickets * 2
    random.Random(15).shuffle(deliveries)
    for ticket in deliveries:
        assert desk.notify(genie.url, ticket) == 202
    genie.run()
    counted = assert_exactly_once(runtime(genie.app).db, genie.world)
    assert counted["page.trigger"] == len(tickets)
    assert all(len(genie.world.opsgenie.alerts_for(f"{desk.name}:{t}")) == 1 for t in tickets)


def test_a_worker_that_died_after_sending_sends_again_and_opsgenie_keeps_one_alert(
    genie: Bridge, desk: Desk
) -> None:
    """The create went out, the worker died before recording it: the retry repeats the
    create, and the alias makes it a repeat of the same alert, not a second page."""
    ticket, _ = paged(genie, desk)
    engine = runtime(genie.app).db
    trigger = outbox_table.c.action == "page.trigger"
    with engine.begin() as connection:
        connection.execute(
            update(outbox_table)
            .where(trigger)
            .values(status=outbox.PENDING, next_attempt_at=genie.clock(), provider_ref=None)
        )
    genie.run()
    [alert] = genie.world.opsgenie.alerts_for(f"{desk.name}:{ticket}")
    assert alert["count"] == 2 and alert["status"] == "open"
    with engine.connect() as connection:
        attempts = connection.execute(select(outbox_table.c.attempts).where(trigger)).scalar_one()
    assert attempts == 2
    genie.world.opsgenie.responder(alert, "Close")  # and the way back still works once
    genie.run()
    assert sum("resolved by" in n for n in desk.notes(ticket)) == 1
    assert_exactly_once(engine, genie.world)
