"""Presented secrets (the admin token, the /metrics token) are compared in constant time and
failures are counted per client address in the database, so every process and instance shares
the count: after ``THROTTLE_LIMIT`` failures within ``THROTTLE_WINDOW`` the address gets 429
until the window has passed."""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import request
from werkzeug.exceptions import TooManyRequests

from bridge.runtime import runtime
from bridge.store import db, web_auth

THROTTLE_LIMIT = 5
THROTTLE_WINDOW = timedelta(minutes=1)


def check_secret(given: str, expected: str) -> bool:
    """Compare a presented token in constant time, counting failures per client address;
    raises 429 once the address failed ``THROTTLE_LIMIT`` times within ``THROTTLE_WINDOW``
    (even for the right token: otherwise guessing would just go on)."""
    state = runtime()
    now = state.clock()
    client = request.remote_addr or "unknown"
    with db.reading(state.db) as connection:
        failed = web_auth.failures_since(connection, client, now - THROTTLE_WINDOW)
    if failed >= THROTTLE_LIMIT:
        raise TooManyRequests(
            "Too many failed attempts from your address; wait a minute.",
            retry_after=int(THROTTLE_WINDOW.total_seconds()),
        )
    if hmac.compare_digest(given.encode(), expected.encode()):
        return True
    with db.writing(state.db) as connection:
        web_auth.record_failure(connection, client, now)
    return False
