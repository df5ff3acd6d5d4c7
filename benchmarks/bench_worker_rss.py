"""Worker memory: RSS of ``python -m bridge worker`` with 100k tracked tickets (SQLite).

    python benchmarks/bench_worker_rss.py [--tickets 100000] [--seconds 20] [--keep PATH]

Builds (or reuses, with ``--keep``) a SQLite database holding ``--tickets`` tracked tickets the way
``bench_sweep.py`` does (nothing due), starts the sandbox world on loopback so that every
integration is configured, then runs the real worker as a subprocess (``python -m bridge worker``,
DATABASE_URL pointing at that database) for ``--seconds``, sampling VmRSS and VmHWM from
``/proc/<pid>/status`` every 0.5 s. The final line is JSON: rss_mib at the end, the largest
sample, the peak (VmHWM), and the same for an empty database as the baseline.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bridge.store import db

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.bench_sweep import count, fill
from sandbox.world import SandboxWorld

ROOT = Path(__file__).resolve().parents[1]


def status_kib(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values


def run_worker(database: Path, environment: dict[str, str], seconds: float) -> dict[str, Any]:
    env = {
        **os.environ,
        **environment,
        "DATABASE_URL": f"sqlite:///{database}",
        "BRIDGE_LOG_LEVEL": "WARNING",
        "BRIDGE_LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
    }
    with tempfile.TemporaryDirectory(prefix="bench-rss-cwd-") as cwd:
        worker = subprocess.Popen([sys.executable, "-m", "bridge", "worker"], cwd=cwd, env=env)
        samples: list[int] = []
        peak = 0
        try:
            stop = time.monotonic() + seconds
            while time.monotonic() < stop and worker.poll() is None:
                time.sleep(0.5)
                values = status_kib(worker.pid)
                samples.append(values.get("VmRSS", 0))
                peak = max(peak, values.get("VmHWM", 0))
        finally:
            alive = worker.poll() is None
            if alive:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)
    if not samples or not alive:
        raise SystemExit(f"the worker exited early (code {worker.returncode})")
    return {
        "rss_mib": round(samples[-1] / 1024, 1),
        "rss_max_sample_mib": round(max(samples) / 1024, 1),
        "peak_hwm_mib": round(peak / 1024, 1),
        "samples": len(samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--keep", default=None, help="SQLite file to build or reuse")
    args = parser.parse_args()
    if args.tickets > 5_000_000 or args.seconds > 600:
        raise SystemExit("keep --tickets <= 5,000,000 and --seconds <= 600")

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp:
        database = Path(args.keep).resolve() if args.keep else Path(tmp) / "rss.db"
        empty = Path(tmp) / "empty.db"
        rows = 0
        for path, size in ((database, args.tickets), (empty, 0)):
            engine = db.make_engine(f"sqlite:///{path}")
            db.upgrade(engine)
            if size:
                print(f"filling to {size:,} tickets", file=sys.stderr)
                fill(engine, size, datetime.now(UTC))
            if size:
                rows = count(engine)
            engine.dispose()
        world = SandboxWorld.start(directory=Path(tmp))
        try:
            baseline = run_worker(empty, world.environment(), args.seconds)
            loaded = run_worker(database, world.environment(), args.seconds)
        finally:
            world.stop()

    figures = {
        "tickets": rows,
        "seconds": args.seconds,
        **loaded,
        "empty_db": baseline,
        "cores": os.cpu_count(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
