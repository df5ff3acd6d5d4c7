"""The intake fuzz test, for longer: random headers and bodies, signed and unsigned, at every
endpoint of the intake table (``tests/support/fuzz.py``), checking no 5xx, no row for a refused
request and every row storable on PostgreSQL.

    .venv/bin/python -m benchmarks.bench_fuzz [--examples 5000] [--seed N] [--database-url URL]

Default: a fresh SQLite file in a temporary folder (``--database-url env`` reads
``BRIDGE_TEST_DATABASE_URL``, e.g. under ``scripts/with-postgres``). A failure prints the
shrunk request and exits 1. The final line is JSON: examples run, answers by status, seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bridge import create_app
from tests.conftest import FrozenClock, make_settings
from tests.support.fuzz import SETTINGS, check, requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url
    if url == "env":
        url = os.environ["BRIDGE_TEST_DATABASE_URL"]
    url = url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-fuzz-')) / 'bridge.db'}"
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    app = create_app(
        {"TESTING": True, "BRIDGE_SETTINGS": make_settings(url, **SETTINGS), "BRIDGE_CLOCK": clock}
    )
    client = app.test_client()
    statuses: Counter[int] = Counter()

    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        statuses[check(app, client, data.draw(requests(clock())))] += 1

    if args.seed is not None:
        run = seed(args.seed)(run)
    started = time.perf_counter()
    try:
        run()
    finally:
        app.extensions["bridge"].db.dispose()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "examples": sum(statuses.values()),
                "statuses": dict(sorted(statuses.items())),
                "seconds": round(seconds, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
