"""What every sandbox service shares: serving on loopback, fault injection and call counters."""

from __future__ import annotations

import ssl
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class Fault:
    """One injected failure: answer ``status`` (with ``Retry-After`` if set) or delay first."""

    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    body: Any = None


@dataclass(frozen=True)
class Seen:
    """A request as it arrived, for contract tests that check it against the vendor's spec."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    body: bytes
    headers: dict[str, str]


@dataclass
class FaultPlan:
    """Faults queued per endpoint name (e.g. "chat.postMessage"); "*" matches every endpoint."""

    queued: dict[str, list[Fault]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, endpoint: str, fault: Fault, times: int = 1) -> None:
        with self.lock:
            self.queued.setdefault(endpoint, []).extend([fault] * times)

    def clear(self) -> None:
        with self.lock:
            self.queued.clear()

    def take(self, endpoint: str) -> Fault | None:
        with self.lock:
            for name in (endpoint, "*"):
                pending = self.queued.get(name)
                if pending:
                    return pending.pop(0)
        return None


class SandboxService:
    """A Flask app with per-endpoint call counts and fault injection, for one outside API."""

    name = "sandbox"

    def __init__(self) -> None:
        self.app = Flask(f"sandbox.{self.name}")
        self.calls: Counter[str] = Counter()
        self.faults = FaultPlan()
        self.lock = threading.RLock()
        self.base_url = ""  # set once served; used for pagination links pointing back here
        self.latency = 0.0  # seconds added to every call, to make slow services
        self.seen: deque[Seen] = deque(maxlen=10_000)  # the latest requests, oldest first
        self.app.before_request(self._see)

    def _see(self) -> None:
        # Read and kept first: a form parsed later is parsed from the kept bytes.
        body = request.get_data()
        self.seen.append(
            Seen(
                request.method,
                request.path,
                request.args.to_dict(),
                request.form.to_dict(),
                body,
                dict(request.headers),
            )
        )

    def hit(self, endpoint: str) -> Response | None:
        """Count a call and apply an injected fault; returns the fault response, if any."""
        with self.lock:
            self.calls[endpoint] += 1
        if self.latency:
            time.sleep(self.latency)
        fault = self.faults.take(endpoint)
        if fault is None:
            return None
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status is None:
            return None
        body = fault.body if fault.body is not None else {"error": f"injected {fault.status}"}
        response = jsonify(body)
        response.status_code = fault.status
        if fault.retry_after is not None:
            response.headers["Retry-After"] = _format_seconds(fault.retry_after)
        return response

    def request_base_url(self) -> str:
        return self.base_url or request.host_url.rstrip("/")


def _format_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass
class Served:
    url: str
    server: BaseWSGIServer
    thread: threading.Thread


@contextmanager
def serve(
    service: SandboxService,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_context: ssl.SSLContext | None = None,
) -> Iterator[Served]:
    """Serve a sandbox on loopback in a background thread for the duration of the block."""
    served = start(service, host=host, port=port, ssl_context=ssl_context)
    try:
        yield served
    finally:
        stop(served)


def start(
    service: SandboxService,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_context: ssl.SSLContext | None = None,
) -> Served:
    server = make_server(host, port, service.app, threaded=True, ssl_context=ssl_context)
    scheme = "https" if ssl_context else "http"
    service.base_url = f"{scheme}://{host}:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, name=f"sandbox-{service.name}", daemon=True
    )
    thread.start()
    return Served(url=service.base_url, server=server, thread=thread)


def stop(served: Served) -> None:
    served.server.shutdown()
    served.server.server_close()
    served.thread.join(timeout=5)
