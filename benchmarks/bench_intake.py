"""Webhook intake under load: gunicorn on loopback, signed Zendesk webhooks from another process.

    python benchmarks/bench_intake.py [--requests 20000] [--connections 32] [--seconds 60]

Starts gunicorn (the production gunicorn.conf.py) on a free loopback port with a fresh SQLite
database, sends distinct signed webhooks from a separate process over keep-alive connections
(bounded in count and time), then checks that every accepted webhook is in the inbox exactly
once. The final line is JSON: requests_per_second, p50_ms, p99_ms, sent, accepted, stored.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "ZENDESK_WEBHOOK_SECRET": SECRET,
            "WEB_CONCURRENCY": str(args.workers),
            "WEB_THREADS": str(args.threads),
            "BRIDGE_LOG_LEVEL": "ERROR",
            "BRIDGE_LOG_FORMAT": "json",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=tmp,
            env={**env, "PYTHONPATH": str(ROOT)},
        )
        (Path(tmp) / "gunicorn.conf.py").write_text((ROOT / "gunicorn.conf.py").read_text())
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
        with sqlite3.connect(database) as connection:
            stored, distinct = connection.execute(
                "SELECT count(*), count(DISTINCT dedup_key) FROM inbox"
            ).fetchone()

    latencies = outcome["latencies"]
    accepted = outcome["statuses"].get(202, 0)
    figures = {
        "requests_per_second": round(len(latencies) / outcome["elapsed"], 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "sent": len(latencies),
        "accepted": accepted,
        "stored": stored,
        "stored_exactly_once": stored == distinct == accepted,
        "statuses": outcome["statuses"],
        "workers": args.workers,
        "threads": args.threads,
        "connections": args.connections,
        "cores": os.cpu_count(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
