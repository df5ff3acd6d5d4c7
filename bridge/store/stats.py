"""The counts ``GET /metrics`` exposes, read from the tables so every web process answers the
same. Counts and ages only, never ticket content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, case, func, select

from bridge.store import gauges, inbox, outbox
from bridge.store.tables import UTCDateTime, audit_log, sync_cursors, tickets
from bridge.store.tables import inbox as inbox_table
from bridge.store.tables import outbox as outbox_table

API_BUDGET = "api_budget_remaining:"  # the gauge prefix the worker publishes budgets under


@dataclass(frozen=True)
class Stats:
    inbound: list[tuple[str, str, int]]  # source, result (pending/failed/processed), count
    decisions: list[tuple[str, int]]  # rule, count
    deliveries: list[tuple[str, str, int]]  # provider, status, count
    depth: int
    oldest: datetime | None
    cursors: list[tuple[str, datetime]]  # desk, when its cursor last moved
    overdue: datetime | None  # the most overdue ticket check
    budgets: dict[str, float]  # desk -> requests left, as the worker last published


def read(connection: Connection, now: datetime) -> Stats:
    inbound = connection.execute(
        select(
            inbox_table.c.source,
            case(
                (inbox_table.c.processed_at.is_(None), "pending"),
                (inbox_table.c.error.is_not(None), "failed"),
                else_="processed",
            ).label("result"),
            func.count(),
        ).group_by("source", "result")
    ).all()
    decisions = connection.execute(
        select(audit_log.c.rule, func.count())
        .where(audit_log.c.kind == "decision")
        .group_by(audit_log.c.rule)
    ).all()
    deliveries = connection.execute(
        select(outbox_table.c.provider, outbox_table.c.status, func.count()).group_by(
            outbox_table.c.provider, outbox_table.c.status
        )
    ).all()
    depth, oldest = outbox.depth(connection)
    cursors = connection.execute(select(sync_cursors.c.desk, sync_cursors.c.updated_at)).all()
    overdue = connection.execute(
        select(func.min(tickets.c.next_check_at, type_=UTCDateTime())).where(
            tickets.c.next_check_at <= now
        )
    ).scalar()
    counted = {(s, r): n for s, r, n in inbound}
    for name, value in gauges.read(connection, inbox.PRUNED).items():
        source, _, result = name.partition(":")
        counted[source, result] = counted.get((source, result), 0) + int(value)
    return Stats(
        inbound=[(s, r, n) for (s, r), n in sorted(counted.items())],
        decisions=[(rule or "", n) for rule, n in decisions],
        deliveries=[(p, s, n) for p, s, n in deliveries],
        depth=depth,
        oldest=oldest,
        cursors=[(desk, at) for desk, at in cursors],
        overdue=overdue,
        budgets=gauges.read(connection, API_BUDGET),
    )
