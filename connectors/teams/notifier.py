"""The outbox's chat actions, carried out as Adaptive Cards through Teams Workflows webhooks.

A webhook can post but never edit, thread or read a channel, so the ticket's first post is its
full card and every later event posts a new card: the full, current card with the event as its
headline for a ``chat.post``, a one-line card for replies and thread lines. Each card's buttons
are signed links (``links.py``) that lead to the bridge's confirmation page. A channel is named
by the variable holding its webhook URL (``TEAMS_WEBHOOK_URL``, or one the policy names).

Exactly once: the outbox hands each action over until it is recorded done; a webhook has no way
to look up what it posted, so a worker killed between Teams' 202 and that record posts the card
again on the retry (the only duplicate this provider can make; see README).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import quote

from connectors.actions import (
    Action,
    ChatAlert,
    ChatPost,
    ChatPrivate,
    ChatPrompt,
    ChatReply,
    ChatThread,
    TicketCard,
)
from connectors.base import (
    MessageRef,
    PermanentError,
    PersonRequest,
    PersonRequestKind,
    Reference,
    SentLog,
    TicketKey,
)
from connectors.teams import cards
from connectors.teams.client import TeamsClient
from connectors.teams.links import ActionLink, sign
from connectors.teams.settings import WEBHOOK_URL, TeamsSettings

ACTIONS_PATH = "/teams/actions"


class TeamsNotifier:
    name = "teams"

    def __init__(
        self, settings: TeamsSettings, client: TeamsClient, clock: Callable[[], datetime]
    ) -> None:
        self.client = client
        self.default_channel: str | None = WEBHOOK_URL
        self._settings = settings
        self._clock = clock

    def permits(self, request: PersonRequest) -> bool:
        """Everyone with the link: a webhook card cannot know who opens it (README)."""
        return True

    def close(self) -> None:
        self.client.close()

    def deliver(self, action: Action, log: SentLog) -> Reference:
        payload = action.payload
        ticket = TicketCard(source=action.ticket.source, ticket_id=action.ticket.ticket_id)
        if isinstance(payload, ChatPost):
            return self._post(action, payload, log)
        if isinstance(payload, ChatReply):
            channel = payload.message.channel_id
            card = cards.line_card(ticket, payload.line, actor=payload.actor)
            return self._send(channel, cards.message(card), action.key)
        if isinstance(payload, ChatThread):
            body = cards.tagged(cards.message(cards.line_card(ticket, payload.line)), action.key)
            channels = dict.fromkeys(m.channel_id for m in log.messages(action.ticket))
            return {"runs": {c: self.client.post(c, body) for c in channels}}
        if isinstance(payload, ChatPrivate):
            return {"skipped": "Teams webhooks cannot show a message to one person"}
        if isinstance(payload, ChatAlert):
            body = cards.message(cards.alert_card(payload.text))
            return self._send(payload.channel, body, action.key)
        if isinstance(payload, ChatPrompt):
            kind = PersonRequestKind(payload.request)
            link = self._links(action.key, payload.channel, action.ticket)(kind)
            body = cards.message(cards.prompt_card(payload, link))
            return self._send(payload.channel, body, action.key)
        raise PermanentError(f"Teams cannot deliver {action.kind}")

    def _post(self, action: Action, payload: ChatPost, log: SentLog) -> Reference:
        channel = payload.channel
        links = self._links(action.key, channel, action.ticket)
        first = log.message(action.ticket, channel) is None
        view = payload.view if first else payload.change.apply(payload.view)
        headline = None
        if not first and payload.line:
            headline = payload.line + (f" by {payload.actor}" if payload.actor else "")
        body = cards.fitted(
            lambda shrink: cards.escalation_card(
                cards.shrunk(view, shrink), links, headline=headline
            )
        )
        reference = self._send(channel, body, action.key)
        if first:
            log.remember_message(action.ticket, channel, MessageRef(channel, action.key))
        return {**reference, "parent": first}

    def _send(self, channel: str, body: cards.Message, key: str) -> Reference:
        return {"channel": channel, "run": self.client.post(channel, cards.tagged(body, key))}

    def _links(self, card: str, channel: str, ticket: TicketKey) -> cards.LinkFor:
        settings = self._settings
        if settings.link_secret is None or settings.public_url is None:
            return lambda kind: None
        secret, base = settings.link_secret.get_secret_value(), settings.public_url
        expires = int((self._clock() + timedelta(hours=settings.link_hours)).timestamp())

        def link(kind: PersonRequestKind) -> str:
            token = sign(ActionLink(kind, str(ticket), channel, card, expires), secret)
            return f"{base}{ACTIONS_PATH}?link={quote(token)}"

        return link
