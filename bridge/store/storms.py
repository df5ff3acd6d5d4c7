"""Outage storms in the database: open groups, their members, and when each group speaks next.

The engine adds members inside its ticket transaction; the storm job (``bridge.worker.storms``)
finds the groups whose signal is due and records that it spoke. Which group a ticket joins and
when a group speaks are decided by ``policies.grouping``; nothing here decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select, update

from bridge.store.db import insert
from bridge.store.tables import storm_groups, storm_members
from policies.grouping import Joining, OpenGroup
from policies.model import Ticket


@dataclass(frozen=True)
class Group:
    id: int
    key: str
    basis: str
    why: str
    channel: str | None
    routing: str | None
    members: int
    wants_page: bool
    signals: int
    opened_at: datetime
    last_joined_at: datetime
    changed_at: datetime
    signalled_at: datetime | None
    next_signal_at: datetime | None
    paged_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class Member:
    source: str
    ticket_id: str
    group_id: int
    joined_at: datetime
    why: str
    inputs: Mapping[str, Any]
    severity: str
    tier: int
    subject: str
    url: str


def _group(row: Any) -> Group:
    fields = {name: getattr(row, name) for name in Group.__dataclass_fields__}
    return Group(**fields)


def _member(row: Any) -> Member:
    return Member(**{name: getattr(row, name) for name in Member.__dataclass_fields__})


def open_groups(connection: Connection, since: datetime) -> list[OpenGroup]:
    """Groups a ticket may still join: open, with a member who joined after ``since``."""
    g = storm_groups.c
    rows = connection.execute(
        select(g.key, g.basis, g.opened_at, g.last_joined_at, g.words).where(
            g.closed_at.is_(None), g.last_joined_at >= since
        )
    )
    return [
        OpenGroup(
            key=row.key,
            basis=row.basis,
            opened_at=row.opened_at.timestamp(),
            last_joined_at=row.last_joined_at.timestamp(),
            words=frozenset(row.words or ()),
        )
        for row in rows
    ]


def membership(connection: Connection, source: str, ticket_id: str) -> Member | None:
    c = storm_members.c
    row = connection.execute(
        select(storm_members).where(c.source == source, c.ticket_id == ticket_id)
    ).first()
    return _member(row) if row else None


def by_key(connection: Connection, key: str) -> Group | None:
    row = connection.execute(select(storm_groups).where(storm_groups.c.key == key)).first()
    return _group(row) if row else None


def by_id(connection: Connection, group_id: int) -> Group | None:
    row = connection.execute(select(storm_groups).where(storm_groups.c.id == group_id)).first()
    return _group(row) if row else None


def open_group(
    connection: Connection,
    joining: Joining,
    now: datetime,
    *,
    channel: str | None,
    routing: str | None,
    over_before: datetime,
) -> Group:
    """The group ``joining`` founds; if another transaction opened one on the same basis first
    (``open_basis`` is unique), that one. A group on the basis whose last member joined before
    ``over_before`` is over: closed here if the storm job has not closed it yet."""
    g = storm_groups.c
    connection.execute(
        update(storm_groups)
        .where(g.open_basis == joining.basis, g.last_joined_at < over_before)
        .values(open_basis=None, closed_at=now)
    )
    connection.execute(
        insert(connection, storm_groups)
        .values(
            key=joining.key,
            basis=joining.basis,
            open_basis=joining.basis,
            why=joining.why,
            words=sorted(joining.words),
            channel=channel,
            routing=routing,
            members=0,
            wants_page=False,
            signals=0,
            opened_at=now,
            last_joined_at=now,
            changed_at=now,
        )
        .on_conflict_do_nothing()
    )
    row = connection.execute(
        select(storm_groups).where((g.key == joining.key) | (g.open_basis == joining.basis))
    ).first()
    assert row is not None  # inserted, or the conflicting row is there
    return _group(row)


def add_member(
    connection: Connection,
    group: Group,
    ticket: Ticket,
    joining: Joining,
    now: datetime,
    *,
    severity: str,
    tier: int,
) -> None:
    added = connection.execute(
        insert(connection, storm_members)
        .values(
            source=ticket.source.value,
            ticket_id=ticket.id,
            group_id=group.id,
            joined_at=now,
            why=joining.why,
            inputs=dict(joining.inputs),
            severity=severity,
            tier=tier,
            subject=ticket.subject,
            url=ticket.url,
        )
        .on_conflict_do_nothing()
        .returning(storm_members.c.ticket_id)
    ).first()
    if added is None:  # already a member (an input handled twice)
        return
    g = storm_groups.c
    connection.execute(
        update(storm_groups)
        .where(g.id == group.id)
        .values(members=g.members + 1, last_joined_at=now)
    )


def changed(
    connection: Connection,
    group_id: int,
    now: datetime,
    next_signal: datetime,
    *,
    wants_page: bool,
    routing: str | None,
) -> None:
    """A member joined or moved: the group has something new to say at ``next_signal`` (or
    earlier, if a signal is already due)."""
    g = storm_groups.c
    values: dict[str, Any] = {
        "changed_at": now,
        "next_signal_at": func.coalesce(g.next_signal_at, next_signal),
    }
    if wants_page:
        values["wants_page"] = True
        values["routing"] = func.coalesce(g.routing, routing)
    connection.execute(update(storm_groups).where(g.id == group_id).values(**values))


def update_member(
    connection: Connection, member: Member, *, severity: str, tier: int, subject: str
) -> None:
    c = storm_members.c
    connection.execute(
        update(storm_members)
        .where(c.source == member.source, c.ticket_id == member.ticket_id)
        .values(severity=severity, tier=tier, subject=subject)
    )


def due(connection: Connection, now: datetime, limit: int = 50) -> list[Group]:
    g = storm_groups.c
    rows = connection.execute(
        select(storm_groups)
        .where(g.next_signal_at.is_not(None), g.next_signal_at <= now)
        .order_by(g.next_signal_at)
        .limit(limit)
    )
    return [_group(row) for row in rows]


def members(connection: Connection, group_id: int, limit: int | None = None) -> list[Member]:
    """A group's members, newest first."""
    c = storm_members.c
    query = (
        select(storm_members)
        .where(c.group_id == group_id)
        .order_by(c.joined_at.desc(), c.ticket_id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [_member(row) for row in connection.execute(query)]


def signalled(
    connection: Connection, group: Group, now: datetime, again_at: datetime, *, paged: bool
) -> None:
    """The group spoke at ``now`` about what changed up to ``group.changed_at``; if a member
    joined or moved since (another transaction), it speaks again at ``again_at``."""
    g = storm_groups.c
    values: dict[str, Any] = {
        "signalled_at": now,
        "signals": g.signals + 1,
        "next_signal_at": case((g.changed_at > group.changed_at, again_at), else_=None),
    }
    if paged:
        values["paged_at"] = now
    connection.execute(update(storm_groups).where(g.id == group.id).values(**values))


def not_yet(connection: Connection, group: Group) -> None:
    """Too few members to speak for: nothing to say until another joins."""
    g = storm_groups.c
    connection.execute(update(storm_groups).where(g.id == group.id).values(next_signal_at=None))


def close_over(connection: Connection, before: datetime, now: datetime) -> int:
    """Close groups nobody joined since ``before`` and that have nothing left to say."""
    g = storm_groups.c
    return connection.execute(
        update(storm_groups)
        .where(g.closed_at.is_(None), g.last_joined_at < before, g.next_signal_at.is_(None))
        .values(open_basis=None, closed_at=now)
    ).rowcount


def active(connection: Connection, now: datetime, limit: int = 20) -> list[Group]:
    """Open groups, newest activity first (the dashboard's list)."""
    g = storm_groups.c
    rows = connection.execute(
        select(storm_groups)
        .where(g.closed_at.is_(None))
        .order_by(g.last_joined_at.desc())
        .limit(limit)
    )
    return [_group(row) for row in rows]
