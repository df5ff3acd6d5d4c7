"""The outbox's chat actions, carried out as Adaptive Cards through Teams Workflows webhooks.

A webhook can post but never edit, thread or read a channel, so the ticket's first post is its
full card and every later event posts a new card: the full, current card with the event as its
headline for a ``chat.post``, a one-line card for replies and thread lines. Each card's buttons
are signed links (``links.py``) that lead to the bridge's confirmation page. A channel is named
by the variable holding its webhook URL (``TEAMS_WEBHOOK_URL``, or one the policy names).

Once: a webhook has no way to read back what it posted, so each card is recorded in the sent
log right after Teams' 202 (a marker per action and channel) and a retry finds the marker and
posts nothing. Only a worker killed between the 202 and that one-row write posts the card again
on the retry (see README).
"""

from __future__ import annotations

import hashlib
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
    RESTRICTED_REQUESTS,
    MessageRef,
    PermanentError,
    PersonRequest,
    PersonRequestKind,
    Reference,
    Refusal,
    SentLog,
    TicketKey,
)
from connectors.teams import cards
from connectors.teams.client import TeamsClient
from connectors.teams.links import ActionLink, sign
from connectors.teams.settings import WEBHOOK_URL, TeamsSettings

ACTIONS_PATH = "/teams/actions"
SENT = "sent"  # the ts of a marker row; a ticket's own card rows hold the card's id


def card_id(key: str) -> str:
    """A short, stable id for the card an action posts (the sent log keeps 32 characters)."""
    return hashlib.sha256(key.encode()).hexdigest()[:20]


class TeamsNotifier:
    name = "teams"

    def __init__(
        self,
        settings: TeamsSettings,
        client: TeamsClient,
        clock: Callable[[], datetime],
        *,
        people_restricted: bool = False,
    ) -> None:
        self.client = client
        self.default_channel: str | None = WEBHOOK_URL
        self._settings = settings
        self._clock = clock
        # A webhook card cannot know who opens its links: where the bridge restricts who may
        # act (SLACK_ALLOWED_ESCALATORS), its cards offer and accept only Acknowledge.
        self.people_restricted = people_restricted

    def refusal(self, request: PersonRequest, ticket: TicketKey, log: SentLog) -> Refusal | None:
        """Everyone with a (signed) link, unless people are restricted (README)."""
        if self.people_restricted and request.kind in RESTRICTED_REQUESTS:
            return Refusal("Teams cannot tell who confirms, and people are restricted")
        return None

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
            return self._send(action, log, channel, cards.message(card))
        if isinstance(payload, ChatThread):
            body = cards.message(cards.line_card(ticket, payload.line))
            cards_of_ticket = [m for m in log.messages(action.ticket) if m.ts != SENT]
            channels = dict.fromkeys(m.channel_id for m in cards_of_ticket)
            return {"runs": {c: self._send(action, log, c, body)["run"] for c in channels}}
        if isinstance(payload, ChatPrivate):
            return {"skipped": "Teams webhooks cannot show a message to one person"}
        if isinstance(payload, ChatAlert):
            body = cards.message(cards.alert_card(payload.text))
            return self._send(action, log, payload.channel, body)
        if isinstance(payload, ChatPrompt):
            kind = PersonRequestKind(payload.request)
            link = self._links(card_id(action.key), payload.channel, action.ticket)(kind)
            body = cards.message(cards.prompt_card(payload, link))
            return self._send(action, log, payload.channel, body)
        raise PermanentError(f"Teams cannot deliver {action.kind}")

    def _post(self, action: Action, payload: ChatPost, log: SentLog) -> Reference:
        channel = payload.channel
        links = self._links(card_id(action.key), channel, action.ticket)
        parent = log.message(action.ticket, channel)
        first = parent is None or parent.ts == card_id(action.key)
        view = payload.view if first else payload.change.apply(payload.view)
        headline = None
        if not first and payload.line:
            headline = payload.line + (f" by {payload.actor}" if payload.actor else "")
        body = cards.fitted(
            lambda shrink: cards.escalation_card(
                cards.shrunk(view, shrink), links, headline=headline
            )
        )
        reference = self._send(action, log, channel, body)
        if first:
            log.remember_message(action.ticket, channel, MessageRef(channel, card_id(action.key)))
        return {**reference, "parent": first}

    def _send(self, action: Action, log: SentLog, channel: str, body: cards.Message) -> Reference:
        """Post once per action and channel: a retry finds the marker the first post left."""
        marker = f"{SENT}:{card_id(action.key + chr(10) + channel)}"
        if log.message(action.ticket, marker) is not None:
            return {"channel": channel, "run": None, "found": True}
        run = self.client.post(channel, cards.tagged(body, action.key))
        log.remember_message(action.ticket, marker, MessageRef(channel, SENT))
        return {"channel": channel, "run": run}

    def _links(self, card: str, channel: str, ticket: TicketKey) -> cards.LinkFor:
        settings = self._settings
        if settings.link_secret is None or settings.public_url is None:
            return lambda kind: None
        secret, base = settings.link_secret.get_secret_value(), settings.public_url
        expires = int((self._clock() + timedelta(hours=settings.link_hours)).timestamp())

        def link(kind: PersonRequestKind) -> str | None:
            if self.people_restricted and kind in RESTRICTED_REQUESTS:
                return None
            token = sign(ActionLink(kind, str(ticket), channel, card, expires), secret)
            return f"{base}{ACTIONS_PATH}?link={quote(token)}"

        return link
