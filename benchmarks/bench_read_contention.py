"""Intake writes while readers scrape: does a reader hold up the writer (issue #11, finding 4)?

    python benchmarks/bench_read_contention.py [--writes 300] [--readers 4] [--hold-ms 50]
                                               [--locking-reads]

A fresh SQLite database; ``--readers`` threads read /metrics' figures (``stats.read``) in a loop,
each keeping its transaction open ``--hold-ms`` (a slow render, a big table), while the main
thread stores ``--writes`` webhooks as intake does (``db.writing``: waits at most 1.5 s). Readers
use ``db.reading`` (deferred); ``--locking-reads`` makes them begin as every transaction did
before (``BEGIN IMMEDIATE``), for comparison. The final line is JSON: the writes' p50/p99/max in
milliseconds, how many gave up (503), and how many reads ran or failed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError

from bridge.store import db, inbox, stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--hold-ms", type=float, default=50.0)
    parser.add_argument("--locking-reads", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = db.make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        db.upgrade(engine)
        stop = threading.Event()
        reads = [0] * args.readers
        failed_reads = [0] * args.readers

        def reader(number: int) -> None:
            while not stop.is_set():
                context = engine.begin() if args.locking_reads else db.reading(engine)
                try:
                    with context as connection:
                        stats.read(connection, datetime.now(UTC))
                        time.sleep(args.hold_ms / 1000)
                    reads[number] += 1
                except OperationalError:  # locking readers starve each other past 30 s
                    failed_reads[number] += 1

        threads = [threading.Thread(target=reader, args=(n,)) for n in range(args.readers)]
        for thread in threads:
            thread.start()
        latencies, gave_up = [], 0
        for number in range(args.writes):
            started = time.perf_counter()
            try:
                with db.writing(engine) as connection:
                    inbox.store(
                        connection,
                        source="zendesk",
                        dedup_key=f"bench-{number}",
                        kind="ticket",
                        ticket_id=str(number),
                        body=b"{}",
                        received_at=datetime.now(UTC),
                    )
            except OperationalError:
                gave_up += 1
            latencies.append((time.perf_counter() - started) * 1000)
        stop.set()
        for thread in threads:
            thread.join()
        engine.dispose()
    latencies.sort()
    print(
        json.dumps(
            {
                "reads": "locking (BEGIN IMMEDIATE)" if args.locking_reads else "deferred",
                "writes": args.writes,
                "p50_ms": round(statistics.median(latencies), 2),
                "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
                "max_ms": round(latencies[-1], 2),
                "gave_up_503": gave_up,
                "reads_done": sum(reads),
                "reads_failed": sum(failed_reads),
            }
        )
    )


if __name__ == "__main__":
    main()
