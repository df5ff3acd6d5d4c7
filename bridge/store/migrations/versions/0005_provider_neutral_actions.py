"""provider-neutral outbox actions, chat messages and incidents

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Outbox actions were named after the provider (``slack.post``, ``pagerduty.trigger``) and carried
Slack blocks or a PagerDuty event rendered when they were queued. They are now named after what
they do (``chat.post``, ``page.trigger``) and carry a typed, provider-neutral payload that the
provider renders when it delivers. Every row is renamed (finished PagerDuty triggers are read
again for the routing key of a later acknowledge); waiting and dead rows get the new payload where
the old one holds what it needs. A waiting Slack post, whose old payload holds only rendered
blocks, cannot be turned back into its data: it becomes a dead letter that says so, visible in
``bridge outbox list --dead`` and on the dashboard, never silently dropped.

The Slack threads and PagerDuty incidents tables become ``chat_messages`` and ``incidents`` with a
``provider`` column, so that other chat tools and pagers share them.

Like 0003, this reads the JSON itself rather than through the bridge's codec.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from bridge.store.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
RENAMED = {
    "slack.post": "chat.post",
    "slack.reply": "chat.reply",
    "slack.thread": "chat.thread",
    "slack.ephemeral": "chat.private",
    "slack.alert": "chat.alert",
    "pagerduty.trigger": "page.trigger",
    "pagerduty.acknowledge": "page.acknowledge",
    "pagerduty.resolve": "page.resolve",
}
SEVERITIES = {"critical": "Critical", "error": "High", "warning": "Medium", "info": "Low"}
UNREADABLE = (
    "queued by an earlier version as rendered Slack blocks, which this version cannot send; "
    "the escalation itself is in the audit log (bridge explain)"
)


def upgrade() -> None:
    _chat_messages()
    _incidents()
    _outbox()


def _chat_messages() -> None:
    op.create_table(
        "chat_messages",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("provider", "source", "ticket_id", "channel"),
    )
    op.execute(
        "INSERT INTO chat_messages (provider, source, ticket_id, channel, channel_id, ts, "
        "created_at) SELECT 'slack', source, ticket_id, channel, channel_id, ts, created_at "
        "FROM slack_threads"
    )
    op.drop_table("slack_threads")


def _incidents() -> None:
    op.create_table(
        "incidents",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("incident_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("provider", "incident_id"),
    )
    op.execute(
        "INSERT INTO incidents (provider, incident_id, source, ticket_id, created_at) "
        "SELECT 'pagerduty', incident_id, source, ticket_id, created_at FROM pagerduty_incidents"
    )
    op.drop_table("pagerduty_incidents")


def _outbox() -> None:
    connection = op.get_bind()
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("payload", JSON),
        sa.column("status", sa.String()),
        sa.column("last_error", sa.Text()),
    )
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.action, outbox.c.payload, outbox.c.status)
    ).all()
    for row in rows:
        action = RENAMED.get(row.action, row.action)
        values: dict[str, Any] = {"action": action}
        if row.status != "done":
            payload = _payload(action, row.payload or {})
            if payload is None:
                values.update(status="dead", last_error=UNREADABLE)
            else:
                values["payload"] = payload
        connection.execute(outbox.update().where(outbox.c.id == row.id).values(values))


def _payload(action: str, old: Mapping[str, Any]) -> dict[str, Any] | None:
    """The new payload for a waiting or dead row, or None when the old one cannot give it."""
    if action in ("desk.note", "desk.reply", "chat.alert", "chat.private"):
        return dict(old)
    if action in ("page.acknowledge", "page.resolve"):
        return {"dedup_key": old["dedup_key"]}
    if action == "desk.update":
        return {
            "group": old.get("group_id"),
            "assignee": old.get("assignee_id"),
            "add_tags": list(old.get("add_tags") or ()),
            "remove_tags": list(old.get("remove_tags") or ()),
        }
    if action == "chat.reply":
        return {
            "message": {"channel_id": old["channel"], "ts": old["thread_ts"]},
            "line": html.unescape(str(old["message"]["text"])),
        }
    if action == "chat.thread":
        return {"line": html.unescape(str(old["message"]["text"]))}
    if action == "page.trigger":
        return _trigger(old)
    return None


def _trigger(old: Mapping[str, Any]) -> dict[str, Any]:
    event = old["event"]
    body = event.get("payload") or {}
    details = body.get("custom_details") or {}
    ticket = details.get("ticket") or {}
    customer = details.get("customer") or {}
    return {
        "routing": old["routing_key_env"],
        "dedup_key": event["dedup_key"],
        "ticket": {
            "source": str(ticket.get("source") or ""),
            "ticket_id": str(ticket.get("id") or ""),
            "url": str(ticket.get("url") or ""),
            "subject": str(ticket.get("subject") or ""),
            "status": str(ticket.get("status") or ""),
            "priority": ticket.get("priority"),
            "customer_name": str(customer.get("name") or ""),
            "customer_org": str(customer.get("organization") or ""),
        },
        "severity": SEVERITIES.get(str(body.get("severity")), "Medium"),
        "tier": int(str(details.get("tier") or "L1").removeprefix("L")),
        "rule": str(details.get("rule") or body.get("class") or ""),
        "route": str(body.get("group") or ""),
        "reason": str(details.get("reason") or ""),
        "inputs": dict(details.get("inputs") or {}),
    }


def downgrade() -> None:
    raise NotImplementedError("0005 rewrites queued actions; restore a backup to go back")
