"""Figures only the worker knows (its help-desk request budgets, the inbox rows it pruned), for
/metrics in the web process."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, select

from bridge.store.db import insert
from bridge.store.tables import gauges


def publish(connection: Connection, values: Mapping[str, float], now: datetime) -> None:
    for name, value in values.items():
        statement = insert(connection, gauges).values(name=name, value=value, updated_at=now)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["name"], set_={"value": value, "updated_at": now}
            )
        )


def add(connection: Connection, values: Mapping[str, float], now: datetime) -> None:
    """Add to running totals (a gauge row that only grows)."""
    for name, value in values.items():
        statement = insert(connection, gauges).values(name=name, value=value, updated_at=now)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["name"],
                set_={"value": gauges.c.value + statement.excluded.value, "updated_at": now},
            )
        )


def read(connection: Connection, prefix: str) -> dict[str, float]:
    """Gauges whose name starts with ``prefix``, keyed by the rest of the name."""
    rows = connection.execute(
        select(gauges.c.name, gauges.c.value).where(gauges.c.name.startswith(prefix))
    )
    return {row.name.removeprefix(prefix): row.value for row in rows}
