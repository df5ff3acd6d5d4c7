"""The database tables. Migrations under ``bridge/store/migrations`` create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData()

JsonType = JSON().with_variant(JSONB(), "postgresql")
Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (sortable and indexable the same on both databases); read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


tickets = Table(
    "tickets",
    metadata,
    Column("source", String(16), primary_key=True),
    Column("ticket_id", String(64), primary_key=True),
    Column("data", JsonType, nullable=False),
    Column("status", String(16), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("fetched_at", UTCDateTime(), nullable=False),
    Column("next_check_at", UTCDateTime(), nullable=True),
    # Copied out of ``data`` for the metrics, which read them for every ticket of a period:
    # parsing the JSON of thousands of tickets per page view is what made the dashboard slow.
    Column("created_at", UTCDateTime(), nullable=False),
    Column("priority", String(16), nullable=True),
    Column("resolution_due", UTCDateTime(), nullable=True),  # data.desk_sla.resolution
    Column("requester_id", String(64), nullable=True),
    Column("organization_id", String(64), nullable=True),
    Column("organization_name", Text(), nullable=True),
    Column("category", Text(), nullable=True),  # data.custom_fields.category, as text
    Column("csat", Integer(), nullable=True),
    Column("reopened", Boolean(), nullable=False),  # a resolved status followed by another
    Index("ix_tickets_next_check_at", "next_check_at"),
    Index("ix_tickets_status", "status"),
    # Covers the metrics' period scan: in SQLite the added columns sit after the JSON in the
    # row, so reading them from the table would step through the document's overflow pages.
    Index(
        "ix_tickets_created_at",
        "created_at",
        "source",
        "ticket_id",
        "status",
        "priority",
        "resolution_due",
        "updated_at",
    ),
)

DEDUP_KEY_MAX, KIND_MAX = 255, 64  # intake keeps within them (PostgreSQL enforces varchar(n))

inbox = Table(
    "inbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(16), nullable=False),
    Column("dedup_key", String(DEDUP_KEY_MAX), nullable=False),
    Column("kind", String(KIND_MAX), nullable=False),
    Column("ticket_id", String(64), nullable=True),
    Column("body", LargeBinary(), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("processed_at", UTCDateTime(), nullable=True),
    Column("attempts", Integer(), nullable=False, server_default="0"),
    Column("error", Text(), nullable=True),
    UniqueConstraint("source", "dedup_key", name="uq_inbox_source_dedup_key"),
    Index("ix_inbox_unprocessed", "processed_at", "id"),
)

escalation_state = Table(
    "escalation_state",
    metadata,
    Column("source", String(16), primary_key=True),
    Column("ticket_id", String(64), primary_key=True),
    Column("tier", Integer(), nullable=False),
    Column("owner", String(255), nullable=True),
    Column("data", JsonType, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("source", String(16), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("rule", String(128), nullable=True),
    Column("data", JsonType, nullable=False),
    # Copied out of a decision's ``data`` (see ``bridge.engine.explain``) for the metrics.
    Column("action", String(32), nullable=True),
    Column("severity", String(16), nullable=True),
    Column("tier", String(8), nullable=True),
    Column("route", Text(), nullable=True),
    Index("ix_audit_ticket", "source", "ticket_id", "id"),
    Index("ix_audit_at", "at"),
    # Covers the metrics' decisions by action over a time range: they never read the rows.
    Index(
        "ix_audit_action_at",
        "action",
        "at",
        "kind",
        "source",
        "ticket_id",
        "rule",
        "tier",
        "severity",
        "route",
    ),
    Index("ix_audit_kind_rule", "kind", "rule"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("source", String(16), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("provider", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("payload", JsonType, nullable=False),
    Column("status", String(16), nullable=False),  # pending | done | dead
    Column("attempts", Integer(), nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("claimed_by", String(64), nullable=True),
    Column("last_error", Text(), nullable=True),
    Column("provider_ref", JsonType, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_outbox_due", "status", "next_attempt_at"),
    Index("ix_outbox_ticket", "source", "ticket_id", "id"),
)

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("desk", String(16), primary_key=True),
    Column("cursor", Text(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

# The message each chat channel holds for a ticket: later events thread under it and edit it.
chat_messages = Table(
    "chat_messages",
    metadata,
    Column("provider", String(16), primary_key=True),
    Column("source", String(16), primary_key=True),
    Column("ticket_id", String(64), primary_key=True),
    Column("channel", String(64), primary_key=True),
    Column("channel_id", String(64), nullable=False),  # what the service answered; edits want it
    Column("ts", String(32), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Pagers name incidents by their own id in some webhooks (PagerDuty notes); our dedup key comes
# only with incident events, so the pairing is remembered when first seen. A work tracker's
# tasks (ClickUp) are kept here too: its webhooks name only the task.
incidents = Table(
    "incidents",
    metadata,
    Column("provider", String(16), primary_key=True),
    Column("incident_id", String(64), primary_key=True),
    Column("source", String(16), nullable=False),
    Column("ticket_id", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# Figures only the worker knows (its help-desk request budgets), for /metrics in the web process.
gauges = Table(
    "gauges",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Float(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# -- the dashboard's sessions (bridge/web/dashboard/auth.py) ---------------------------------------

# Keys the bridge generated for itself, shared by every process and instance (the session
# signing key when BRIDGE_SECRET_KEY is not set).
web_secrets = Table(
    "web_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

# One row per login: the cookie names it, logout and expiry end it. Keyed by a hash of the id in
# the cookie, and bound to the admin token in use at login (a new token ends every session).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("token_mark", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Index("ix_web_sessions_expires_at", "expires_at"),
)

# Failed logins and bearer attempts per client address, for the throttle.
auth_failures = Table(
    "auth_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("client", String(64), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_auth_failures_client_at", "client", "at"),
    Index("ix_auth_failures_at", "at"),
)

# Outage storms (``policies.grouping``): one row per group of related escalations. While a group
# is open ``open_basis`` holds what its members share, so two workers cannot open the same one.
storm_groups = Table(
    "storm_groups",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(255), nullable=False, unique=True),  # the page's dedup key
    Column("basis", String(255), nullable=False),
    Column("open_basis", String(255), nullable=True, unique=True),
    Column("why", Text(), nullable=False),  # how it formed: its founding ticket's reason
    Column("words", JsonType, nullable=False),  # the founding subject's words
    Column("channel", String(64), nullable=True),
    Column("routing", String(64), nullable=True),  # the variable naming the PagerDuty key
    Column("members", Integer(), nullable=False),
    Column("wants_page", Boolean(), nullable=False),
    Column("signals", Integer(), nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("last_joined_at", UTCDateTime(), nullable=False),
    Column("changed_at", UTCDateTime(), nullable=False),
    Column("signalled_at", UTCDateTime(), nullable=True),
    Column("next_signal_at", UTCDateTime(), nullable=True),
    Column("paged_at", UTCDateTime(), nullable=True),
    Column("closed_at", UTCDateTime(), nullable=True),
    Index("ix_storm_groups_next_signal", "next_signal_at"),
)

storm_members = Table(
    "storm_members",
    metadata,
    Column("source", String(16), primary_key=True),
    Column("ticket_id", String(64), primary_key=True),
    Column("group_id", Id, nullable=False),
    Column("joined_at", UTCDateTime(), nullable=False),
    Column("why", Text(), nullable=False),
    Column("inputs", JsonType, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("tier", Integer(), nullable=False),
    Column("subject", Text(), nullable=False),
    Column("url", Text(), nullable=False),
    Index("ix_storm_members_group", "group_id", "joined_at"),
)
