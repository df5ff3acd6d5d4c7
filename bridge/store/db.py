"""Database engine and migrations (SQLite by default, PostgreSQL for several instances)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same for every instance sharing a database.
PG_MIGRATION_LOCK = 7_245_001

# Execution options our SQLite "begin" hook reads (see ``reading`` and ``writing``).
READ_ONLY = "bridge_read_only"
BUSY_MS = "bridge_busy_ms"
# How long the worker waits for SQLite's write lock: it has nobody waiting on it.
WORKER_BUSY_MS = 30_000
# How long a web request waits for it: a webhook sender gives up after ~10 s and a Slack click
# after 3 s, so the request answers 503 (retry later) well before that.
REQUEST_BUSY_MS = 1_500
# libpq's minimum: connecting to a PostgreSQL that is down or unreachable fails within this.
PG_CONNECT_TIMEOUT_S = 2


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs for many small concurrent writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": WORKER_BUSY_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # Without a connect timeout a request waits for the operating system's (minutes) when the
    # database host does not answer. A timeout given in the URL wins.
    connect_args = {} if "connect_timeout" in parsed.query else engine_connect_args()
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=connect_args
    )
    event.listen(engine, "begin", _postgres_begin)
    return engine


def engine_connect_args() -> dict[str, Any]:
    """What PostgreSQL connections are opened with."""
    return {"connect_timeout": PG_CONNECT_TIMEOUT_S}


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    # The driver's own implicit BEGIN is turned off; _sqlite_begin begins instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the single writer; NORMAL is durable across process crashes
    # in WAL mode (only an OS crash can lose the last commits).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={WORKER_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    record.info[BUSY_MS] = WORKER_BUSY_MS


def _sqlite_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    # The wait is a property of the SQLite connection, which the pool shares between the web
    # and the worker: set it for this transaction when it differs from the last one's. A reader
    # (which in WAL mode does not wait for writers) keeps whatever the connection has.
    busy = options.get(BUSY_MS) or (None if options.get(READ_ONLY) else WORKER_BUSY_MS)
    if busy is not None and connection.info.get(BUSY_MS) != busy:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(busy)}")
        connection.info[BUSY_MS] = busy
    if options.get(READ_ONLY):
        # A reader in WAL mode sees a snapshot and never blocks the writer (nor waits for it).
        connection.exec_driver_sql("BEGIN")
        return
    # Writers take the write lock at the start of the transaction. A deferred transaction that
    # reads and then writes can fail at once with "database is locked" when another writer got
    # there first, and two of them can read the same due rows before either claims them.
    # Through SQLAlchemy, not the driver's connection (faster): a lock timeout must arrive as
    # SQLAlchemy's OperationalError, which the web's outage path turns into a 503.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _postgres_begin(connection: Connection) -> None:
    # A web write waits for row or table locks (a migration, a long transaction) only as long
    # as it would wait for SQLite's write lock; LockNotAvailable is an OperationalError.
    busy = connection.get_execution_options().get(BUSY_MS)
    if busy is not None:
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(busy)}")


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reads only (dashboard, /metrics, health, CLI listings): on SQLite its
    transactions are deferred, so readers never hold or wait for the write lock."""
    with engine.connect() as connection:
        connection.execution_options(**{READ_ONLY: True})
        yield connection


@contextmanager
def writing(engine: Engine, *, busy_ms: int = REQUEST_BUSY_MS) -> Iterator[Connection]:
    """A write transaction that gives up after ``busy_ms`` when SQLite's write lock (or, on
    PostgreSQL, a lock it needs) is held, for web requests that must answer within seconds (the
    worker uses ``engine.begin()``)."""
    with engine.connect() as connection:
        connection.execution_options(**{BUSY_MS: busy_ms})
        with connection.begin():
            yield connection


def insert(bind: Connection | Engine, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that offers ``on_conflict_do_nothing/update`` on both supported databases."""
    if bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with reading(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply all migrations; safe when several processes start at once."""
    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK}
            )
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """SQLite has no advisory locks: serialize local processes with a lock file beside the db."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
