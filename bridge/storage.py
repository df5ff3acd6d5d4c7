"""Repository functions over the tables: the only module that writes SQL for the bridge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, or_, select, update

from bridge.db import insert
from bridge.schema import gauges, inbox, leases, sync_cursors


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


class Storage:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Built once: intake is the hot path, and building a statement costs more than running it.
        # RETURNING rather than rowcount: psycopg reports no rowcount for this statement.
        self._store_inbound = (
            insert(self.engine, inbox)
            .on_conflict_do_nothing(index_elements=["source", "dedup_key"])
            .returning(inbox.c.id)
        )

    # -- inbox -------------------------------------------------------------------------------
    def store_inbound(
        self,
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
        with self.engine.begin() as connection:
            return connection.execute(self._store_inbound, values).first() is not None

    def unprocessed_inbound(self, limit: int = 100) -> list[InboxItem]:
        query = (
            select(inbox).where(inbox.c.processed_at.is_(None)).order_by(inbox.c.id).limit(limit)
        )
        with self.engine.connect() as connection:
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

    def finish_inbound(self, item_id: int, now: datetime, error: str | None = None) -> None:
        """Done with an item: processed, or set aside for good with the reason."""
        with self.engine.begin() as connection:
            connection.execute(
                update(inbox)
                .where(inbox.c.id == item_id)
                .values(processed_at=now, error=error and error[:2000])
            )

    def fail_inbound(self, item_id: int, error: str) -> int:
        """Count a failed attempt; returns the attempts so far."""
        with self.engine.begin() as connection:
            return int(
                connection.execute(
                    update(inbox)
                    .where(inbox.c.id == item_id)
                    .values(attempts=inbox.c.attempts + 1, error=error[:2000])
                    .returning(inbox.c.attempts)
                ).scalar_one()
            )

    def count_inbound(self, **where: Any) -> int:
        query = select(inbox.c.id).where(*(inbox.c[k] == v for k, v in where.items()))
        with self.engine.connect() as connection:
            return len(connection.execute(query).all())

    # -- sync cursors ------------------------------------------------------------------------
    def get_cursor(self, desk: str) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(
                select(sync_cursors.c.cursor).where(sync_cursors.c.desk == desk)
            ).scalar_one_or_none()

    def store_sync(self, desk: str, ticket_ids: Sequence[str], cursor: str, now: datetime) -> None:
        """Changed tickets into the inbox and the new cursor, in one transaction."""
        rows = [
            {
                "source": desk,
                "dedup_key": f"sync:{cursor}:{ticket_id}"[:255],
                "kind": "sync",
                "ticket_id": ticket_id,
                "body": b"",
                "received_at": now,
            }
            for ticket_id in ticket_ids
        ]
        with self.engine.begin() as connection:
            if rows:
                connection.execute(
                    insert(self.engine, inbox).on_conflict_do_nothing(
                        index_elements=["source", "dedup_key"]
                    ),
                    rows,
                )
            self._set_cursor(connection, desk, cursor, now)

    def set_cursor(self, desk: str, cursor: str, now: datetime) -> None:
        with self.engine.begin() as connection:
            self._set_cursor(connection, desk, cursor, now)

    def _set_cursor(self, connection: Connection, desk: str, cursor: str, now: datetime) -> None:
        statement = insert(connection, sync_cursors).values(
            desk=desk, cursor=cursor, updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=["desk"], set_={"cursor": cursor, "updated_at": now}
        )
        connection.execute(statement)

    # -- gauges ------------------------------------------------------------------------------
    def set_gauges(self, values: Mapping[str, float], now: datetime) -> None:
        with self.engine.begin() as connection:
            for name, value in values.items():
                statement = insert(connection, gauges).values(
                    name=name, value=value, updated_at=now
                )
                connection.execute(
                    statement.on_conflict_do_update(
                        index_elements=["name"], set_={"value": value, "updated_at": now}
                    )
                )

    def gauges(self, prefix: str) -> dict[str, float]:
        """Gauges whose name starts with ``prefix``, keyed by the rest of the name."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(gauges.c.name, gauges.c.value).where(gauges.c.name.startswith(prefix))
            )
            return {row.name.removeprefix(prefix): row.value for row in rows}

    # -- leader lease ------------------------------------------------------------------------
    def acquire_lease(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew the lease if it is free, expired or already ours. Atomic on both DBs."""
        expires = now + ttl
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(leases)
                .where(
                    and_(
                        leases.c.name == name,
                        or_(leases.c.holder == holder, leases.c.expires_at <= now),
                    )
                )
                .values(holder=holder, expires_at=expires)
            ).rowcount
            if taken:
                return True
            inserted = connection.execute(
                insert(self.engine, leases)
                .values(name=name, holder=holder, expires_at=expires)
                .on_conflict_do_nothing(index_elements=["name"])
                .returning(leases.c.name)
            ).first()
            return inserted is not None

    def release_lease(self, name: str, holder: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(leases).where(and_(leases.c.name == name, leases.c.holder == holder))
            )

    def lease_holder(self, name: str, now: datetime) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(
                select(leases.c.holder).where(
                    and_(leases.c.name == name, leases.c.expires_at > now)
                )
            ).scalar_one_or_none()
