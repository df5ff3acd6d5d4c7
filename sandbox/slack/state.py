"""The Slack stand-in's data: channels with their messages and threads, ephemeral messages.

Every operation holds ``self.lock``, the lock the service counts its calls under (see
``SandboxService``), so that a test holding it sees calls and data at one moment.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.slack.wire import BOT_ID, BOT_USER_ID, Message


class SlackState:
    lock: threading.RLock

    def __init__(
        self,
        *,
        token: str,
        channels: Iterable[str],
        archived: Iterable[str],
        bridge_actions_url: str | None,
        signing_secret: str,
        clock: Callable[[], float],
    ) -> None:
        self.token = token
        self.channels: dict[str, list[Message]] = {c: [] for c in (*channels, *archived)}
        self.archived = frozenset(archived)
        self.ephemeral: list[Message] = []
        self.bridge_actions_url = bridge_actions_url
        self.signing_secret = signing_secret
        self._clock = clock
        self._sequence = 0

    # ---- helpers for tests and the demo ----

    def messages(self, channel: str) -> list[Message]:
        """Top-level messages of ``channel``, oldest first."""
        with self.lock:
            return [m for m in self.channels.get(channel, []) if "thread_ts" not in m]

    def thread(self, channel: str, ts: str) -> list[Message]:
        """Replies under the parent ``ts``, oldest first."""
        with self.lock:
            return [m for m in self.channels.get(channel, []) if m.get("thread_ts") == ts]

    def reset(self) -> None:
        """Forget every message; the channels stay."""
        with self.lock:
            for messages in self.channels.values():
                messages.clear()
            self.ephemeral.clear()

    # ---- what the Web API does ----

    def channel_problem(self, channel: str) -> str | None:
        """The error code for a channel a message cannot go to, if it cannot."""
        if not channel or channel not in self.channels:
            return "channel_not_found"
        if channel in self.archived:
            return "is_archived"
        return None

    def post_message(
        self, channel: str, *, text: str, blocks: Any, thread_ts: Any, metadata: Any
    ) -> Message | None:
        """Post as the bot; None when ``thread_ts`` names no message of the channel."""
        with self.lock:
            if thread_ts and not any(m["ts"] == thread_ts for m in self.channels[channel]):
                return None
            message: Message = {
                "type": "message",
                "ts": self._next_ts(),
                "bot_id": BOT_ID,
                "text": text,
                "blocks": blocks,
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            if isinstance(metadata, str):  # form bodies carry it as JSON text
                metadata = json.loads(metadata)
            if metadata:
                message["metadata"] = metadata
            self.channels[channel].append(message)
            return message

    def update_message(self, channel: str, ts: Any, *, text: str, blocks: Any) -> Message | None:
        """Replace a message's text and blocks; None when ``ts`` names no message."""
        with self.lock:
            found = [m for m in self.channels[channel] if m["ts"] == ts]
            if not found:
                return None
            found[0].update(text=text, blocks=blocks)
            found[0]["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
            return found[0]

    def post_ephemeral(self, channel: str, user: str, text: str) -> str:
        with self.lock:
            ts = self._next_ts()
            self.ephemeral.append({"channel": channel, "user": user, "ts": ts, "text": text})
            return ts

    def history(self, channel: str, oldest: float) -> list[Message]:
        """Top-level messages from ``oldest`` on, newest first."""
        with self.lock:
            return list(reversed([m for m in self.messages(channel) if float(m["ts"]) >= oldest]))

    def replies(self, channel: str, ts: str) -> list[Message] | None:
        """The parent ``ts`` and its replies, oldest first; None when there is no such parent."""
        with self.lock:
            parent = [m for m in self.channels[channel] if m["ts"] == ts]
            return parent + self.thread(channel, ts) if parent else None

    def _next_ts(self) -> str:
        self._sequence += 1
        return f"{int(self._clock())}.{self._sequence:06d}"
