"""Pieces every help-desk connector shares: the bridge marker, a TTL cache, time and id parsing,
who wrote a comment. Pure apart from the injected clock."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from policies.model import AuthorRole, Comment

# The tag the bridge adds to tickets it has touched; the Zendesk trigger and the Freshdesk rule
# can exclude on it, and it never counts as a change a person made.
BRIDGE_TAG = "escalation_bridge"

_MARKER = re.compile(r"\[bridge:([0-9a-f]{16})\]")


def marker_for(idempotency_key: str) -> str:
    """The hidden-in-plain-sight line that makes a post findable again after a lost response.

    A digest rather than the key itself: short, and it reveals nothing about the outbox.
    """
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:16]
    return f"[bridge:{digest}]"


def has_marker(text: str, idempotency_key: str | None = None) -> bool:
    """True when ``text`` carries a bridge marker (for ``idempotency_key`` if one is given)."""
    if idempotency_key is None:
        return _MARKER.search(text) is not None
    return marker_for(idempotency_key) in text


def with_marker(body: str, idempotency_key: str) -> str:
    return f"{body.rstrip()}\n\n{marker_for(idempotency_key)}"


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class TTLCache(Generic[K, V]):
    """Requester/organization lookups: they change rarely and cost a call each."""

    ttl: timedelta
    clock: Callable[[], datetime]
    max_entries: int = 10_000
    _items: dict[K, tuple[datetime, V]] = field(default_factory=dict)

    def get(self, key: K) -> V | None:
        hit = self._items.get(key)
        if hit is None:
            return None
        stored_at, value = hit
        if self.clock() - stored_at >= self.ttl:
            del self._items[key]
            return None
        return value

    def put(self, key: K, value: V) -> None:
        if len(self._items) >= self.max_entries:
            self._items.pop(next(iter(self._items)))
        self._items[key] = (self.clock(), value)


def parse_time(value: object) -> datetime | None:
    """ISO-8601 (``Z`` or an offset) to aware UTC; None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def str_id(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def author_role(
    *, body: str, author_id: str, bridge_user_id: str | None, customer: bool
) -> AuthorRole:
    if has_marker(body) or (bridge_user_id is not None and author_id == bridge_user_id):
        return AuthorRole.BRIDGE
    return AuthorRole.CUSTOMER if customer else AuthorRole.AGENT


def csat_label(score: int) -> str | None:
    """1-5 scale: 4-5 good, 1-2 bad, 3 neutral (no label)."""
    if score >= 4:
        return "good"
    if score <= 2:
        return "bad"
    return None


def comments_sorted(comments: list[Comment]) -> tuple[Comment, ...]:
    return tuple(sorted(comments, key=lambda c: (c.created_at, c.id)))
