"""Pieces both help-desk connectors share: change batches, the bridge marker, a TTL cache and the
loop guard. Pure apart from the injected clock."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from policies.model import AuthorRole, Comment, Priority, Status, Ticket

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


@dataclass(frozen=True)
class ChangeBatch:
    """What changed since a cursor: ids (in the desk's order), light tickets, the next cursor.

    ``tickets`` are mapped from list/export rows: no comments or requester details; the engine
    re-reads a ticket with ``fetch_ticket`` before deciding. ``complete`` is False when the
    request budget ran out mid-way: the cursor is still safe to store, the rest comes next sync.
    """

    ticket_ids: tuple[str, ...]
    next_cursor: str
    tickets: tuple[Ticket, ...] = ()
    calls: int = 0
    complete: bool = True


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


def changed_only_by_bridge(
    before: Ticket | None,
    after: Ticket,
    *,
    bridge_tags: frozenset[str] = frozenset({BRIDGE_TAG}),
    bridge_fields: Mapping[str, object] | None = None,
) -> bool:
    """True when everything that differs between two reads of a ticket was the bridge's doing.

    The engine calls this on a webhook or sync hint before re-evaluating: new comments that are all
    ``AuthorRole.BRIDGE``, added/removed bridge tags, and the group/assignee/priority values the
    bridge itself just wrote (``bridge_fields``, e.g. ``{"group_id": "42"}``) do not count as news.
    With no earlier read there is nothing to compare, so it is news.
    """
    if before is None:
        return False
    old_ids = {c.id for c in before.comments}
    new_comments = [c for c in after.comments if c.id not in old_ids]
    if any(c.author_role is not AuthorRole.BRIDGE for c in new_comments):
        return False
    if (before.tags ^ after.tags) - bridge_tags:
        return False
    written = dict(bridge_fields or {})
    neutral = {
        "updated_at": before.updated_at,
        "comments": before.comments,
        "tags": before.tags,
        # Desks recompute SLA due times after any update, including the bridge's own.
        "desk_sla": before.desk_sla,
    }
    for name in ("group_id", "assignee_id", "priority"):
        if name in written and _same(getattr(after, name), written[name]):
            neutral[name] = getattr(before, name)
    return replace(after, **neutral) == before  # type: ignore[arg-type]


def _same(value: object, written: object) -> bool:
    if isinstance(value, Priority | Status):
        return value.value == str(written)
    return str(value) == str(written)


def comments_sorted(comments: list[Comment]) -> tuple[Comment, ...]:
    return tuple(sorted(comments, key=lambda c: (c.created_at, c.id)))
