"""The Teams sandbox's data: channels (each a Workflows webhook) and the flow runs posted to them.

A Workflows trigger answers 202 before its flow posts the card, so every accepted request is a
*run* whose outcome tests can read: posted, not rendered, or failed (and why).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.teams import schemas, wire

Outcome = Literal["posted", "not_rendered", "failed"]


@dataclass
class Channel:
    name: str
    workflow_id: str
    sig: str
    runs: list[Run] = field(default_factory=list)


@dataclass
class Run:
    """One accepted webhook request and what the flow made of it in the channel."""

    run_id: str
    channel: str
    received_at: float
    message: Any
    outcome: Outcome
    problems: list[str]

    @property
    def cards(self) -> list[dict[str, Any]]:
        if not isinstance(self.message, dict):
            return []
        return [a["content"] for a in self.message.get("attachments") or [] if "content" in a]


class TeamsState:
    def __init__(
        self,
        channels: Iterable[str],
        *,
        render_version: str,
        clock: Callable[[], float],
        key: bytes | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.render_version = render_version
        self._key = key or secrets.token_bytes(32)
        self.channels: dict[str, Channel] = {}
        self._windows: dict[str, tuple[int, int]] = {}
        for name in channels:
            workflow_id = secrets.token_hex(16)
            self.channels[name] = Channel(name, workflow_id, wire.signature(self._key, workflow_id))

    def by_workflow(self, workflow_id: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.workflow_id == workflow_id), None)

    def admit(self, channel: Channel) -> bool:
        """Teams counts requests in fixed one-second windows per webhook."""
        with self.lock:
            second = int(self.clock())
            start, count = self._windows.get(channel.workflow_id, (second, 0))
            if start != second:
                start, count = second, 0
            if count >= wire.MAX_REQUESTS_PER_SECOND:
                return False
            self._windows[channel.workflow_id] = (start, count + 1)
            return True

    def run(self, channel: Channel, raw: bytes, message: Any) -> Run:
        """Do what the flow does with an accepted request, and remember the outcome."""
        outcome: Outcome
        if len(raw) > wire.MAX_MESSAGE_BYTES:
            outcome, problems = "failed", ["Request Entity too large"]
        elif problems := wire.message_problems(message):
            outcome = "failed"
        else:
            cards = [a["content"] for a in message["attachments"]]
            problems = [p for card in cards for p in schemas.card_problems(card)]
            if problems:
                outcome = "failed"
            elif any(self._too_new(card) for card in cards):
                outcome, problems = "not_rendered", [wire.NOT_DISPLAYED_TEXT]
            else:
                outcome = "posted"
        run = Run(secrets.token_hex(12), channel.name, self.clock(), message, outcome, problems)
        with self.lock:
            channel.runs.append(run)
        return run

    def _too_new(self, card: dict[str, Any]) -> bool:
        declared = wire.version_tuple(str(card.get("version", "")))
        return declared > wire.version_tuple(self.render_version)

    def clear(self) -> None:
        with self.lock:
            for channel in self.channels.values():
                channel.runs.clear()
            self._windows.clear()
