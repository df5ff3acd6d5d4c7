"""When the database does not answer (locked past the request's wait, down, unreachable): web
requests answer 503 with ``Retry-After`` instead of hanging and failing with 500, and the log gets
one line when the outage starts and one when it ends, not a traceback per request."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from flask import Flask, Response, current_app, jsonify
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bridge.runtime import runtime

log = logging.getLogger(__name__)

EXTENSION = "bridge.outage"
# Zendesk retries a 503 only when Retry-After is under 60 s; PagerDuty retries any 5xx.
RETRY_AFTER_SECONDS = 10
# Locked (SQLite), refused or dropped connections, no pool connection free: the database, not
# the request, is at fault. Other database errors are bugs or bad input and are not hidden here.
OUTAGE_ERRORS: tuple[type[SQLAlchemyError], ...] = (OperationalError, InterfaceError, PoolTimeout)
MESSAGE = "the bridge's database is not answering; try again in a few seconds"


class OutageLog:
    """Logs the first failure of an outage and the first success after it, once each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.down_since: datetime | None = None
        self.failures = 0

    def failed(self, error: SQLAlchemyError, now: datetime) -> None:
        with self._lock:
            self.failures += 1
            if self.down_since is not None:
                return
            self.down_since = now
        # The class and the driver's first line say locked/refused/timeout; no traceback, no
        # statement parameters (they may hold a request body).
        reason = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        log.warning(
            "database not answering; web requests get 503 until it does",
            extra={"error": type(error).__name__, "reason": reason},
        )

    def answered(self, now: datetime) -> None:
        if self.down_since is None:  # the usual case: no lock taken
            return
        with self._lock:
            since, failures = self.down_since, self.failures
            if since is None:
                return
            self.down_since, self.failures = None, 0
        log.warning(
            "database answering again",
            extra={"outage_seconds": round((now - since).total_seconds(), 1), "failed": failures},
        )


def install(app: Flask) -> None:
    app.extensions[EXTENSION] = OutageLog()
    for error in OUTAGE_ERRORS:
        app.register_error_handler(error, _unavailable)


def outage_log() -> OutageLog:
    found: OutageLog = current_app.extensions[EXTENSION]
    return found


def unavailable(error: SQLAlchemyError, now: datetime) -> Response:
    """Record the failure; the JSON answer every endpoint without its own gives."""
    outage_log().failed(error, now)
    response = jsonify({"error": MESSAGE})
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _unavailable(error: Exception) -> Response:
    assert isinstance(error, SQLAlchemyError)
    return unavailable(error, runtime().clock())
