"""The outbox's chat actions, carried out in Slack.

A ticket has one message per channel: the first post is that parent, recorded in the sent log
before anything is threaded under it (the outbox hands out one action per ticket and provider at
a time, so the parent exists first); later events are thread replies plus an edit of the parent.
When an attempt may have reached Slack before a crash (``attempts > 1``), the message is looked
for by the idempotency key it carries as metadata before posting again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from connectors.actions import (
    Action,
    ActionKind,
    ChatAlert,
    ChatGroup,
    ChatPost,
    ChatPrivate,
    ChatPrompt,
    ChatReply,
    ChatThread,
)
from connectors.base import (
    Check,
    Deferred,
    MessageRef,
    PermanentError,
    PersonRequest,
    PolicyNeeds,
    Reference,
    Refusal,
    RetryableError,
    SentLog,
    TicketKey,
)
from connectors.slack import doctor
from connectors.slack.blocks import (
    SlackMessage,
    build_escalation_message,
    build_prompt,
    build_thread_reply,
)
from connectors.slack.client import SlackClient
from connectors.slack.group_blocks import build_group_message
from connectors.slack.inbound import SlackAuthorization
from connectors.slack.messages import build_plain
from connectors.slack.settings import SlackSettings

# How far back to look for a message we may have posted before a crash.
LOOKBACK = timedelta(minutes=5)
# How long a user group's members are trusted before they are read again.
GROUP_TTL = timedelta(minutes=5)
REFUSED = "You are not allowed to do that on escalations; ask a lead."


def _on_ticket_message(clicked: MessageRef, ticket: TicketKey, log: SentLog) -> bool:
    """Is ``clicked`` one of the ticket's messages, or its latest prompt (whose reference
    names the channel as the policy does, so only its ts is compared)?"""
    if clicked in log.messages(ticket):
        return True
    prompt = log.reference(ticket, ActionKind.CHAT_PROMPT)
    return prompt is not None and prompt.get("ts") == clicked.ts


class SlackNotifier:
    name = "slack"

    def __init__(
        self, settings: SlackSettings, client: SlackClient, clock: Callable[[], datetime]
    ) -> None:
        self.client = client
        self.default_channel = settings.channel
        self.authorization = SlackAuthorization(
            allowed_users=settings.allowed_users, allowed_groups=settings.allowed_groups
        )
        self.team_id = settings.team_id  # learned from auth.test when not configured
        self.app_id = settings.app_id
        self._clock = clock
        self._members: dict[str, tuple[datetime, frozenset[str]]] = {}

    def refusal(self, request: PersonRequest, ticket: TicketKey, log: SentLog) -> Refusal | None:
        """A request counts only from this bridge's workspace and app, on one of the messages
        the bridge posted for that ticket, and (for ``RESTRICTED_REQUESTS``) from someone on
        ``SLACK_ALLOWED_ESCALATORS`` or in one of its user groups."""
        if request.workspace != self._team():
            return Refusal(f"from Slack workspace {request.workspace!r}, not this bridge's")
        if self.app_id and request.app != self.app_id:
            return Refusal(f"sent to Slack app {request.app!r}, not this bridge's")
        if request.reply_to is not None and not _on_ticket_message(request.reply_to, ticket, log):
            return Refusal("a click on a message that is not this ticket's")
        decided = self.authorization.decided(request.kind, request.user_id)
        if decided is None:
            members = [m for g in sorted(self.authorization.allowed_groups) for m in self._of(g)]
            decided = self.authorization.permits(request.kind, request.user_id, members)
        if decided:
            return None
        # A typed command was already answered when the ids alone decide (bridge.web.slack).
        typed_and_told = request.reply_to is None and not self.authorization.allowed_groups
        return Refusal("not on SLACK_ALLOWED_ESCALATORS", None if typed_and_told else REFUSED)

    def _team(self) -> str:
        if self.team_id is None:
            self.team_id = str(self.client.auth_test()[0].get("team_id") or "")
        return self.team_id

    def _of(self, group: str) -> frozenset[str]:
        """A user group's members, read again after ``GROUP_TTL`` (people join and leave)."""
        now = self._clock()
        cached = self._members.get(group)
        if cached is None or now - cached[0] >= GROUP_TTL:
            cached = (now, self.client.usergroup_members(group))
            self._members[group] = cached
        return cached[1]

    def close(self) -> None:
        """Nothing to close: slack_sdk opens a connection per call."""

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]:
        """``bridge doctor``'s checks (``connectors.slack.doctor``)."""
        return doctor.diagnose(self, needs)

    def deliver(self, action: Action, log: SentLog) -> Reference:
        payload = action.payload
        if isinstance(payload, ChatPost):
            return self._post(action, payload, log)
        if isinstance(payload, ChatGroup):
            return self._group(action, payload, log)
        if isinstance(payload, ChatReply):
            message = build_thread_reply(payload.line, actor=payload.actor)
            return {"ts": self._reply(action, payload.message, message)}
        if isinstance(payload, ChatThread):
            return {"replies": self._thread(action, payload, log)}
        if isinstance(payload, ChatPrivate):
            # Seen by one person, once: a lost one is not worth a duplicate, so no lookup.
            ts = self.client.post_ephemeral(
                payload.channel, payload.user, build_plain(payload.text)
            )
            return {"ts": ts}
        if isinstance(payload, ChatAlert | ChatPrompt):
            message = (
                build_prompt(payload)
                if isinstance(payload, ChatPrompt)
                else build_plain(payload.text)
            )
            ts = (
                self._find(action, payload.channel)
                or self.client.post_message(payload.channel, message, idempotency_key=action.key)[1]
            )
            return {"channel": payload.channel, "ts": ts}
        raise PermanentError(f"Slack cannot deliver {action.kind}")

    def _post(self, action: Action, payload: ChatPost, log: SentLog) -> Reference:
        channel = payload.channel
        parent = log.message(action.ticket, channel)
        if parent is None:
            found = self._find(action, channel)
            if found:
                parent = MessageRef(channel, found)
            else:
                message = build_escalation_message(payload.view)
                parent = MessageRef(
                    *self.client.post_message(channel, message, idempotency_key=action.key)
                )
            log.remember_message(action.ticket, channel, parent)
            return {"channel": parent.channel_id, "ts": parent.ts, "parent": True}
        reply_ts = None
        if payload.line:
            reply = build_thread_reply(payload.line, actor=payload.actor)
            reply_ts = self._reply(action, parent, reply)
        edited = build_escalation_message(payload.change.apply(payload.view))
        self.client.update_message(parent.channel_id, parent.ts, edited)
        return {"channel": parent.channel_id, "ts": reply_ts, "thread_ts": parent.ts}

    def _group(self, action: Action, payload: ChatGroup, log: SentLog) -> Reference:
        """An outage storm's one message: posted once, then edited in place with each signal."""
        channel = payload.channel
        message = build_group_message(payload.view)
        parent = log.message(action.ticket, channel)
        if parent is not None:
            self.client.update_message(parent.channel_id, parent.ts, message)
            return {"channel": parent.channel_id, "ts": parent.ts, "edited": True}
        found = self._find(action, channel)
        if found:
            parent = MessageRef(channel, found)
        else:
            parent = MessageRef(
                *self.client.post_message(channel, message, idempotency_key=action.key)
            )
        log.remember_message(action.ticket, channel, parent)
        return {"channel": parent.channel_id, "ts": parent.ts, "parent": True}

    def _thread(self, action: Action, payload: ChatThread, log: SentLog) -> dict[str, str]:
        """The line under every message the ticket has; a retry finds the ones already there."""
        replies: dict[str, str] = {}
        message = build_thread_reply(payload.line)
        for parent in log.messages(action.ticket):
            try:
                replies[parent.channel_id] = self._reply(action, parent, message)
            except Deferred as error:
                if not replies:
                    raise
                # Some threads have their reply: this attempt counts, so the retry checks.
                raise RetryableError(str(error), retry_after=error.retry_after) from error
        return replies

    def _reply(self, action: Action, parent: MessageRef, message: SlackMessage) -> str:
        found = self._find(action, parent.channel_id, thread_ts=parent.ts)
        if found:
            return found
        return self.client.post_message(
            parent.channel_id, message, thread_ts=parent.ts, idempotency_key=action.key
        )[1]

    def _find(self, action: Action, channel: str, *, thread_ts: str | None = None) -> str | None:
        """The ts of this action's message if an earlier attempt may have posted it."""
        if action.attempts <= 1:
            return None
        oldest = (action.created_at - LOOKBACK).timestamp()
        return self.client.find_posted(channel, action.key, thread_ts=thread_ts, oldest=oldest)
