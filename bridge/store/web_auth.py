"""What the dashboard's sign-in keeps: its generated signing key, the sessions (so logout and
expiry end them on the server) and failed attempts per client address (the throttle)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, or_, select, update

from bridge.store.db import insert
from bridge.store.tables import auth_failures, web_secrets, web_sessions

CLIENT_MAX = 64


def secret(connection: Connection, name: str, generated: str, now: datetime) -> str:
    """The stored secret ``name``; the first process to ask stores ``generated``, and every
    process (and instance) then reads that same value."""
    connection.execute(
        insert(connection, web_secrets)
        .values(name=name, value=generated, created_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return str(
        connection.execute(
            select(web_secrets.c.value).where(web_secrets.c.name == name)
        ).scalar_one()
    )


def open_session(
    connection: Connection, id_hash: str, token_mark: str, now: datetime, expires_at: datetime
) -> None:
    connection.execute(
        web_sessions.insert().values(
            id_hash=id_hash, token_mark=token_mark, created_at=now, expires_at=expires_at
        )
    )


def session_active(connection: Connection, id_hash: str, token_mark: str, now: datetime) -> bool:
    """Not revoked, not expired, and opened with the admin token still in use."""
    found = connection.execute(
        select(web_sessions.c.id_hash).where(
            web_sessions.c.id_hash == id_hash,
            web_sessions.c.token_mark == token_mark,
            web_sessions.c.revoked_at.is_(None),
            web_sessions.c.expires_at > now,
        )
    ).first()
    return found is not None


def revoke(connection: Connection, id_hash: str, now: datetime) -> None:
    connection.execute(
        update(web_sessions).where(web_sessions.c.id_hash == id_hash).values(revoked_at=now)
    )


def failures_since(connection: Connection, client: str, since: datetime) -> int:
    return int(
        connection.execute(
            select(func.count()).where(
                auth_failures.c.client == client[:CLIENT_MAX], auth_failures.c.at > since
            )
        ).scalar_one()
    )


def record_failure(connection: Connection, client: str, now: datetime) -> None:
    connection.execute(auth_failures.insert().values(client=client[:CLIENT_MAX], at=now))


def prune(connection: Connection, now: datetime, failures_before: datetime) -> int:
    """Forget ended sessions and old failed attempts; returns the rows removed."""
    ended = connection.execute(
        delete(web_sessions).where(
            or_(web_sessions.c.expires_at <= now, web_sessions.c.revoked_at.is_not(None))
        )
    ).rowcount
    old = connection.execute(delete(auth_failures).where(auth_failures.c.at < failures_before))
    return int(ended or 0) + int(old.rowcount or 0)
