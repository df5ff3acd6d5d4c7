from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.actions import ChatPrompt, EscalationView, TicketCard
from connectors.base import PersonRequestKind
from connectors.teams import cards
from policies.model import Severity, Tier
from sandbox.teams.schemas import card_problems
from sandbox.teams.wire import message_problems

FIXTURES = Path(__file__).parents[2] / "fixtures" / "teams"
TICKET = TicketCard(
    source="zendesk",
    ticket_id="4821",
    url="https://acme.zendesk.com/agent/tickets/4821",
    subject="Checkout fails for all EU cards since 08:10",
    customer_name="Ana Ruiz",
    customer_org="Acme GmbH",
)
VIEW = EscalationView(
    ticket=TICKET,
    severity=Severity.CRITICAL,
    tier=Tier.L3,
    reason="Critical ticket still unresolved after 1 h at L2 (limit: 1 hour)",
    inputs=(("priority", "urgent"), ("elapsed", "1h 0m")),
    owner="engineering-support",
    next_deadline=datetime(2026, 3, 2, 11, 0, tzinfo=UTC),
    vip=True,
)


def links(kind: PersonRequestKind) -> str:
    return f"https://bridge.example.com/teams/actions?link={kind.value}"


def texts(card: dict[str, Any]) -> list[str]:
    found = [b["text"] for b in card["body"] if b["type"] == "TextBlock"]
    found += [f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]]
    return found


def test_the_message_has_the_documented_envelope() -> None:
    documented = json.loads((FIXTURES / "webhook_message.docs_example.json").read_text())
    built = cards.message(cards.escalation_card(VIEW, links))
    assert built.keys() == documented.keys() and built["type"] == documented["type"]
    attachment, example = built["attachments"][0], documented["attachments"][0]
    assert attachment.keys() == example.keys()
    assert attachment["contentType"] == example["contentType"]
    assert message_problems(built) == []


@pytest.mark.parametrize(
    "card",
    [
        cards.escalation_card(VIEW, links),
        cards.escalation_card(VIEW.model_copy(update={"resolved": True}), links),
        cards.escalation_card(VIEW, lambda kind: None, headline="Acknowledged by Ana"),
        cards.line_card(TICKET, "Paged on-call", actor="Ana"),
        cards.alert_card("Ownership gap"),
        cards.prompt_card(
            ChatPrompt(
                channel="TEAMS_WEBHOOK_URL",
                ticket=TICKET,
                text="Publish?",
                request="publish_statuspage",
                label="Publish to Statuspage",
            ),
            links(PersonRequestKind.PUBLISH_STATUSPAGE),
        ),
    ],
    ids=["escalation", "resolved", "follow-up", "line", "alert", "prompt"],
)
def test_every_card_is_valid_under_the_official_1_4_schema(card: dict[str, Any]) -> None:
    assert card["version"] == "1.4"
    assert card_problems(card) == []


def test_the_card_shows_what_the_slack_message_shows() -> None:
    card = cards.escalation_card(VIEW, links)
    shown = "\n".join(texts(card))
    for expected in ("Critical · L3 escalation", "Zendesk \\#4821", "Ana Ruiz \\(Acme GmbH\\)"):
        assert expected in shown
    assert (
        "⭐ VIP" in shown and "2026-03-02 11:00 UTC" in shown and "engineering\\-support" in shown
    )
    titles = [a["title"] for a in card["actions"]]
    assert titles == ["Acknowledge", "Take ownership", "Escalate ↑", "Resolve page", "Open ticket"]
    assert all(a["type"] == "Action.OpenUrl" for a in card["actions"])


@pytest.mark.parametrize(
    ("change", "titles"),
    [
        ({"acknowledged_by": "Ana"}, ["Take ownership", "Escalate ↑", "Resolve page"]),
        ({"page_open": False}, ["Acknowledge", "Take ownership", "Escalate ↑"]),
        ({"resolved": True}, []),
    ],
)
def test_buttons_follow_the_state(change: dict[str, Any], titles: list[str]) -> None:
    card = cards.escalation_card(VIEW.model_copy(update=change), links)
    assert [a["title"] for a in card.get("actions", [])] == [*titles, "Open ticket"]


def test_no_signed_links_means_only_the_ticket_link() -> None:
    card = cards.escalation_card(VIEW, lambda kind: None)
    assert [a["title"] for a in card["actions"]] == ["Open ticket"]


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("[click](https://evil.example)", "\\[click\\]\\(https://evil\\.example\\)"),
        ("**bold** _it_", "\\*\\*bold\\*\\* \\_it\\_"),
        ("<at>everyone</at>", "\\<at\\>everyone\\</at\\>"),
        ("# heading", "\\# heading"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_ticket_text_is_escaped(hostile: str, shown: str) -> None:
    ticket = TICKET.model_copy(update={"subject": hostile, "url": "javascript:alert(1)"})
    card = cards.escalation_card(VIEW.model_copy(update={"ticket": ticket}), links)
    assert any(text.endswith(shown) for text in texts(card))
    assert "Open ticket" not in [a["title"] for a in card["actions"]]


def test_a_huge_ticket_still_fits_teams_size_limit() -> None:
    huge = VIEW.model_copy(
        update={
            "reason": "ü" * 50_000,
            "inputs": tuple((f"k{i}", "x" * 3000) for i in range(6)),
            "ticket": TICKET.model_copy(update={"subject": "<" * 50_000}),
        }
    )
    body = cards.fitted(lambda shrink: cards.escalation_card(cards.shrunk(huge, shrink), links))
    assert cards.size(body) <= 28 * 1024
    assert card_problems(body["attachments"][0]["content"]) == []


def test_tagging_keeps_the_card_valid() -> None:
    body = cards.tagged(cards.message(cards.alert_card("x")), "zendesk:1:rule:L2:notify")
    content = body["attachments"][0]["content"]
    assert content["body"][0]["id"] == "bridge:zendesk:1:rule:L2:notify"
    assert card_problems(content) == []
