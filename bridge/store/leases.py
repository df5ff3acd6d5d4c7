"""The worker lease: which worker runs the jobs. Atomic on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, or_, select, update

from bridge.store.db import insert
from bridge.store.tables import leases


def acquire(connection: Connection, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease if it is free, expired or already ours."""
    expires = now + ttl
    taken = connection.execute(
        update(leases)
        .where(
            and_(leases.c.name == name, or_(leases.c.holder == holder, leases.c.expires_at <= now))
        )
        .values(holder=holder, expires_at=expires)
    ).rowcount
    if taken:
        return True
    inserted = connection.execute(
        insert(connection, leases)
        .values(name=name, holder=holder, expires_at=expires)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(leases.c.name)
    ).first()
    return inserted is not None


def release(connection: Connection, name: str, holder: str) -> None:
    connection.execute(delete(leases).where(and_(leases.c.name == name, leases.c.holder == holder)))


def holder(connection: Connection, name: str, now: datetime) -> str | None:
    return connection.execute(
        select(leases.c.holder).where(and_(leases.c.name == name, leases.c.expires_at > now))
    ).scalar_one_or_none()
