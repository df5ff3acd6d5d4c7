"""When the database does not answer (locked past the request's wait, down, unreachable): web
requests answer 503 with ``Retry-After`` instead of hanging and failing with 500, and the log gets
one line when the outage starts and one when it ends (``bridge.store.outage``), not a traceback
per request."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from bridge.runtime import runtime
from bridge.store.outage import OUTAGE_ERRORS, OutageLog

__all__ = ["OUTAGE_ERRORS", "install", "outage_log", "unavailable"]

EXTENSION = "bridge.outage"
# Zendesk retries a 503 only when Retry-After is under 60 s; PagerDuty retries any 5xx.
RETRY_AFTER_SECONDS = 10
MESSAGE = "the bridge's database is not answering; try again in a few seconds"


def install(app: Flask) -> None:
    app.extensions[EXTENSION] = OutageLog("web requests get 503")
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
