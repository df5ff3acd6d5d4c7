"""Reading and writing the bridge's tables from tests, through the store's own functions where
it has them."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Engine, func, select

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
