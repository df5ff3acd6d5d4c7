"""Webhook intake under load: gunicorn on loopback, signed Zendesk webhooks from another process.

    python benchmarks/bench_intake.py [--requests 20000] [--connections 4] [--seconds 60]
                                      [--side-by-side ROUNDS]

Starts gunicorn (the production gunicorn.conf.py) on a free loopback port with a fresh SQLite
database, sends distinct signed webhooks from a separate process over keep-alive connections
(bounded in count and time), then checks that every accepted webhook is in the inbox exactly
once. The final line is JSON: requests_per_second, p50_ms, p99_ms, sent, accepted, stored.

With ``--side-by-side N`` it alternates N runs of the bridge and N of the reference app
(``benchmarks/reference_intake.py``: the same stack, an HMAC check and one SQLite insert,
nothing else) under the same load and reports each one's best run and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-zendesk-webhook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_requests(count: int, port: int) -> list[bytes]:
    """Distinct, signed event-subscription webhooks (unique event ids), as raw HTTP/1.1."""
    timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    built = []
    for number in range(count):
        body = json.dumps(
            {
                "type": "zen:event-type:ticket.comment_added",
                "id": f"bench-{number:08d}",
                "detail": {"id": str(100000 + number % 5000), "status": "OPEN", "priority": "HIGH"},
                "event": {},
                "subject": f"zen:ticket:{100000 + number % 5000}",
                "time": timestamp,
                "zendesk_event_version": "2022-11-06",
                "account_id": 1,
            }
        ).encode()
        digest = hmac.new(SECRET.encode(), timestamp.encode() + body, hashlib.sha256).digest()
        head = (
            f"POST /webhooks/zendesk HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/json; charset=utf-8\r\nUser-Agent: Zendesk Webhook\r\n"
            f"X-Zendesk-Webhook-Signature-Timestamp: {timestamp}\r\n"
            f"X-Zendesk-Webhook-Signature: {base64.b64encode(digest).decode()}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        built.append(head + body)
    return built


async def _connection(
    port: int, queue: list[bytes], deadline: float, latencies: list[float], statuses: dict[int, int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while queue and time.monotonic() < deadline:
            request = queue.pop()
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            close = False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    close = True
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1])
            statuses[status] = statuses.get(status, 0) + 1
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


def load(
    port: int,
    requests: list[bytes],
    connections: int,
    seconds: float,
    result: multiprocessing.Queue[Any],
) -> None:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(reversed(requests))

    async def main() -> float:
        deadline = time.monotonic() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(_connection(port, queue, deadline, latencies, statuses) for _ in range(connections))
        )
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    result.put({"latencies": latencies, "statuses": statuses, "elapsed": elapsed})


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if b"200" in sock.recv(100):
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not become ready")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(command: list[str], env: dict[str, str], folder: str, args: argparse.Namespace) -> Any:
    """Serve ``command`` with gunicorn on a free port, load it, return the loader's outcome."""
    port = free_port()
    env = {**env, "PORT": str(port), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, cwd=folder, env=env)
    try:
        wait_ready(port)
        requests = build_requests(args.requests, port)
        result: multiprocessing.Queue[Any] = multiprocessing.Queue()
        loader = multiprocessing.Process(
            target=load, args=(port, requests, args.connections, args.seconds, result)
        )
        loader.start()
        outcome = result.get(timeout=args.seconds + 60)
        loader.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return outcome


def figures(outcome: Any, stored: int, distinct: int) -> dict[str, Any]:
    latencies = outcome["latencies"]
    accepted = outcome["statuses"].get(202, 0)
    return {
        "requests_per_second": round(len(latencies) / outcome["elapsed"], 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "sent": len(latencies),
        "accepted": accepted,
        "stored": stored,
        "stored_exactly_once": stored == distinct == accepted,
        "statuses": outcome["statuses"],
    }


def count(database: Path, table: str, key: str) -> tuple[int, int]:
    with sqlite3.connect(database) as connection:
        found: tuple[int, int] = connection.execute(
            f"SELECT count(*), count(DISTINCT {key}) FROM {table}"
        ).fetchone()
    return found


def bridge_round(args: argparse.Namespace, base_env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        env = {
            **base_env,
            "DATABASE_URL": f"sqlite:///{database}",
            "ZENDESK_WEBHOOK_SECRET": SECRET,
            "BRIDGE_LOG_LEVEL": "ERROR",
            "BRIDGE_LOG_FORMAT": "json",
        }
        (Path(tmp) / "gunicorn.conf.py").write_text((ROOT / "gunicorn.conf.py").read_text())
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
        outcome = run(command, env, tmp, args)
        return figures(outcome, *count(database, "inbox", "dedup_key"))


def reference_round(args: argparse.Namespace, base_env: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "reference.db"
        env = {**base_env, "REFERENCE_DB": str(database), "REFERENCE_SECRET": SECRET}
        # The production settings, but its post_fork imports wsgi: that would build a whole
        # bridge app in every reference worker and slow its start (not its requests).
        (Path(tmp) / "gunicorn.conf.py").write_text(
            (ROOT / "gunicorn.conf.py").read_text()
            + "\n\ndef post_fork(server: object, worker: object) -> None:\n    pass\n"
        )
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "benchmarks.reference_intake:app",
        ]
        outcome = run(command, env, tmp, args)
        return figures(outcome, *count(database, "inbox", "dedup_key"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--side-by-side",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="alternate ROUNDS runs of the bridge and of benchmarks/reference_intake.py",
    )
    args = parser.parse_args()
    base_env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(args.workers),
        "WEB_THREADS": str(args.threads),
    }
    setup = {
        "workers": args.workers,
        "threads": args.threads,
        "connections": args.connections,
        "cores": os.cpu_count(),
    }
    if not args.side_by_side:
        print(json.dumps({**bridge_round(args, base_env), **setup}))
        return
    rounds: dict[str, list[dict[str, Any]]] = {"bridge": [], "reference": []}
    for number in range(args.side_by_side):
        for name, one in (("bridge", bridge_round), ("reference", reference_round)):
            rounds[name].append(one(args, base_env))
            print(f"round {number} {name}: {rounds[name][-1]}", file=sys.stderr)
    best = {
        name: max(runs, key=lambda r: r["requests_per_second"]) for name, runs in rounds.items()
    }
    print(
        json.dumps(
            {
                "bridge": best["bridge"],
                "reference": best["reference"],
                "throughput_ratio": round(
                    best["bridge"]["requests_per_second"]
                    / best["reference"]["requests_per_second"],
                    3,
                ),
                "p99_ratio": round(best["bridge"]["p99_ms"] / best["reference"]["p99_ms"], 3),
                "rounds": args.side_by_side,
                **setup,
            }
        )
    )


if __name__ == "__main__":
    main()
