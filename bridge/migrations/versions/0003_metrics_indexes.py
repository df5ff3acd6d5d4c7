"""indexes for the metrics, dashboard and /metrics

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

The tickets' creation time and the decisions' action live in their JSON; the metrics select by
them, so they are indexed as expressions, written exactly as ``bridge.metrics.load.json_text``
queries them (SQLite uses an expression index only for the identical expression).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CREATED = {
    "postgresql": "(data ->> 'created_at')",
    "sqlite": "json_extract(data, '$.created_at')",
}
ACTION = {
    "postgresql": "(data ->> 'action')",
    "sqlite": "json_extract(data, '$.action')",
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_index("ix_tickets_created_at", "tickets", [sa.text(CREATED[dialect])])
    op.create_index("ix_tickets_status", "tickets", ["status"])
    # Decisions by action over a time range: the metrics read escalations and warnings only.
    op.create_index("ix_audit_action_at", "audit_log", [sa.text(ACTION[dialect]), "at"])
    op.create_index("ix_audit_kind_rule", "audit_log", ["kind", "rule"])


def downgrade() -> None:
    op.drop_index("ix_audit_kind_rule", table_name="audit_log")
    op.drop_index("ix_audit_action_at", table_name="audit_log")
    op.drop_index("ix_tickets_status", table_name="tickets")
    op.drop_index("ix_tickets_created_at", table_name="tickets")
