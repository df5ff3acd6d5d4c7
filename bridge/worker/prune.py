"""Housekeeping: processed inbox rows older than the retention period, ended dashboard sessions
and old failed sign-in attempts. In small batches, each its own short transaction, so intake
never waits long for SQLite's write lock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bridge.store import inbox, web_auth

log = logging.getLogger(__name__)

BATCH = 1000
# Failed attempts matter for the throttle's minute; an hour keeps them for a look in the table.
FAILURES_KEPT = timedelta(hours=1)


class PruneJob:
    def __init__(
        self, db: Engine, clock: Callable[[], datetime], retention: timedelta, batch: int = BATCH
    ) -> None:
        self.db = db
        self.clock = clock
        self.retention = retention
        self.batch = batch

    def run(self) -> int:
        now = self.clock()
        pruned = 0
        while True:
            with self.db.begin() as connection:
                removed = inbox.prune(connection, now - self.retention, now, self.batch)
            pruned += removed
            if removed < self.batch:
                break
        with self.db.begin() as connection:
            pruned += web_auth.prune(connection, now, now - FAILURES_KEPT)
        if pruned:
            log.info("pruned old rows", extra={"rows": pruned})
        return pruned
