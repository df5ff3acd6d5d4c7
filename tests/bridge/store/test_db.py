"""Transactions: readers never take SQLite's write lock; web writes give up quickly."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import OperationalError

from bridge.store import db, inbox
from bridge.store.tables import inbox as inbox_table
from tests.conftest import FrozenClock


def _store(connection: Connection, key: str, clock: FrozenClock) -> bool:
    return inbox.store(
        connection,
        source="zendesk",
        dedup_key=key,
        kind="ticket",
        ticket_id="1",
        body=b"{}",
        received_at=clock(),
    )


def _count(engine: Engine) -> int:
    with db.reading(engine) as connection:
        return int(connection.execute(select(func.count()).select_from(inbox_table)).scalar_one())


def test_a_reader_does_not_block_a_writer(engine: Engine, clock: FrozenClock) -> None:
    with db.reading(engine) as reader:
        before = reader.execute(select(func.count()).select_from(inbox_table)).scalar_one()
        # The reader's transaction is open; a writer that waits at most 50 ms still gets in.
        with db.writing(engine, busy_ms=50) as writer:
            assert _store(writer, "a", clock)
        if engine.dialect.name == "sqlite":
            # SQLite's reader keeps its snapshot until its transaction ends (PostgreSQL's read
            # committed sees each committed row).
            again = reader.execute(select(func.count()).select_from(inbox_table)).scalar_one()
            assert again == before
    assert _count(engine) == 1


def test_a_web_write_gives_up_while_another_writer_holds_the_lock(
    engine: Engine, clock: FrozenClock
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    with engine.begin() as worker:  # the worker's transaction holds the write lock
        assert _store(worker, "w", clock)
        with (
            pytest.raises(OperationalError, match="locked"),
            db.writing(engine, busy_ms=50) as web,
        ):
            _store(web, "x", clock)
    # The pooled connection the web used waits the worker's time again afterwards.
    # (PostgreSQL: see the next test.)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.WORKER_BUSY_MS


def test_a_web_write_gives_up_on_a_locked_postgresql_table(
    engine: Engine, clock: FrozenClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's lock_timeout")
    with engine.begin() as holder:
        holder.exec_driver_sql("LOCK TABLE inbox IN ACCESS EXCLUSIVE MODE")
        with (
            pytest.raises(OperationalError, match="lock"),
            db.writing(engine, busy_ms=50) as web,
        ):
            _store(web, "x", clock)
    with db.writing(engine, busy_ms=50) as web:  # the setting ended with its transaction
        assert web.exec_driver_sql("SHOW lock_timeout").scalar() == "50ms"
    with engine.begin() as worker:
        assert worker.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
