"""The outbox's chat actions, carried out in Slack.

A ticket has one message per channel: the first post is that parent, recorded in the sent log
before anything is threaded under it (the outbox hands out one action per ticket and provider at
a time, so the parent exists first); later events are thread replies plus an edit of the parent.
When an attempt may have reached Slack before a crash (``attempts > 1``), the message is looked
for by the idempotency key it carries as metadata before posting again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from connectors.actions import (
    Action,
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
    RetryableError,
    SentLog,
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


class SlackNotifier:
    name = "slack"

    def __init__(self, settings: SlackSettings, client: SlackClient) -> None:
        self.client = client
        self.default_channel = settings.channel
        allowed = settings.allowed_ids
        self.authorization = SlackAuthorization(allowed_users=allowed, allowed_groups=allowed)

    def permits(self, request: PersonRequest) -> bool:
        return self.authorization.permits(request.kind, request.user_id)

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
