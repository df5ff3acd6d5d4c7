"""What the dashboard lists besides the metrics: active escalations, dead letters, one ticket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from bridge.store import outbox
from bridge.store.tables import escalation_state, tickets
from bridge.store.tickets import audit_entries, load_state, load_ticket

UNRESOLVED = ("new", "open", "pending", "hold")


@dataclass(frozen=True)
class Active:
    source: str
    ticket_id: str
    subject: str
    priority: str
    tier: int
    owner: str | None
    next_check_at: datetime | None


def active_escalations(connection: Connection, limit: int = 50) -> tuple[int, list[Active]]:
    """Unresolved tickets above L1, the nearest deadline first; and how many there are."""
    joined = tickets.join(
        escalation_state,
        and_(
            escalation_state.c.source == tickets.c.source,
            escalation_state.c.ticket_id == tickets.c.ticket_id,
        ),
    )
    unresolved: ColumnElement[bool] = tickets.c.status.in_(UNRESOLVED)
    if connection.dialect.name == "sqlite":
        # SQLite's statistics weigh the four statuses alike and would scan every ticket; almost
        # all are solved, which this tells the planner so it takes the status index.
        unresolved = func.likelihood(unresolved, literal_column("0.01"), type_=NullType())
    where = and_(unresolved, escalation_state.c.tier >= 2)
    total = connection.execute(select(func.count()).select_from(joined).where(where)).scalar_one()
    query = (
        select(
            tickets.c.source,
            tickets.c.ticket_id,
            tickets.c.data["subject"].as_string().label("subject"),
            tickets.c.priority,
            escalation_state.c.tier,
            escalation_state.c.owner,
            tickets.c.next_check_at,
        )
        .select_from(joined)
        .where(where)
        .order_by(tickets.c.next_check_at.asc().nulls_last(), tickets.c.ticket_id)
        .limit(limit)
    )
    rows = connection.execute(query).all()
    return int(total), [
        Active(r.source, r.ticket_id, r.subject or "", r.priority or "", *r[4:]) for r in rows
    ]


def dead_letters(
    connection: Connection, secrets: Sequence[str], limit: int = 50
) -> list[dict[str, Any]]:
    """Dead outbox actions, their errors stripped of any configured secret value."""
    rows = outbox.listing(connection, outbox.DEAD, limit)
    for row in rows:
        row.pop("payload", None)
        row["last_error"] = redact(row.get("last_error") or "", secrets)
    return rows


def redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class TicketView:
    ticket: Any
    state: Any
    entries: list[dict[str, Any]]


def ticket_view(connection: Connection, source: str, ticket_id: str) -> TicketView | None:
    ticket = load_ticket(connection, source, ticket_id)
    entries = audit_entries(connection, source, ticket_id)
    if ticket is None and not entries:
        return None
    state = load_state(connection, source, ticket_id)
    return TicketView(ticket, state, entries)
