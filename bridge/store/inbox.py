"""The inbox: every verified inbound request, stored once before it is answered, and the sync
cursors whose changed tickets are put into it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Insert, delete, select, update

from bridge.store import gauges
from bridge.store.db import insert
from bridge.store.tables import inbox, sync_cursors

ERROR_MAX = 2000
# The running totals of pruned rows (gauge names "inbox_pruned:SOURCE:RESULT"), so that
# /metrics' bridge_inbound_events counter does not go down when old rows go.
PRUNED = "inbox_pruned:"


@dataclass(frozen=True)
class InboxItem:
    id: int
    source: str
    dedup_key: str
    kind: str
    ticket_id: str | None
    body: bytes
    received_at: datetime
    attempts: int


# Built once per dialect: intake is the hot path, and building a statement costs more than
# running it. RETURNING rather than rowcount: psycopg reports no rowcount for this statement.
_STORE: dict[str, Insert] = {}


def _store_statement(connection: Connection) -> Insert:
    statement = _STORE.get(connection.dialect.name)
    if statement is None:
        statement = (
            insert(connection, inbox)
            .on_conflict_do_nothing(index_elements=["source", "dedup_key"])
            .returning(inbox.c.id)
        )
        _STORE[connection.dialect.name] = statement
    return statement


def store(
    connection: Connection,
    *,
    source: str,
    dedup_key: str,
    kind: str,
    ticket_id: str | None,
    body: bytes,
    received_at: datetime,
) -> bool:
    """Store a verified inbound event once; False when it was already stored."""
    values = {
        "source": source,
        "dedup_key": dedup_key,
        "kind": kind,
        "ticket_id": ticket_id,
        "body": body,
        "received_at": received_at,
    }
    return connection.execute(_store_statement(connection), values).first() is not None


def unprocessed(connection: Connection, limit: int = 100) -> list[InboxItem]:
    query = select(inbox).where(inbox.c.processed_at.is_(None)).order_by(inbox.c.id).limit(limit)
    return [
        InboxItem(
            id=row.id,
            source=row.source,
            dedup_key=row.dedup_key,
            kind=row.kind,
            ticket_id=row.ticket_id,
            body=row.body,
            received_at=row.received_at,
            attempts=row.attempts,
        )
        for row in connection.execute(query)
    ]


def finish(connection: Connection, item_id: int, now: datetime, error: str | None = None) -> None:
    """Done with an item: processed, or set aside for good with the reason."""
    connection.execute(
        update(inbox)
        .where(inbox.c.id == item_id)
        .values(processed_at=now, error=error and error[:ERROR_MAX])
    )


def fail(connection: Connection, item_id: int, error: str) -> int:
    """Count a failed attempt; returns the attempts so far."""
    return int(
        connection.execute(
            update(inbox)
            .where(inbox.c.id == item_id)
            .values(attempts=inbox.c.attempts + 1, error=error[:ERROR_MAX])
            .returning(inbox.c.attempts)
        ).scalar_one()
    )


def prune(connection: Connection, before: datetime, now: datetime, limit: int = 1000) -> int:
    """Delete up to ``limit`` rows processed before ``before``, adding them to the pruned
    totals; returns how many went. Unprocessed rows are never pruned."""
    rows = connection.execute(
        select(inbox.c.id, inbox.c.source, inbox.c.error)
        .where(inbox.c.processed_at < before)
        .order_by(inbox.c.id)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    totals = Counter(
        f"{PRUNED}{row.source}:{'failed' if row.error is not None else 'processed'}" for row in rows
    )
    connection.execute(delete(inbox).where(inbox.c.id.in_([row.id for row in rows])))
    gauges.add(connection, totals, now)
    return len(rows)


# -- sync cursors ----------------------------------------------------------------------------


def cursor(connection: Connection, desk: str) -> str | None:
    return connection.execute(
        select(sync_cursors.c.cursor).where(sync_cursors.c.desk == desk)
    ).scalar_one_or_none()


def store_sync(
    connection: Connection, desk: str, ticket_ids: Sequence[str], new_cursor: str, now: datetime
) -> None:
    """Changed tickets into the inbox and the new cursor; call in one transaction."""
    rows = [
        {
            "source": desk,
            "dedup_key": f"sync:{new_cursor}:{ticket_id}"[:255],
            "kind": "sync",
            "ticket_id": ticket_id,
            "body": b"",
            "received_at": now,
        }
        for ticket_id in ticket_ids
    ]
    if rows:
        connection.execute(
            insert(connection, inbox).on_conflict_do_nothing(
                index_elements=["source", "dedup_key"]
            ),
            rows,
        )
    statement = insert(connection, sync_cursors).values(
        desk=desk, cursor=new_cursor, updated_at=now
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["desk"], set_={"cursor": new_cursor, "updated_at": now}
        )
    )
