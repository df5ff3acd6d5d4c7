"""The timer sweep: evaluate exactly the tickets whose next check has come (an indexed query),
and wake the scheduler for the next one, so breaches are acted on at their second."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bridge.store import tickets
from bridge.worker.decide import Escalator, TicketEvent
from bridge.worker.waker import Waker
from connectors.base import TicketKey

log = logging.getLogger(__name__)

BATCH = 500
FAILED_TICKET_RETRY = timedelta(minutes=1)


def wake_for_next_check(db: Engine, waker: Waker) -> None:
    with db.connect() as connection:
        upcoming = tickets.next_check(connection)
    if upcoming is not None:
        waker.wake_sweep(upcoming)


class SweepJob:
    def __init__(
        self, db: Engine, escalator: Escalator, clock: Callable[[], datetime], waker: Waker
    ) -> None:
        self.db = db
        self.escalator = escalator
        self.clock = clock
        self.waker = waker

    def run(self) -> int:
        now = self.clock()
        with self.db.connect() as connection:
            due = tickets.due_tickets(connection, now, BATCH)
            upcoming = None if due else tickets.next_check(connection)
        if not due:
            # The common case, kept to one connection and two indexed queries.
            if upcoming is not None:
                self.waker.wake_sweep(upcoming)
            return 0
        for source, ticket_id in due:
            try:
                self.escalator.handle(
                    TicketEvent(TicketKey(source, ticket_id), "timer", refresh=False)
                )
            except Exception:
                log.exception("timer evaluation failed", extra={"ticket": f"{source}:{ticket_id}"})
                with self.db.begin() as connection:
                    tickets.defer_check(connection, source, ticket_id, now + FAILED_TICKET_RETRY)
        wake_for_next_check(self.db, self.waker)
        self.waker.wake_delivery()
        return len(due)
