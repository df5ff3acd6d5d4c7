"""What was already sent for a ticket, as providers need it to thread, update and follow up:
the chat message each channel holds for a ticket, the incidents a pager opened for it (and the
tasks a tracker made for it, in the same table), and the
provider reference of earlier actions (``outbox.reference_of``).

``SentLog`` is the connectors' view of it (``connectors.base.SentLog``): short transactions of
its own, because a provider reads and records around calls to the outside.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from bridge.store import outbox
from bridge.store.db import insert
from bridge.store.tables import chat_messages, incidents
from connectors.actions import ActionKind
from connectors.base import Clock, MessageRef, TicketKey


def message(
    connection: Connection, provider: str, ticket: TicketKey, channel: str
) -> MessageRef | None:
    c = chat_messages.c
    row = connection.execute(
        select(c.channel_id, c.ts).where(
            c.provider == provider,
            c.source == ticket.source,
            c.ticket_id == ticket.ticket_id,
            c.channel == channel,
        )
    ).first()
    return MessageRef(row.channel_id, row.ts) if row else None


def messages(connection: Connection, provider: str, ticket: TicketKey) -> list[MessageRef]:
    c = chat_messages.c
    rows = connection.execute(
        select(c.channel_id, c.ts).where(
            c.provider == provider, c.source == ticket.source, c.ticket_id == ticket.ticket_id
        )
    )
    return [MessageRef(row.channel_id, row.ts) for row in rows]


def remember_message(
    connection: Connection,
    provider: str,
    ticket: TicketKey,
    channel: str,
    ref: MessageRef,
    now: datetime,
) -> None:
    connection.execute(
        insert(connection, chat_messages)
        .values(
            provider=provider,
            source=ticket.source,
            ticket_id=ticket.ticket_id,
            channel=channel,
            channel_id=ref.channel_id,
            ts=ref.ts,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["provider", "source", "ticket_id", "channel"])
    )


def remember_incident(
    connection: Connection, provider: str, incident_id: str, ticket: TicketKey, now: datetime
) -> None:
    connection.execute(
        insert(connection, incidents)
        .values(
            provider=provider,
            incident_id=incident_id,
            source=ticket.source,
            ticket_id=ticket.ticket_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["provider", "incident_id"])
    )


def incident_ticket(connection: Connection, provider: str, incident_id: str) -> TicketKey | None:
    c = incidents.c
    row = connection.execute(
        select(c.source, c.ticket_id).where(c.provider == provider, c.incident_id == incident_id)
    ).first()
    return TicketKey(row.source, row.ticket_id) if row else None


class SentLog:
    """``connectors.base.SentLog`` over the database, for one provider."""

    def __init__(self, db: Engine, provider: str, clock: Clock) -> None:
        self.db = db
        self.provider = provider
        self.clock = clock

    def message(self, ticket: TicketKey, channel: str) -> MessageRef | None:
        with self.db.connect() as connection:
            return message(connection, self.provider, ticket, channel)

    def messages(self, ticket: TicketKey) -> list[MessageRef]:
        with self.db.connect() as connection:
            return messages(connection, self.provider, ticket)

    def remember_message(self, ticket: TicketKey, channel: str, ref: MessageRef) -> None:
        with self.db.begin() as connection:
            remember_message(connection, self.provider, ticket, channel, ref, self.clock())

    def remember_object(self, ticket: TicketKey, object_id: str) -> None:
        with self.db.begin() as connection:
            remember_incident(connection, self.provider, object_id, ticket, self.clock())

    def reference(self, ticket: TicketKey, kind: ActionKind) -> Mapping[str, Any] | None:
        with self.db.connect() as connection:
            return outbox.reference_of(connection, self.provider, ticket, kind)
