"""Noticing that the database stopped answering (locked past the wait, down, unreachable) and
saying so once: one line when an outage starts and one when it ends, not a traceback for every
request or job run in between. Used by the web (``bridge.web.outage``) and the worker."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

# Locked (SQLite), refused or dropped connections, no pool connection free: the database, not
# the request, is at fault. Other database errors are bugs or bad input and are not hidden here.
OUTAGE_ERRORS: tuple[type[SQLAlchemyError], ...] = (OperationalError, InterfaceError, PoolTimeout)


class OutageLog:
    """Logs the first failure of an outage and the first success after it, once each.
    ``consequence`` says what happens meanwhile, e.g. "web requests get 503"."""

    def __init__(self, consequence: str) -> None:
        self.consequence = consequence
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
            f"database not answering; {self.consequence} until it does",
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
