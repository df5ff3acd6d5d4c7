"""Slack: a thin sender over ``slack_sdk.WebClient`` (what Slack posts to us is parsed in
``connectors.slack.inbound``, what the outbox asks for is carried out in ``.notifier``).

Sending: https://docs.slack.dev/reference/methods/chat.postMessage. Every failure becomes one of
the typed errors of ``connectors.base`` so the outbox knows whether to try again. The SDK's own
retry handlers are switched off: the outbox owns retrying, and a handler would block the worker.

Conversation ids: ``chat.postMessage`` takes a channel name or id, but ``conversations.history``,
``conversations.replies`` and ``chat.update`` take an id only (a name gives
``channel_not_found``: https://docs.slack.dev/reference/methods/conversations.history). A policy
names channels (``#support``), so ``channel_id`` resolves names once through
``conversations.list`` (scopes ``channels:read`` and ``groups:read``) and keeps the table.

Pacing: Slack allows about one message per second per channel. ``post_message`` reserves a slot
per channel; if the slot is at most ``max_wait`` seconds away it sleeps (a short, bounded wait
keeps a parent and its first thread reply in one delivery pass), otherwise it raises
``RetryableError`` with ``retry_after`` instead of holding the worker. A 429 pushes the channel's
next slot out by its ``Retry-After`` so queued posts to that channel back off without calling Slack.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from connectors.base import AuthError, Deferred, PermanentError, RetryableError
from connectors.http import parse_retry_after
from connectors.slack.blocks import SlackMessage

DEFAULT_API_URL = "https://slack.com/api/"
TOKEN_VARIABLE = "SLACK_BOT_TOKEN"
SECONDS_PER_POST_PER_CHANNEL = 1.0
DEFAULT_RATE_LIMIT_WAIT = 30.0  # when a 429 comes without Retry-After
DEFAULT_TIMEOUT_SECONDS = 10

_RATE_LIMITED = frozenset({"ratelimited", "rate_limited", "message_limit_exceeded"})
_TRANSIENT = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
_AUTH = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "not_allowed_token_type",
        "no_permission",
    }
)
_HINTS = {
    "channel_not_found": "the channel does not exist or the bot cannot see it",
    "not_in_channel": "invite the bot to the channel (/invite @bridge) or grant chat:write.public",
    "is_archived": "the channel is archived; route this tier to another channel",
    "invalid_blocks": "the message blocks break a Block Kit rule",
    "msg_too_long": "the message text is too long",
    "cant_update_message": "only messages posted by this bot can be updated",
    "message_not_found": "the message to update no longer exists",
    "user_not_in_channel": "the user is not a member of the channel",
}


METADATA_EVENT = "escalation_bridge_post"
# C public, G private (older), D direct; names are lowercase, so an upper-case C/G/D start is an
# id: https://docs.slack.dev/reference/objects/conversation-object
_CONVERSATION_ID = re.compile(r"[CGD][A-Z0-9]+")
LIST_PAGE_SIZE = 200  # conversations.list: "no more than 200 results at a time" is recommended


def is_conversation_id(channel: str) -> bool:
    return _CONVERSATION_ID.fullmatch(channel) is not None


class SlackClient:
    """Posts, updates and answers ephemerally through the Slack Web API."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_API_URL,
        timeout: int = DEFAULT_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = SECONDS_PER_POST_PER_CHANNEL,
    ) -> None:
        self._client = WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait
        self._next_slot: dict[str, float] = {}
        self._lock = threading.Lock()
        self._channel_ids: dict[str, str] = {}

    def channel_id(self, channel: str) -> str:
        """The conversation id of ``channel`` (an id as given, ``#name`` or ``name``)."""
        if is_conversation_id(channel):
            return channel
        name = channel.removeprefix("#")
        if name not in self._channel_ids:
            # A channel created or renamed since the last look: read the list again.
            self._channel_ids = {c["name"]: c["id"] for c in self.list_channels()}
        found = self._channel_ids.get(name)
        if found is None:
            raise PermanentError(
                f"Slack has no channel named {channel!r} that the bot can see: "
                "create it, invite the bot, or use the channel's id in the policy"
            )
        return found

    def list_channels(self) -> list[dict[str, Any]]:
        """Every public and private channel the token can see (not archived), all pages."""
        channels: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = self._call(
                "conversations.list",
                "",
                partial(
                    self._client.conversations_list,
                    types="public_channel,private_channel",
                    exclude_archived=True,
                    limit=LIST_PAGE_SIZE,
                    cursor=cursor,
                ),
            )
            channels.extend(page.get("channels") or [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return channels

    def auth_test(self) -> tuple[dict[str, Any], frozenset[str]]:
        """``auth.test``'s answer and the scopes Slack says the token has (``X-OAuth-Scopes``)."""
        response = self._call("auth.test", "", self._client.auth_test)
        scopes = _header(response.headers, "x-oauth-scopes") or ""
        granted = frozenset(s.strip() for s in scopes.split(",") if s.strip())
        return dict(response.data) if isinstance(response.data, dict) else {}, granted

    def usergroup_members(self, group_id: str) -> frozenset[str]:
        """The user ids of a user group (``usergroups.users.list``, scope ``usergroups:read``)."""
        response = self._call(
            "usergroups.users.list",
            "",
            lambda: self._client.usergroups_users_list(usergroup=group_id),
        )
        users = response.get("users")
        return frozenset(str(u) for u in users) if isinstance(users, list) else frozenset()

    def post_message(
        self,
        channel: str,
        message: SlackMessage,
        thread_ts: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[str, str]:
        """Post ``message`` (``text`` + ``blocks``); returns Slack's (channel id, ts).

        With an ``idempotency_key`` the message carries it as metadata, so that ``find_posted``
        can tell after a crash whether the post went through before posting again.
        """
        self._wait_for_slot(channel)
        metadata = (
            {"event_type": METADATA_EVENT, "event_payload": {"key": idempotency_key}}
            if idempotency_key
            else None
        )
        response = self._call(
            "chat.postMessage",
            channel,
            lambda: self._client.chat_postMessage(
                channel=channel,
                text=message["text"],
                blocks=message.get("blocks"),
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                metadata=metadata,
            ),
        )
        return str(response["channel"]), str(response["ts"])

    def find_posted(
        self, channel: str, idempotency_key: str, *, thread_ts: str | None = None, oldest: float
    ) -> str | None:
        """The ts of a message this bridge posted with ``idempotency_key`` since ``oldest``."""
        channel = self.channel_id(channel)
        if thread_ts:
            response = self._call(
                "conversations.replies",
                channel,
                lambda: self._client.conversations_replies(
                    channel=channel,
                    ts=thread_ts,
                    oldest=str(oldest),
                    include_all_metadata=True,
                    limit=200,
                ),
            )
        else:
            response = self._call(
                "conversations.history",
                channel,
                lambda: self._client.conversations_history(
                    channel=channel, oldest=str(oldest), include_all_metadata=True, limit=200
                ),
            )
        for found in response.get("messages") or []:
            metadata = found.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and payload.get("key") == idempotency_key
            ):
                return str(found["ts"])
        return None

    def update_message(self, channel: str, ts: str, message: SlackMessage) -> None:
        channel = self.channel_id(channel)
        self._call(
            "chat.update",
            channel,
            lambda: self._client.chat_update(
                channel=channel, ts=ts, text=message["text"], blocks=message.get("blocks")
            ),
        )

    def post_ephemeral(self, channel: str, user: str, message: SlackMessage) -> str:
        """A message only ``user`` sees; returns its ``message_ts`` (it cannot be updated)."""
        response = self._call(
            "chat.postEphemeral",
            channel,
            lambda: self._client.chat_postEphemeral(
                channel=channel, user=user, text=message["text"], blocks=message.get("blocks")
            ),
        )
        return str(response["message_ts"])

    def _wait_for_slot(self, channel: str) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(channel, now))
            wait = slot - now
            if wait > self._max_wait:
                raise Deferred(
                    f"Slack pacing: next post to {channel} allowed in {wait:.1f} s",
                    retry_after=wait,
                )
            self._next_slot[channel] = slot + SECONDS_PER_POST_PER_CHANNEL
        if wait > 0:
            self._sleep(wait)

    def _hold_channel(self, channel: str, seconds: float) -> None:
        with self._lock:
            until = self._clock() + seconds
            self._next_slot[channel] = max(self._next_slot.get(channel, until), until)

    def _call(
        self, method: str, channel: str, request: Callable[[], SlackResponse]
    ) -> SlackResponse:
        try:
            return request()
        except SlackApiError as exc:
            error = _classify(method, exc.response)
            if error.status == 429 and error.retry_after is not None:
                self._hold_channel(channel, error.retry_after)
            raise error from exc
        except OSError as exc:  # URLError, timeouts, refused connections
            raise RetryableError(f"Slack {method}: connection failed: {exc}") from exc


def _classify(method: str, response: SlackResponse) -> PermanentError | RetryableError:
    status = response.status_code
    error = str(response.get("error", "")) if isinstance(response.data, dict) else ""
    message = f"Slack {method} failed: {error or f'HTTP {status}'}"
    if status == 429 or error in _RATE_LIMITED:
        retry_after = parse_retry_after(_header(response.headers, "retry-after"))
        return RetryableError(
            message, status=429, retry_after=retry_after or DEFAULT_RATE_LIMIT_WAIT
        )
    if status >= 500 or error in _TRANSIENT:
        return RetryableError(message, status=status)
    if error == "missing_scope":
        # Slack names the scope in "needed": add it to the app (README manifest), reinstall.
        needed = response.get("needed") or "a scope"
        return AuthError(f"{message}: the app needs {needed} (add it, reinstall)", status=status)
    if error in _AUTH or status in (401, 403):
        return AuthError(f"{message} (check {TOKEN_VARIABLE})", status=status)
    hint = _HINTS.get(error)
    return PermanentError(f"{message}: {hint}" if hint else message, status=status)


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None
