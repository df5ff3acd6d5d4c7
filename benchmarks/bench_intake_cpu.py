"""CPU per signed webhook in the app alone, the bridge against the reference, for a shared machine.

    python benchmarks/bench_intake_cpu.py [--requests 4000] [--rounds 3]

``bench_intake.py --side-by-side`` measures throughput through gunicorn, which is only meaningful
on an otherwise idle machine. This one calls each app's WSGI callable directly (no server, no
client) with the same signed Zendesk webhooks ``bench_intake.py`` sends, each app in its own
process on a fresh SQLite database, and counts the process's CPU time per request (user + system:
the HMAC, the parsing, the insert and its commit). Rounds alternate between the two apps; the
best round of each is kept. The final line is JSON: microseconds per request and the ratio.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _environ(raw: bytes) -> tuple[dict[str, Any], bytes]:
    head, body = raw.split(b"\r\n\r\n", 1)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/webhooks/zendesk",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    for line in head.decode().split("\r\n")[1:]:
        name, value = line.split(": ", 1)
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    return environ, body


def measure(which: str, count: int) -> float:
    """In a child process: CPU microseconds per request of one app (after a warm-up)."""
    from benchmarks.bench_intake import SECRET, build_requests

    folder = tempfile.mkdtemp()
    if which == "bridge":
        os.environ.update(
            {
                "DATABASE_URL": f"sqlite:///{folder}/bench.db",
                "ZENDESK_WEBHOOK_SECRET": SECRET,
                "BRIDGE_LOG_LEVEL": "ERROR",
                "BRIDGE_LOG_FORMAT": "json",
            }
        )
        from wsgi import app
    else:
        os.environ.update({"REFERENCE_DB": f"{folder}/reference.db", "REFERENCE_SECRET": SECRET})
        from benchmarks.reference_intake import app
    requests = [_environ(raw) for raw in build_requests(count, 8000)]
    status: list[str] = []

    def start_response(line: str, headers: object, exc_info: object = None) -> Any:
        status.append(line)

    def call(environ: dict[str, Any], body: bytes) -> None:
        wsgi: Any = app.wsgi_app
        b"".join(wsgi({**environ, "wsgi.input": io.BytesIO(body)}, start_response))

    warm = count // 5
    for environ, body in requests[:warm]:
        call(environ, body)
    status.clear()
    started = time.process_time()
    for environ, body in requests[warm:]:
        call(environ, body)
    spent = time.process_time() - started
    if any(not line.startswith("202") for line in status):
        raise SystemExit(f"{which}: not every webhook was accepted")
    return spent / (count - warm) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["bridge", "reference"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps({"us": measure(args.child, args.requests)}))
        return
    best: dict[str, float] = {}
    for number in range(args.rounds):
        for which in ("bridge", "reference"):
            command = [sys.executable, __file__, "--child", which, "--requests", str(args.requests)]
            output = subprocess.run(
                command,
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            ).stdout
            us = float(json.loads(output.splitlines()[-1])["us"])
            print(f"round {number} {which}: {us:.0f} us/request", file=sys.stderr)
            best[which] = min(best.get(which, us), us)
    print(
        json.dumps(
            {
                "benchmark": "intake_cpu",
                "requests": args.requests,
                "rounds": args.rounds,
                "bridge_us_per_request": round(best["bridge"], 1),
                "reference_us_per_request": round(best["reference"], 1),
                "cpu_ratio": round(best["bridge"] / best["reference"], 3),
                "load_average": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
