"""Every chat message kind, in every chat provider, with hostile desk text in every field.

A ticket subject, a customer name, a reason, an owner, a PagerDuty note, an error text: all of
them come from outside and reach Slack and Teams. Whatever the kind, nothing in them may ping,
mention or link, and nothing may exceed the vendor's limits. The table of payloads must name
every chat action kind, so a new kind cannot be added without being walked here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.actions import (
    PAYLOADS,
    Action,
    ActionKind,
    ChatAlert,
    ChatGroup,
    ChatPost,
    ChatPrivate,
    ChatPrompt,
    ChatReply,
    ChatThread,
    EscalationView,
    GroupView,
    Payload,
    TicketCard,
    ViewChange,
)
from connectors.base import MessageRef, TicketKey
from connectors.slack.blocks import SlackMessage
from connectors.slack.messages import (
    PLAIN_TEXT_MAX,
    TicketStanding,
    build_command_answer,
    status_line,
)
from connectors.slack.notifier import SlackNotifier
from connectors.slack.settings import SlackSettings
from connectors.teams.notifier import TeamsNotifier
from connectors.teams.settings import TeamsSettings
from policies.model import Severity, Tier
from sandbox.slack.blocks import block_problems

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<#C123>")
LINKS = ("<https://evil.example|click>", "[click](https://evil.example)")
HOSTILE = (
    " ".join(PINGS + LINKS) + " & *bold* _it_ ~gone~ `code` <at>boss</at> **b** #1 "
    "<!subteam^S123> &lt; \x1b[31m" + "long " * 2000
)
TICKET = TicketKey("zendesk", "4821")
CARD = TicketCard(
    source="zendesk",
    ticket_id="4821",
    url="https://acme.zendesk.com/agent/tickets/4821",
    subject=HOSTILE,
    customer_name=HOSTILE,
    customer_org=HOSTILE,
)
VIEW = EscalationView(
    ticket=CARD,
    severity=Severity.CRITICAL,
    tier=Tier.L2,
    reason=HOSTILE,
    inputs=(("subject", HOSTILE), (HOSTILE, "1")),
    owner=HOSTILE,
    acknowledged_by=HOSTILE,
    next_deadline=NOW,
)
PARENT = MessageRef("C0ESC", "1700000000.000100")

# One payload per chat kind, every free text hostile.
CHAT_PAYLOADS: dict[ActionKind, list[Payload]] = {
    ActionKind.CHAT_POST: [
        ChatPost(channel="C0ESC", view=VIEW),
        ChatPost(
            channel="C0ESC",
            view=VIEW,
            change=ViewChange(owner=HOSTILE, acknowledged_by=HOSTILE),
            line=HOSTILE,
            actor=HOSTILE,
        ),
    ],
    ActionKind.CHAT_REPLY: [ChatReply(message=PARENT, line=HOSTILE, actor=HOSTILE)],
    ActionKind.CHAT_THREAD: [ChatThread(line=HOSTILE)],
    ActionKind.CHAT_PRIVATE: [ChatPrivate(channel="C0ESC", user="U0ME", text=HOSTILE)],
    ActionKind.CHAT_ALERT: [ChatAlert(channel="C0ESC", text=HOSTILE)],
    ActionKind.CHAT_GROUP: [
        ChatGroup(
            channel="C0ESC",
            view=GroupView(
                key=HOSTILE[:200],
                title=HOSTILE,
                count=3,
                severity=Severity.CRITICAL,
                tier=Tier.L3,
                opened_at=NOW,
                updated_at=NOW,
                examples=(CARD, CARD),
                paged=True,
            ),
        )
    ],
    ActionKind.CHAT_PROMPT: [
        ChatPrompt(
            channel="C0ESC",
            ticket=CARD,
            text=HOSTILE,
            request="publish_statuspage",
            label="Publish to Statuspage",
        )
    ],
}
CASES = [payload for payloads in CHAT_PAYLOADS.values() for payload in payloads]
# A storm's one message is Slack's only (the group is edited in place; a Teams webhook cannot edit).
TEAMS_CASES = [payload for payload in CASES if payload.kind is not ActionKind.CHAT_GROUP]


def test_every_chat_kind_is_walked() -> None:
    chat_kinds = {kind for kind in PAYLOADS if kind.value.startswith("chat.")}
    assert chat_kinds == set(CHAT_PAYLOADS)


class Log:
    """A sent log in memory: the parent message exists, as after the first post."""

    def __init__(self, parent: MessageRef | None) -> None:
        self.parents = {parent.channel_id: parent} if parent else {}

    def message(self, ticket: TicketKey, channel: str) -> MessageRef | None:
        return self.parents.get(channel)

    def messages(self, ticket: TicketKey) -> list[MessageRef]:
        return list(self.parents.values())

    def remember_message(self, ticket: TicketKey, channel: str, ref: MessageRef) -> None:
        self.parents[channel] = ref

    def reference(self, ticket: TicketKey, kind: ActionKind) -> None:
        return None


class SlackRecorder:
    """Stands in for ``SlackClient``: records every message the notifier sends."""

    def __init__(self) -> None:
        self.sent: list[SlackMessage] = []

    def post_message(
        self,
        channel: str,
        message: SlackMessage,
        thread_ts: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[str, str]:
        self.sent.append(message)
        return channel, "1700000000.000200"

    def update_message(self, channel: str, ts: str, message: SlackMessage) -> None:
        self.sent.append(message)

    def post_ephemeral(self, channel: str, user: str, message: SlackMessage) -> str:
        self.sent.append(message)
        return "1700000000.000300"

    def find_posted(self, *args: Any, **kwargs: Any) -> None:
        return None


class TeamsRecorder:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def post(self, channel: str, body: dict[str, Any]) -> str:
        self.sent.append(body)
        return "run-1"


def action(payload: Payload) -> Action:
    return Action(1, "key-1", TICKET, "chat", payload, attempts=1, created_at=NOW)


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def slack_sent(payload: Payload, parent: MessageRef | None) -> list[SlackMessage]:
    recorder = SlackRecorder()
    settings = SlackSettings.model_validate({"SLACK_BOT_TOKEN": "xoxb-test"})
    notifier = SlackNotifier(settings, recorder, lambda: NOW)  # type: ignore[arg-type]
    notifier.deliver(action(payload), Log(parent))
    return recorder.sent


def assert_slack_safe(message: SlackMessage) -> None:
    assert isinstance(message, SlackMessage)
    assert len(message["text"]) <= PLAIN_TEXT_MAX
    assert block_problems(message.get("blocks", [])) == []
    for text in strings(message):
        for ping in PINGS + LINKS[:1] + ("<!subteam^S123>",):
            assert ping not in text
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text[:200]
        assert "\x1b" not in text
        # Only the bridge's own markup opens a "<": the ticket link and the deadline.
        for opened in re.findall(r"<([^>]*)>", text):
            assert opened.startswith(("https://acme.zendesk.com/", "!date^")), opened


@pytest.mark.parametrize("payload", CASES, ids=lambda p: p.kind.value)
@pytest.mark.parametrize("parent", [None, PARENT], ids=["first", "threaded"])
def test_slack_never_pings_links_or_overflows(payload: Payload, parent: MessageRef | None) -> None:
    sent = slack_sent(payload, parent)
    assert sent or (isinstance(payload, ChatThread) and parent is None)  # no message to thread
    for message in sent:
        assert_slack_safe(message)


def test_slash_command_answers_are_escaped_and_capped() -> None:
    standing = TicketStanding(
        ticket="zendesk:4821",
        subject=HOSTILE,
        tier="L2",
        since=NOW,
        owner=HOSTILE,
        page_open=True,
        status="open",
    )
    answer = build_command_answer(status_line(standing))
    assert answer["response_type"] == "ephemeral"
    assert_slack_safe(SlackMessage(text=answer["text"]))
    assert "&lt;!channel&gt;" in answer["text"]


def test_a_url_from_the_desk_cannot_carry_its_own_label() -> None:
    card = CARD.model_copy(update={"url": "https://evil.example/|Zendesk #1"})
    [message] = slack_sent(
        ChatPost(channel="C0ESC", view=VIEW.model_copy(update={"ticket": card})), None
    )
    assert "https://evil.example/%7CZendesk #1|" in message["blocks"][1]["text"]["text"]
    odd = CARD.model_copy(update={"url": "javascript:alert(1)"})
    [message] = slack_sent(
        ChatPost(channel="C0ESC", view=VIEW.model_copy(update={"ticket": odd})), None
    )
    assert "javascript" not in message["blocks"][1]["text"]["text"]


def teams_sent(payload: Payload, parent: MessageRef | None) -> list[dict[str, Any]]:
    recorder = TeamsRecorder()
    settings = TeamsSettings.model_validate(
        {
            "TEAMS_WEBHOOK_URL": "https://example.webhook.office.com/x",
            "TEAMS_LINK_SECRET": "s" * 32,
            "BRIDGE_PUBLIC_URL": "https://bridge.example.com",
        }
    )
    notifier = TeamsNotifier(settings, recorder, lambda: NOW)  # type: ignore[arg-type]
    log = Log(MessageRef("TEAMS_WEBHOOK_URL", "card-0") if parent else None)
    channel_payload = payload
    if isinstance(payload, ChatReply):
        channel_payload = payload.model_copy(
            update={"message": MessageRef("TEAMS_WEBHOOK_URL", "card-0")}
        )
    elif isinstance(payload, ChatPost | ChatAlert | ChatPrompt):
        channel_payload = payload.model_copy(update={"channel": "TEAMS_WEBHOOK_URL"})
    notifier.deliver(action(channel_payload), log)
    return recorder.sent


@pytest.mark.parametrize("payload", TEAMS_CASES, ids=lambda p: p.kind.value)
@pytest.mark.parametrize("parent", [None, PARENT], ids=["first", "threaded"])
def test_teams_never_mentions_links_or_overflows(
    payload: Payload, parent: MessageRef | None
) -> None:
    for body in teams_sent(payload, parent):
        card = body["attachments"][0]["content"]
        assert len(str(body).encode()) < 28 * 1024 * 2
        for block in card["body"] + [f for b in card["body"] for f in b.get("facts", [])]:
            for text in strings({k: block.get(k) for k in ("text", "value")}):
                assert "<at>" not in text and "[click](" not in text
                assert "\x1b" not in text
                for ping in PINGS:
                    assert ping not in text
        for link in card.get("actions", []):
            assert link["url"].startswith(("https://bridge.example.com/", "https://acme."))
