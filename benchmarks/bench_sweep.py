"""Timer sweep with nothing due, at 100k and 1M tracked tickets (SQLite, or PostgreSQL).

    python benchmarks/bench_sweep.py [--sizes 100000,1000000] [--repeat 2000] [--seconds 20]
                                     [--database-url URL] [--keep PATH]

Fills the ``tickets`` table (created by the bridge's migrations) with bulk inserts through
SQLAlchemy Core executemany in chunks: minimal valid ticket JSON (``ticket_to_json`` of a template
Critical ticket, the id changed per row), ``next_check_at`` spread at random over the next 30 days,
so nothing is due. At each size it times, ``--repeat`` times or for at most ``--seconds``:

- ``due_fresh``: ``tickets.due_tickets(connection, now, 500)`` on a connection newly checked out
  of the engine's pool (what the sweep job does);
- ``due_held``: the same query on one held connection (the query alone);
- ``sweep``: ``Jobs.sweep()`` end to end (the due query and the next-check ``min()`` that sets the
  worker's wake-up), built with ``build_jobs`` and no integrations.

Default: a fresh SQLite file in a temporary folder (``--keep PATH`` builds or reuses that file;
``bench_worker_rss.py`` reuses it). ``--database-url postgresql+psycopg://...`` measures an EMPTY
PostgreSQL database, e.g. under ``scripts/with-postgres`` (which exports
``BRIDGE_TEST_DATABASE_URL``; ``--database-url env`` reads it). Progress goes to stderr; the final
line is JSON with p50/p99/max in milliseconds per size, the query plan and the build times.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text

from bridge import create_app
from bridge.config import Settings
from bridge.runtime import runtime
from bridge.store import tickets as records
from bridge.store.tables import tickets
from bridge.worker.jobs import build_jobs
from policies.codec import ticket_to_json
from policies.model import Priority, Source, Status, Ticket

CHUNK = 10_000
HORIZON = timedelta(days=30)
SWEEP_LIMIT = 500  # bridge.worker.sweep.BATCH


def template(now: datetime) -> dict[str, Any]:
    ticket = Ticket(
        source=Source.ZENDESK,
        id="0",
        url="https://example.zendesk.com/agent/tickets/0",
        subject="Benchmark ticket",
        status=Status.OPEN,
        priority=Priority.URGENT,
        created_at=now - timedelta(minutes=5),
        updated_at=now - timedelta(minutes=5),
    )
    return ticket_to_json(ticket)


def count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(tickets)).scalar_one())


def fill(engine: Engine, target: int, now: datetime, seed: int = 7) -> float:
    """Insert rows until the table holds ``target``; returns the seconds it took."""
    have = count(engine)
    if have >= target:
        return 0.0
    data = template(now)
    rng = random.Random(seed + have)
    started = time.perf_counter()
    horizon = HORIZON.total_seconds() - 120
    for first in range(have, target, CHUNK):
        rows = []
        for number in range(first, min(target, first + CHUNK)):
            ticket_id = str(10_000_000 + number)
            rows.append(
                {
                    "source": "zendesk",
                    "ticket_id": ticket_id,
                    "data": {**data, "id": ticket_id, "url": data["url"][:-1] + ticket_id},
                    "status": "open",
                    "updated_at": now,
                    "fetched_at": now,
                    "created_at": now,
                    "reopened": False,
                    # none due: from two minutes ahead to 30 days ahead
                    "next_check_at": now + timedelta(seconds=120 + rng.random() * horizon),
                }
            )
        with engine.begin() as connection:
            connection.execute(tickets.insert(), rows)
        done = min(target, first + CHUNK)
        if done % 100_000 == 0 or done == target:
            rate = (done - have) / (time.perf_counter() - started)
            print(f"  {done:>9,} rows ({rate:,.0f} rows/s)", file=sys.stderr)
    return time.perf_counter() - started


def plan_of(engine: Engine, now: datetime) -> str:
    naive = now.astimezone(UTC).replace(tzinfo=None)
    sql = (
        "SELECT source, ticket_id FROM tickets WHERE next_check_at <= :now "
        f"ORDER BY next_check_at LIMIT {SWEEP_LIMIT}"
    )
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.execute(text("EXPLAIN QUERY PLAN " + sql), {"now": naive}).all()
            return "; ".join(str(row[-1]) for row in rows)
        rows = connection.execute(text("EXPLAIN " + sql), {"now": naive}).all()
        return "; ".join(str(row[0]).strip() for row in rows)


def timed(run: Callable[[], object], repeat: int, seconds: float) -> dict[str, float | int]:
    for _ in range(min(20, repeat)):  # warm up caches and the statement cache
        run()
    samples: list[float] = []
    stop = time.monotonic() + seconds
    while len(samples) < repeat and time.monotonic() < stop:
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "n": len(samples),
        "p50_ms": round(samples[len(samples) // 2] * 1000, 3),
        "p99_ms": round(samples[min(len(samples) - 1, int(0.99 * len(samples)))] * 1000, 3),
        "max_ms": round(samples[-1] * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=2000, help="timed runs per measurement")
    parser.add_argument("--seconds", type=float, default=20, help="time cap per measurement")
    parser.add_argument("--database-url", default=None, help="'env': BRIDGE_TEST_DATABASE_URL")
    parser.add_argument("--keep", default=None, help="SQLite file to build or reuse")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    if sizes[-1] > 5_000_000:
        raise SystemExit("sizes above 5,000,000 are not supported")

    tmp = None
    url = args.database_url
    if url == "env":
        url = os.environ.get("BRIDGE_TEST_DATABASE_URL")
        if not url:
            raise SystemExit(
                "BRIDGE_TEST_DATABASE_URL is not set (run under scripts/with-postgres)"
            )
    if url is None:
        if args.keep:
            path = Path(args.keep).resolve()
        else:
            tmp = tempfile.TemporaryDirectory(prefix="bench-sweep-")
            path = Path(tmp.name) / "sweep.db"
        url = f"sqlite:///{path}"

    settings = Settings.from_env(
        {"DATABASE_URL": url, "BRIDGE_LOG_LEVEL": "WARNING", "BRIDGE_LOG_FORMAT": "json"}
    )
    app = create_app({"BRIDGE_SETTINGS": settings})
    engine: Engine = app.extensions["bridge"].db
    jobs = build_jobs(runtime(app), "bench-sweep")

    results: dict[str, Any] = {}
    for size in sizes:
        now = datetime.now(UTC)
        print(f"filling to {size:,} tickets ({engine.dialect.name})", file=sys.stderr)
        build_seconds = fill(engine, size, now)
        rows = count(engine)
        now = datetime.now(UTC)
        with engine.connect() as connection:
            due_now = records.due_tickets(connection, now, SWEEP_LIMIT)

        def fresh() -> None:
            with engine.connect() as connection:
                records.due_tickets(connection, datetime.now(UTC), SWEEP_LIMIT)

        held_connection = engine.connect()

        def held(connection: Connection = held_connection) -> None:
            records.due_tickets(connection, datetime.now(UTC), SWEEP_LIMIT)

        due_fresh = timed(fresh, args.repeat, args.seconds)
        due_held = timed(held, args.repeat, args.seconds)
        held_connection.close()
        sweep = timed(jobs.sweep, args.repeat, args.seconds)
        results[str(size)] = {
            "rows": rows,
            "build_seconds": round(build_seconds, 1),
            "due_rows": len(due_now),
            "due_fresh": due_fresh,
            "due_held": due_held,
            "sweep": sweep,
            "plan": plan_of(engine, now),
        }
        print(f"  {size:,}: {json.dumps(results[str(size)])}", file=sys.stderr)

    worst = max(float(r["sweep"]["p99_ms"]) for r in results.values())
    figures = {
        "database": engine.dialect.name,
        "sizes": results,
        "worst_sweep_p99_ms": worst,
        "target_sweep_le_5ms": worst <= 5,
        "cores": os.cpu_count(),
    }
    engine.dispose()
    if tmp is not None:
        tmp.cleanup()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
