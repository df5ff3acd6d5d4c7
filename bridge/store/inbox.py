"""The inbox: every verified inbound request, stored once before it is answered, and the sync
cursors whose changed tickets are put into it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Insert, bindparam, select, update

from bridge.store.db import insert
from bridge.store.tables import inbox, sync_cursors

ERROR_MAX = 2000
_COLUMNS = ("source", "dedup_key", "kind", "ticket_id", "body", "received_at")


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


@dataclass(frozen=True)
class _Driver:
    """The intake's INSERT as the driver runs it: the SQL text, the parameters' order (for a
    positional paramstyle) and the conversions the column types would do (the aware time to
    the stored naive UTC, for one)."""

    sql: str
    order: tuple[str, ...] | None
    convert: dict[str, Callable[[Any], Any]]


_DRIVER: dict[str, _Driver] = {}


def _driver_statement(engine: Engine) -> _Driver:
    found = _DRIVER.get(engine.dialect.name)
    if found is None:
        statement = (
            insert(engine, inbox)
            .values({name: bindparam(name) for name in _COLUMNS})
            .on_conflict_do_nothing(index_elements=["source", "dedup_key"])
            .returning(inbox.c.id)
        )
        compiled = statement.compile(dialect=engine.dialect)
        order = (
            tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        )
        convert: dict[str, Callable[[Any], Any]] = {}
        for name in _COLUMNS:
            processor = inbox.c[name].type.bind_processor(engine.dialect)
            if processor is not None:
                convert[name] = processor
        found = _Driver(compiled.string, order, convert)
        _DRIVER[engine.dialect.name] = found
    return found


def store_now(
    engine: Engine,
    *,
    source: str,
    dedup_key: str,
    kind: str,
    ticket_id: str | None,
    body: bytes,
    received_at: datetime,
) -> bool:
    """``store`` in a transaction of its own, run on the driver's connection: the webhook hot
    path, where SQLAlchemy's execution machinery cost more than the insert and its commit
    (measured: ``benchmarks/bench_intake.py``). Same statement, same stored values."""
    driver = _driver_statement(engine)
    values: dict[str, Any] = {
        "source": source,
        "dedup_key": dedup_key,
        "kind": kind,
        "ticket_id": ticket_id,
        "body": body,
        "received_at": received_at,
    }
    for name, processor in driver.convert.items():
        values[name] = processor(values[name])
    params: Any = values if driver.order is None else [values[name] for name in driver.order]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            # On SQLite (autocommit driver, see store.db) the one statement is its own
            # transaction and takes the write lock when it starts, as BEGIN IMMEDIATE would, but
            # holds it only while SQLite runs it: under four writing processes, a BEGIN ...
            # COMMIT around it kept the lock across Python code and made the others wait.
            cursor.execute(driver.sql, params)
            stored = bool(cursor.fetchall())
        finally:
            cursor.close()
        raw.commit()  # PostgreSQL's transaction; nothing is open on SQLite by now
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    return stored


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
