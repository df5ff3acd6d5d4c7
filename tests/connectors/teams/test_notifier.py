"""Where the bridge restricts who may act, Teams cards (whose links anyone in the channel can
open) offer and accept only Acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.actions import Action, ChatPost, EscalationView, TicketCard
from connectors.base import PersonRequest, PersonRequestKind, TicketKey
from connectors.teams.notifier import TeamsNotifier
from connectors.teams.settings import TeamsSettings
from policies.model import Severity, Tier
from tests.connectors.test_hostile_chat_text import Log, TeamsRecorder

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TICKET = TicketKey("zendesk", "1")
SETTINGS = TeamsSettings.model_validate(
    {
        "TEAMS_WEBHOOK_URL": "https://example.webhook.office.com/x",
        "TEAMS_LINK_SECRET": "s" * 32,
        "BRIDGE_PUBLIC_URL": "https://bridge.example.com",
    }
)


def notifier(restricted: bool) -> tuple[TeamsNotifier, TeamsRecorder]:
    recorder = TeamsRecorder()
    built = TeamsNotifier(SETTINGS, recorder, lambda: NOW, people_restricted=restricted)  # type: ignore[arg-type]
    return built, recorder


def buttons(restricted: bool) -> list[str]:
    built, recorder = notifier(restricted)
    view = EscalationView(
        ticket=TicketCard(source="zendesk", ticket_id="1"),
        severity=Severity.HIGH,
        tier=Tier.L2,
        reason="r",
    )
    payload = ChatPost(channel="TEAMS_WEBHOOK_URL", view=view)
    built.deliver(Action(1, "k", TICKET, "teams", payload, 1, NOW), Log(None))
    card: dict[str, Any] = recorder.sent[0]["attachments"][0]["content"]
    return [action["title"] for action in card.get("actions", [])]


def test_restricted_cards_offer_only_acknowledge() -> None:
    assert buttons(False) == ["Acknowledge", "Take ownership", "Escalate ↑", "Resolve page"]
    assert buttons(True) == ["Acknowledge"]


@pytest.mark.parametrize("kind", list(PersonRequestKind))
@pytest.mark.parametrize("restricted", [False, True])
def test_restricted_requests_are_refused(kind: PersonRequestKind, restricted: bool) -> None:
    request = PersonRequest(kind=kind, ticket="zendesk:1", user_id="", user_name="Ana", via="Teams")
    refusal = notifier(restricted)[0].refusal(request, TICKET, Log(None))
    assert (refusal is not None) is (restricted and kind is not PersonRequestKind.ACKNOWLEDGE)
