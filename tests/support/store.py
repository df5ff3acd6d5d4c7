"""Reading and writing the bridge's tables from tests, through the store's own functions where
it has them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask
from sqlalchemy import Engine, String, func, select

from bridge.store import inbox
from bridge.store.inbox import InboxItem
from bridge.store.tables import inbox as inbox_table


def db_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["bridge"].db
    return engine


def unprocessed(engine: Engine) -> list[InboxItem]:
    with engine.connect() as connection:
        return inbox.unprocessed(connection)


def count_inbound(engine: Engine, **where: Any) -> int:
    query = select(func.count()).select_from(inbox_table)
    query = query.where(*(inbox_table.c[name] == value for name, value in where.items()))
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def store_inbound(engine: Engine, **values: Any) -> bool:
    """``inbox.store`` in a transaction of its own."""
    with engine.begin() as connection:
        return inbox.store(connection, **values)


def assert_fits_columns(items: Iterable[InboxItem]) -> None:
    """What a stored row must satisfy on every database: SQLite accepts any length in a
    ``varchar(n)`` and NUL characters in text, PostgreSQL refuses both (an error, so a 500)."""
    for item in items:
        for name in ("source", "dedup_key", "kind", "ticket_id"):
            value = getattr(item, name)
            if value is None:
                continue
            column_type = inbox_table.c[name].type
            assert isinstance(column_type, String) and column_type.length is not None
            assert len(value) <= column_type.length, (name, len(value))
            assert "\x00" not in value, name
