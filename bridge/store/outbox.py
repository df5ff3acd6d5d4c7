"""The outbox: every outbound effect, keyed so that doing it twice is impossible.

Actions are enqueued in the engine's transaction, claimed by the delivery worker with a lease
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer), and finished as done (with the
provider's reference), retried later (exponential backoff with jitter, or ``Retry-After``), or
dead-lettered. Per ticket and provider only the oldest unfinished action is claimable, so a Slack
parent message always exists before its thread replies and a page before its acknowledgement.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, not_, select, update

from bridge.store.db import insert
from bridge.store.tables import UTCDateTime, outbox
from connectors.actions import Action, ActionKind, NewAction, decode, encode
from connectors.base import TicketKey

PENDING, DONE, DEAD = "pending", "done", "dead"
CLAIM_LEASE = timedelta(seconds=60)
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=10)
MAX_AGE = timedelta(hours=24)


def enqueue(connection: Connection, actions: Iterable[NewAction], now: datetime) -> int:
    """Insert actions whose key is new; returns how many were new."""
    rows = [
        {
            "idempotency_key": a.key[:255],
            "source": a.ticket.source,
            "ticket_id": a.ticket.ticket_id,
            "provider": a.provider,
            "action": a.kind.value,
            "payload": encode(a.payload),
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for a in actions
    ]
    added = 0
    for row in rows:
        statement = (
            insert(connection, outbox)
            .values(**row)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(outbox.c.id)
        )
        added += connection.execute(statement).first() is not None
    return added


def claim(
    connection: Connection,
    worker: str,
    now: datetime,
    limit: int = 20,
    *,
    provider: str | None = None,
    kinds: Collection[ActionKind] = (),
    first_only: bool = False,
    leave: tuple[Collection[str], Collection[ActionKind]] = ((), ()),
) -> list[Action]:
    """Claim due actions, at most one per (ticket, provider): the oldest unfinished one.
    ``provider``, ``kinds`` and ``first_only`` (never attempted) narrow the claim, e.g. to a
    desk's first notes for one bulk call; ``leave`` = (providers, kinds) leaves those first
    attempts to that bulk claim."""
    unfinished = outbox.alias("earlier")
    oldest = (
        select(func.min(unfinished.c.id))
        .where(
            unfinished.c.status == PENDING,
            unfinished.c.source == outbox.c.source,
            unfinished.c.ticket_id == outbox.c.ticket_id,
            unfinished.c.provider == outbox.c.provider,
        )
        .scalar_subquery()
    )
    conditions = [
        outbox.c.status == PENDING,
        outbox.c.next_attempt_at <= now,
        (outbox.c.claimed_until.is_(None)) | (outbox.c.claimed_until <= now),
        outbox.c.id == oldest,
    ]
    if provider is not None:
        conditions.append(outbox.c.provider == provider)
    if kinds:
        conditions.append(outbox.c.action.in_([kind.value for kind in kinds]))
    if first_only:
        conditions.append(outbox.c.attempts == 0)
    if leave[0] and leave[1]:
        bulk = and_(
            outbox.c.provider.in_(list(leave[0])),
            outbox.c.action.in_([kind.value for kind in leave[1]]),
            outbox.c.attempts == 0,
        )
        conditions.append(not_(bulk))
    query = (
        select(outbox)
        .where(*conditions)
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=outbox)
    rows = connection.execute(query).all()
    if not rows:
        return []
    # The attempt is counted before it is made: after a crash mid-send the next attempt knows
    # that the effect may already exist and checks before repeating it.
    connection.execute(
        update(outbox)
        .where(outbox.c.id.in_([row.id for row in rows]))
        .values(
            claimed_by=worker,
            claimed_until=now + CLAIM_LEASE,
            attempts=outbox.c.attempts + 1,
            updated_at=now,
        )
    )
    claimed = []
    for row in rows:
        try:
            payload = decode(ActionKind(row.action), row.payload)
        except ValueError as error:
            # A row this version cannot read must not block the queue behind it.
            mark_dead(connection, row.id, f"unreadable {row.action} payload: {error}", now)
            continue
        claimed.append(
            Action(
                id=row.id,
                key=row.idempotency_key,
                ticket=TicketKey(row.source, row.ticket_id),
                provider=row.provider,
                payload=payload,
                attempts=row.attempts + 1,
                created_at=row.created_at,
                last_error=row.last_error,
            )
        )
    return claimed


def mark_done(
    connection: Connection, action_id: int, reference: dict[str, Any], now: datetime
) -> None:
    connection.execute(
        update(outbox)
        .where(outbox.c.id == action_id)
        .values(
            status=DONE, provider_ref=reference, claimed_until=None, last_error=None, updated_at=now
        )
    )


def backoff(attempts: int, retry_after: float | None, rng: random.Random) -> timedelta:
    """Exponential backoff, jittered within its upper half; ``Retry-After`` is a floor."""
    exponent = min(max(0, attempts - 1), 20)
    ceiling: timedelta = min(BACKOFF_CAP, BACKOFF_BASE * 2**exponent)
    delay: timedelta = ceiling * (0.5 + rng.random() / 2)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def mark_retry(
    connection: Connection,
    action: Action,
    error: str,
    now: datetime,
    retry_after: float | None,
    rng: random.Random,
) -> bool:
    """Schedule another attempt; dead-letters instead when the action is too old. True if dead."""
    if now - action.created_at >= MAX_AGE:
        mark_dead(connection, action.id, f"gave up after {MAX_AGE}: {error}", now)
        return True
    connection.execute(
        update(outbox)
        .where(outbox.c.id == action.id)
        .values(
            next_attempt_at=now + backoff(action.attempts, retry_after, rng),
            claimed_until=None,
            last_error=error[:2000],
            updated_at=now,
        )
    )
    return False


def defer(connection: Connection, action: Action, now: datetime, seconds: float) -> None:
    """Put an action back untried (its claim counted an attempt that was never made)."""
    connection.execute(
        update(outbox)
        .where(outbox.c.id == action.id)
        .values(
            next_attempt_at=now + timedelta(seconds=seconds),
            claimed_until=None,
            attempts=outbox.c.attempts - 1,
            updated_at=now,
        )
    )


def mark_dead(connection: Connection, action_id: int, error: str, now: datetime) -> None:
    connection.execute(
        update(outbox)
        .where(outbox.c.id == action_id)
        .values(status=DEAD, claimed_until=None, last_error=error[:2000], updated_at=now)
    )


def release(connection: Connection, worker: str, now: datetime) -> None:
    """Give back a worker's claims so nobody waits for them to expire. The attempt stays
    counted: a worker that died mid-send may have had its effect, so the next attempt checks."""
    connection.execute(
        update(outbox)
        .where(
            and_(
                outbox.c.claimed_by == worker,
                outbox.c.status == PENDING,
                outbox.c.claimed_until > now,
            )
        )
        .values(claimed_until=None, updated_at=now)
    )


def retry_dead(connection: Connection, action_id: int | None, now: datetime) -> int:
    """Put dead letters (one, or all) back in the queue."""
    condition = outbox.c.status == DEAD
    if action_id is not None:
        condition = and_(condition, outbox.c.id == action_id)
    return connection.execute(
        update(outbox)
        .where(condition)
        .values(
            status=PENDING, next_attempt_at=now, created_at=now, claimed_until=None, updated_at=now
        )
    ).rowcount


def reference_of(
    connection: Connection, provider: str, ticket: TicketKey, kind: ActionKind
) -> dict[str, Any] | None:
    """The provider's reference of its latest finished action of a kind for a ticket (another
    provider's, e.g. the Teams copy of a Slack prompt, is not its business)."""
    row = connection.execute(
        select(outbox.c.provider_ref)
        .where(
            outbox.c.source == ticket.source,
            outbox.c.ticket_id == ticket.ticket_id,
            outbox.c.action == kind.value,
            outbox.c.provider == provider,
            outbox.c.status == DONE,
        )
        .order_by(outbox.c.id.desc())
        .limit(1)
    ).first()
    return row.provider_ref if row else None


def listing(
    connection: Connection, status: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    query = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
    if status:
        query = query.where(outbox.c.status == status)
    return [dict(row._mapping) for row in connection.execute(query)]


def depth(connection: Connection) -> tuple[int, datetime | None]:
    """How many actions wait, and since when the oldest."""
    count, oldest = connection.execute(
        select(func.count(outbox.c.id), func.min(outbox.c.created_at, type_=UTCDateTime())).where(
            outbox.c.status == PENDING
        )
    ).one()
    return int(count), oldest
