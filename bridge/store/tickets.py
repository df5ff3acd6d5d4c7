"""Per-ticket records: the ticket mirror, the escalation state and the audit log. The engine
writes all three in one transaction per event."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from bridge.store.db import insert
from bridge.store.tables import UTCDateTime, audit_log, escalation_state, tickets
from policies.codec import state_from_json, state_to_json, ticket_from_json, ticket_to_json
from policies.fields import lookup
from policies.model import EscalationState, Ticket

RESOLVED = ("solved", "closed")

# -- ticket mirror ---------------------------------------------------------------------------


def reopened(statuses: Sequence[str]) -> bool:
    """A solved or closed status followed by another (the ticket's ``reopened`` column)."""
    first = next((i for i, s in enumerate(statuses) if s in RESOLVED), len(statuses))
    return any(s not in RESOLVED for s in statuses[first:])


def load_ticket(connection: Connection, source: str, ticket_id: str) -> Ticket | None:
    row = connection.execute(
        select(tickets.c.data).where(tickets.c.source == source, tickets.c.ticket_id == ticket_id)
    ).first()
    return ticket_from_json(row.data) if row else None


def save_ticket(
    connection: Connection, ticket: Ticket, fetched_at: datetime, next_check_at: datetime | None
) -> None:
    requester, organization = ticket.requester, ticket.organization
    found = lookup(ticket, "category")
    # A drop-down's chosen option by its label ("Warranty claim"), as people read it.
    labels = ticket.field_labels.get(found[0], ()) if found else ()
    category = ", ".join(labels) if labels else (found[1] if found else None)
    values = {
        "data": ticket_to_json(ticket),
        "status": ticket.status.value,
        "updated_at": ticket.updated_at,
        "fetched_at": fetched_at,
        "next_check_at": next_check_at,
        # The fields the metrics read, as plain columns (see bridge.store.tables.tickets).
        "created_at": ticket.created_at,
        "priority": ticket.priority.value if ticket.priority else None,
        "resolution_due": ticket.desk_sla.get("resolution"),
        "requester_id": (requester.id or None) if requester else None,
        "organization_id": (organization.id or None) if organization else None,
        "organization_name": (organization.name or None) if organization else None,
        "category": None if category in (None, "") else str(category),
        "csat": ticket.satisfaction.score if ticket.satisfaction else None,
        "reopened": reopened([change.status.value for change in ticket.status_history]),
    }
    statement = insert(connection, tickets).values(
        source=ticket.source.value, ticket_id=ticket.id, **values
    )
    connection.execute(
        statement.on_conflict_do_update(index_elements=["source", "ticket_id"], set_=values)
    )


def due_tickets(connection: Connection, now: datetime, limit: int) -> list[tuple[str, str]]:
    """Tickets whose next check has come, oldest first; served by the next_check_at index."""
    rows = connection.execute(
        select(tickets.c.source, tickets.c.ticket_id)
        .where(tickets.c.next_check_at <= now)
        .order_by(tickets.c.next_check_at)
        .limit(limit)
    )
    return [(row.source, row.ticket_id) for row in rows]


def next_check(connection: Connection) -> datetime | None:
    """The earliest next check of any ticket (the worker wakes for it)."""
    value: datetime | None = connection.execute(
        select(func.min(tickets.c.next_check_at, type_=UTCDateTime()))
    ).scalar_one()
    return value


def mirrored(connection: Connection) -> Iterator[Ticket]:
    """Every mirrored ticket (for the backtest)."""
    for row in connection.execute(select(tickets.c.data)):
        yield ticket_from_json(row.data)


def defer_check(connection: Connection, source: str, ticket_id: str, until: datetime) -> None:
    """Push a ticket's next check back, e.g. after its evaluation failed, to avoid a hot loop."""
    connection.execute(
        update(tickets)
        .where(tickets.c.source == source, tickets.c.ticket_id == ticket_id)
        .values(next_check_at=until)
    )


# -- escalation state ------------------------------------------------------------------------


def lock_state(
    connection: Connection, source: str, ticket_id: str, now: datetime
) -> EscalationState:
    """The ticket's state, locked for this transaction (PostgreSQL: the row; SQLite: the db)."""
    connection.execute(
        insert(connection, escalation_state)
        .values(
            source=source,
            ticket_id=ticket_id,
            tier=1,
            owner=None,
            data=state_to_json(EscalationState()),
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["source", "ticket_id"])
    )
    query = select(escalation_state.c.data).where(
        escalation_state.c.source == source, escalation_state.c.ticket_id == ticket_id
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return state_from_json(connection.execute(query).one().data)


def load_state(connection: Connection, source: str, ticket_id: str) -> EscalationState | None:
    row = connection.execute(
        select(escalation_state.c.data).where(
            escalation_state.c.source == source, escalation_state.c.ticket_id == ticket_id
        )
    ).first()
    return state_from_json(row.data) if row else None


def save_state(
    connection: Connection, source: str, ticket_id: str, state: EscalationState, now: datetime
) -> None:
    connection.execute(
        update(escalation_state)
        .where(escalation_state.c.source == source, escalation_state.c.ticket_id == ticket_id)
        .values(tier=int(state.tier), owner=state.owner, data=state_to_json(state), updated_at=now)
    )


# -- audit log (append only) -----------------------------------------------------------------


def audit(
    connection: Connection,
    *,
    at: datetime,
    source: str,
    ticket_id: str,
    kind: str,
    rule: str | None,
    data: dict[str, Any],
) -> None:
    connection.execute(
        audit_log.insert().values(
            at=at,
            source=source,
            ticket_id=ticket_id,
            kind=kind,
            rule=rule,
            data=data,
            # A decision's fields the metrics read, as plain columns (see bridge.worker.decide).
            **{name: data.get(name) for name in ("action", "severity", "tier", "route")},
        )
    )


def audit_entries(connection: Connection, source: str, ticket_id: str) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(audit_log)
        .where(audit_log.c.source == source, audit_log.c.ticket_id == ticket_id)
        .order_by(audit_log.c.id)
    )
    return [dict(row._mapping) for row in rows]
