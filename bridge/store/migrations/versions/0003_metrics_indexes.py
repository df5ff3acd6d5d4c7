"""columns and indexes for the metrics, dashboard and /metrics

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

The metrics read a few fields of every ticket created in a period and of every decision in it.
Parsing them out of the JSON documents on each page view was too slow, so they are copied into
plain columns (filled by ``bridge.store.tickets`` from now on) and indexed. Existing rows are filled
here from their JSON; the code below reads the JSON itself rather than through the bridge's
codec, so that this migration keeps doing the same thing when the codec changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from bridge.store.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BATCH = 1000
RESOLVED = ("solved", "closed")


def _ticket_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=True),  # NOT NULL once filled
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("resolution_due", UTCDateTime(), nullable=True),
        sa.Column("requester_id", sa.String(length=64), nullable=True),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("organization_name", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("reopened", sa.Boolean(), nullable=True),  # NOT NULL once filled
    ]


def _audit_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("action", sa.String(length=32), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("tier", sa.String(length=8), nullable=True),
        sa.Column("route", sa.Text(), nullable=True),
    ]


TICKETS_CREATED_AT = [
    "created_at",
    "source",
    "ticket_id",
    "status",
    "priority",
    "resolution_due",
    "updated_at",
]

AUDIT_ACTION_AT = [
    "action",
    "at",
    "kind",
    "source",
    "ticket_id",
    "rule",
    "tier",
    "severity",
    "route",
]


def upgrade() -> None:
    for column in _ticket_columns():
        op.add_column("tickets", column)
    for column in _audit_columns():
        op.add_column("audit_log", column)
    _fill_tickets(op.get_bind())
    _fill_audit_log()
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.alter_column("created_at", existing_type=UTCDateTime(), nullable=False)
        batch_op.alter_column("reopened", existing_type=sa.Boolean(), nullable=False)
    op.create_index("ix_tickets_created_at", "tickets", TICKETS_CREATED_AT)
    op.create_index("ix_tickets_status", "tickets", ["status"])
    op.create_index("ix_audit_action_at", "audit_log", AUDIT_ACTION_AT)
    op.create_index("ix_audit_kind_rule", "audit_log", ["kind", "rule"])


def downgrade() -> None:
    op.drop_index("ix_audit_kind_rule", table_name="audit_log")
    op.drop_index("ix_audit_action_at", table_name="audit_log")
    op.drop_index("ix_tickets_status", table_name="tickets")
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    with op.batch_alter_table("audit_log") as batch_op:
        for column in reversed(_audit_columns()):
            batch_op.drop_column(column.name)
    with op.batch_alter_table("tickets") as batch_op:
        for column in reversed(_ticket_columns()):
            batch_op.drop_column(column.name)


def _fill_tickets(connection: sa.Connection) -> None:
    """In Python, in batches of ``BATCH`` by primary key: the times must be stored exactly as
    the bridge stores them, which no SQL expression writes the same on both databases."""
    columns = _ticket_columns()
    tickets = sa.table(
        "tickets",
        sa.column("source", sa.String()),
        sa.column("ticket_id", sa.String()),
        sa.column("data", JSON),
        *(sa.column(c.name, c.type) for c in columns),
    )
    update = (
        tickets.update()
        .where(
            tickets.c.source == sa.bindparam("key_source"),
            tickets.c.ticket_id == sa.bindparam("key_ticket_id"),
        )
        .values({c.name: sa.bindparam(c.name) for c in columns})
    )
    after: tuple[str, str] | None = None
    while True:
        query = _batch(tickets, after)
        rows = connection.execute(query).all()
        if not rows:
            return
        connection.execute(
            update,
            [
                {"key_source": row.source, "key_ticket_id": row.ticket_id, **_ticket(row.data)}
                for row in rows
            ],
        )
        after = (rows[-1].source, rows[-1].ticket_id)


def _batch(tickets: Any, after: tuple[str, str] | None) -> sa.Select[Any]:
    query = sa.select(tickets.c.source, tickets.c.ticket_id, tickets.c.data)
    if after is not None:
        query = query.where(sa.tuple_(tickets.c.source, tickets.c.ticket_id) > sa.tuple_(*after))
    return query.order_by(tickets.c.source, tickets.c.ticket_id).limit(BATCH)


def _ticket(data: Mapping[str, Any]) -> dict[str, Any]:
    requester = data.get("requester") or {}
    organization = data.get("organization") or {}
    category = (data.get("custom_fields") or {}).get("category")
    score = (data.get("satisfaction") or {}).get("score")
    statuses = [change.get("status") for change in data.get("status_history") or ()]
    first_resolved = next((i for i, s in enumerate(statuses) if s in RESOLVED), len(statuses))
    return {
        "created_at": _time(data["created_at"]),
        "priority": data.get("priority") or None,
        "resolution_due": _time((data.get("desk_sla") or {}).get("resolution")),
        "requester_id": _text(requester.get("id")),
        "organization_id": _text(organization.get("id")),
        "organization_name": _text(organization.get("name")),
        "category": _text(category),
        "csat": int(score) if isinstance(score, int | float) else None,
        "reopened": any(s not in RESOLVED for s in statuses[first_resolved:]),
    }


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _fill_audit_log() -> None:
    """In SQL: the JSON operators SQLAlchemy writes for each database give plain strings."""
    names = [c.name for c in _audit_columns()]
    audit_log = sa.table(
        "audit_log", sa.column("data", JSON), *(sa.column(name, sa.String()) for name in names)
    )
    op.execute(
        audit_log.update().values({name: audit_log.c.data[name].as_string() for name in names})
    )
