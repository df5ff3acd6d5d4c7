"""Per-ticket records inside one transaction: the ticket mirror, escalation state, audit log and
Slack threads. Every function takes the caller's connection so the engine commits them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from bridge.db import insert
from bridge.metrics.compute import reopened
from bridge.schema import (
    audit_log,
    escalation_state,
    pagerduty_incidents,
    slack_threads,
    tickets,
)
from policies.codec import state_from_json, state_to_json, ticket_from_json, ticket_to_json
from policies.model import EscalationState, Ticket

# -- ticket mirror ---------------------------------------------------------------------------


def load_ticket(connection: Connection, source: str, ticket_id: str) -> Ticket | None:
    row = connection.execute(
        select(tickets.c.data).where(tickets.c.source == source, tickets.c.ticket_id == ticket_id)
    ).first()
    return ticket_from_json(row.data) if row else None


def save_ticket(
    connection: Connection, ticket: Ticket, fetched_at: datetime, next_check_at: datetime | None
) -> None:
    requester, organization = ticket.requester, ticket.organization
    category = ticket.custom_fields.get("category")
    values = {
        "data": ticket_to_json(ticket),
        "status": ticket.status.value,
        "updated_at": ticket.updated_at,
        "fetched_at": fetched_at,
        "next_check_at": next_check_at,
        # The fields the metrics read, as plain columns (see bridge.schema.tickets).
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
            # A decision's fields the metrics read, as plain columns (see bridge.engine.explain).
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


# -- Slack threads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlackThread:
    channel_id: str
    ts: str


def slack_thread(
    connection: Connection, source: str, ticket_id: str, channel: str
) -> SlackThread | None:
    row = connection.execute(
        select(slack_threads.c.channel_id, slack_threads.c.ts).where(
            slack_threads.c.source == source,
            slack_threads.c.ticket_id == ticket_id,
            slack_threads.c.channel == channel,
        )
    ).first()
    return SlackThread(row.channel_id, row.ts) if row else None


def slack_threads_of(connection: Connection, source: str, ticket_id: str) -> list[SlackThread]:
    rows = connection.execute(
        select(slack_threads.c.channel_id, slack_threads.c.ts).where(
            slack_threads.c.source == source, slack_threads.c.ticket_id == ticket_id
        )
    )
    return [SlackThread(row.channel_id, row.ts) for row in rows]


def remember_slack_thread(
    connection: Connection,
    source: str,
    ticket_id: str,
    channel: str,
    thread: SlackThread,
    now: datetime,
) -> None:
    connection.execute(
        insert(connection, slack_threads)
        .values(
            source=source,
            ticket_id=ticket_id,
            channel=channel,
            channel_id=thread.channel_id,
            ts=thread.ts,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["source", "ticket_id", "channel"])
    )


# -- PagerDuty incidents ---------------------------------------------------------------------


def remember_incident(
    connection: Connection, incident_id: str, source: str, ticket_id: str, now: datetime
) -> None:
    connection.execute(
        insert(connection, pagerduty_incidents)
        .values(incident_id=incident_id, source=source, ticket_id=ticket_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["incident_id"])
    )


def incident_ticket(connection: Connection, incident_id: str) -> tuple[str, str] | None:
    row = connection.execute(
        select(pagerduty_incidents.c.source, pagerduty_incidents.c.ticket_id).where(
            pagerduty_incidents.c.incident_id == incident_id
        )
    ).first()
    return (row.source, row.ticket_id) if row else None
