"""storm groups: related escalations handled as one incident

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from bridge.store.tables import UTCDateTime

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "storm_groups",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("basis", sa.String(length=255), nullable=False),
        sa.Column("open_basis", sa.String(length=255), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("words", JSON, nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("routing", sa.String(length=64), nullable=True),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("wants_page", sa.Boolean(), nullable=False),
        sa.Column("signals", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("last_joined_at", UTCDateTime(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("signalled_at", UTCDateTime(), nullable=True),
        sa.Column("next_signal_at", UTCDateTime(), nullable=True),
        sa.Column("paged_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        sa.UniqueConstraint("open_basis"),
    )
    op.create_index("ix_storm_groups_next_signal", "storm_groups", ["next_signal_at"])
    op.create_table(
        "storm_members",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", ID, nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("inputs", JSON, nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("source", "ticket_id"),
    )
    op.create_index("ix_storm_members_group", "storm_members", ["group_id", "joined_at"])


def downgrade() -> None:
    op.drop_index("ix_storm_members_group", table_name="storm_members")
    op.drop_table("storm_members")
    op.drop_index("ix_storm_groups_next_signal", table_name="storm_groups")
    op.drop_table("storm_groups")
