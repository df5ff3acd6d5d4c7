"""Teams and Statuspage end to end: escalation → card, card link → confirmation page → the same
path as a Slack click; an outage at L4 → "Publish to Statuspage?" → incident → resolved."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from connectors.slack.blocks import ACTION_STATUSPAGE
from connectors.teams.inbound import CSRF_COOKIE
from sandbox.slack import send_click
from sandbox.teams.schemas import card_problems
from sandbox.world import SLACK_SIGNING_SECRET, TEAMS_CHANNEL
from tests.e2e.conftest import Bridge
from tests.e2e.test_flows_back import ENGINEERING, paged_ticket
from tests.support.drivers import Desk

MANAGEMENT = "#support-management"


def teams_cards(bridge: Bridge, ticket: str) -> list[dict[str, Any]]:
    """The cards about ``ticket`` in the Teams channel, oldest first."""
    cards = bridge.world.teams.cards(TEAMS_CHANNEL)
    return [c for c in cards if f"\\#{ticket}" in str(c["body"])]


def link(card: dict[str, Any], title: str) -> str:
    [url] = [a["url"] for a in card.get("actions", []) if a["title"] == title]
    return str(url)


def confirm(bridge: Bridge, url: str, name: str) -> requests.Response:
    """What a person does: open the card's link, then press Confirm on the page."""
    token = parse_qs(urlsplit(url).query)["link"][0]
    browser = requests.Session()
    page = browser.get(f"{bridge.url}/teams/actions", params={"link": token}, timeout=5)
    assert page.status_code == 200 and "<form" in page.text
    assert "no-store" in page.headers["Cache-Control"]
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    return browser.post(
        f"{bridge.url}/teams/actions",
        data={"link": token, "csrf": csrf, "name": name},
        timeout=5,
    )


def test_an_escalation_is_a_valid_card_and_its_link_acknowledges_the_page(
    bridge: Bridge, desk: Desk
) -> None:
    ticket, _ = paged_ticket(bridge, desk)
    cards = teams_cards(bridge, ticket)
    assert cards and all(card_problems(card) == [] for card in cards)
    escalation = next(c for c in cards if "L3 escalation" in str(c["body"]))
    answer = confirm(bridge, link(escalation, "Acknowledge"), "Ana <b>Ruiz</b>")
    assert answer.status_code == 200 and "Done" in answer.text
    bridge.run()

    [incident] = bridge.world.pagerduty.incidents_for(f"{desk.name}:{ticket}")
    assert incident.status == "acknowledged"
    assert any("Acknowledged by Ana" in n and "in Teams" in n for n in desk.notes(ticket))
    line = teams_cards(bridge, ticket)[-1]["body"][0]["text"]
    assert "acknowledged by Ana \\<b\\>Ruiz" in line  # escaped for Teams' Markdown
    # Slack hears it too: the ticket's message there shows who acknowledged.
    assert "Ana" in str(bridge.world.slack.messages(ENGINEERING))


def test_the_confirmation_page_refuses_bad_input(bridge: Bridge, desk: Desk) -> None:
    ticket, _ = paged_ticket(bridge, desk)
    url = link(teams_cards(bridge, ticket)[0], "Escalate ↑")
    token = parse_qs(urlsplit(url).query)["link"][0]
    actions = f"{bridge.url}/teams/actions"
    assert requests.get(actions, params={"link": token + "x"}, timeout=5).status_code == 401
    assert requests.get(actions, timeout=5).status_code == 401
    bridge.clock.advance(hours=25)
    assert requests.get(actions, params={"link": token}, timeout=5).status_code == 410
    bridge.clock.advance(hours=-25)
    # A post the page did not issue (no cookie, no token): refused, nothing stored.
    forged = requests.post(actions, data={"link": token, "name": "Mallory"}, timeout=5)
    assert forged.status_code == 401 and "text/html" in forged.headers["Content-Type"]
    cookie = {CSRF_COOKIE: "made-up"}
    guessed = {"link": token, "name": "Mallory", "csrf": "guess"}
    assert requests.post(actions, data=guessed, cookies=cookie, timeout=5).status_code == 401
    assert requests.post(actions, json=guessed, timeout=5).status_code == 415
    before = len(desk.notes(ticket))
    bridge.run()
    assert len(desk.notes(ticket)) == before


def outage(bridge: Bridge, desk: Desk) -> str:
    with bridge.clock.ago(hours=3, minutes=30):
        ticket = desk.create(
            "Checkout down <script>", priority="urgent", tags=("outage", "outage_checkout")
        )
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    return ticket


def test_an_outage_is_published_after_a_person_confirms_and_resolved_when_solved(
    bridge: Bridge, desk: Desk
) -> None:
    page = bridge.world.statuspage
    ticket = outage(bridge, desk)
    assert page.state.incident_list(page.page_id) == []  # no drafts: nothing before a yes
    [question] = [m for m in bridge.world.slack.messages(MANAGEMENT) if "status page" in m["text"]]
    assert any("Publish" in str(c) for c in teams_cards(bridge, ticket))
    response = send_click(
        f"{bridge.url}/slack/actions",
        signing_secret=SLACK_SIGNING_SECRET,
        action_id=ACTION_STATUSPAGE,
        value=f"{desk.name}:{ticket}",
        channel=MANAGEMENT,
        message_ts=question["ts"],
        user_name="lee",
        timestamp=int(bridge.clock().timestamp()),
    )
    assert response.status_code == 200
    bridge.run()
    bridge.run()  # a second click's worth of worker ticks changes nothing
    [incident] = page.state.incident_list(page.page_id)
    # The policy's words and the page's component name, never the ticket's text.
    assert incident["name"] == "Service disruption: Checkout"
    checkout = page.component_id("Checkout")
    assert page.state.component(page.page_id, checkout)["status"] == "major_outage"
    assert any("publish the outage on Statuspage" in n for n in desk.notes(ticket))

    desk.set(ticket, status="solved")
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    [incident] = page.state.incident_list(page.page_id)
    assert incident["status"] == "resolved"
    assert page.state.component(page.page_id, checkout)["status"] == "operational"
