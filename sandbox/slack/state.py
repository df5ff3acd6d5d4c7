"""The Slack stand-in's data: channels with their messages and threads, ephemeral messages.

Every operation holds ``self.lock``, the lock the service counts its calls under (see
``SandboxService``), so that a test holding it sees calls and data at one moment.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.slack.wire import BOT_ID, BOT_USER_ID, Message

# Conversation ids: C (public), G (private), D (direct); M-conv: "ids ... not names".
_CONVERSATION_ID = re.compile(r"[CGD][A-Z0-9]+")


def channel_key(given: str) -> tuple[str, str]:
    """(id, name) of a channel the stand-in is started with: an id keeps a lowercase name,
    a name (with or without ``#``) gets a stable made-up id."""
    if _CONVERSATION_ID.fullmatch(given):
        return given, given.lower()
    name = given.removeprefix("#")
    digest = hashlib.sha256(name.encode()).hexdigest()[:8].upper()
    return f"C0{digest}", name


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
        not_member: Iterable[str] = (),
        scopes: Iterable[str] = (),
    ) -> None:
        self.token = token
        keys = {given: channel_key(given) for given in (*channels, *archived, *not_member)}
        # Keyed by id, as Slack keeps conversations; names only find an id.
        self.channels: dict[str, list[Message]] = {cid: [] for cid, _ in keys.values()}
        self.names: dict[str, str] = {name: cid for cid, name in keys.values()}
        self.archived = frozenset(keys[c][0] for c in archived)
        self.outside = {keys[c][0] for c in not_member}  # the bot is not a member
        self.scopes = set(scopes)
        self.ephemeral: list[Message] = []
        self.bridge_actions_url = bridge_actions_url
        self.signing_secret = signing_secret
        self._clock = clock
        self._sequence = 0

    # ---- helpers for tests and the demo ----

    def channel_id(self, channel: str) -> str:
        """The id of a channel given by id, ``#name`` or name (tests name channels freely)."""
        return channel if channel in self.channels else self.names.get(channel.lstrip("#"), "")

    def messages(self, channel: str) -> list[Message]:
        """Top-level messages of ``channel`` (id or name), oldest first."""
        with self.lock:
            found = self.channels.get(self.channel_id(channel), [])
            return [m for m in found if "thread_ts" not in m]

    def thread(self, channel: str, ts: str) -> list[Message]:
        """Replies under the parent ``ts``, oldest first."""
        with self.lock:
            found = self.channels.get(self.channel_id(channel), [])
            return [m for m in found if m.get("thread_ts") == ts]

    def invite(self, channel: str) -> None:
        with self.lock:
            self.outside.discard(self.channel_id(channel))

    def reset(self) -> None:
        """Forget every message; the channels stay."""
        with self.lock:
            for messages in self.channels.values():
                messages.clear()
            self.ephemeral.clear()

    # ---- what the Web API does ----

    def find_channel(self, channel: str, *, by_name: bool) -> tuple[str | None, str | None]:
        """(id, error): ``chat.postMessage`` and ``chat.postEphemeral`` take an id or a name
        (M-post: "an encoded ID, or a name"); every other method takes an id only, and a name
        is ``channel_not_found`` (M-history, M-replies, M-update)."""
        found = channel if channel in self.channels else None
        if found is None and by_name:
            found = self.names.get(channel.removeprefix("#"))
        if found is None:
            return None, "channel_not_found"
        if found in self.archived:
            return found, "is_archived"
        return found, None

    def conversations(self) -> list[dict[str, Any]]:
        """Every channel as ``conversations.list`` shows it (M-list), in name order."""
        with self.lock:
            return [
                {
                    "id": cid,
                    "name": name,
                    "is_channel": cid.startswith("C"),
                    "is_private": cid.startswith("G"),
                    "is_archived": cid in self.archived,
                    "is_member": cid not in self.outside,
                }
                for name, cid in sorted(self.names.items())
            ]

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
