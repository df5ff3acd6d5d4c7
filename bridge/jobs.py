"""The worker's jobs: inbox processing, the timer sweep, incremental sync and delivery."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from bridge import records, sync
from bridge.context import BridgeContext
from bridge.delivery import Delivery
from bridge.engine import EscalationEngine, Event, TicketUnknown
from bridge.inbound import events_for
from bridge.integrations import Integrations
from bridge.schema import UTCDateTime, tickets
from bridge.worker import Job
from connectors.http import PermanentError, RetryableError

log = logging.getLogger(__name__)

API_BUDGET_GAUGE = "api_budget_remaining:"
INBOX_BATCH = 200
SWEEP_BATCH = 500
MAX_INBOX_ATTEMPTS = 8
FAILED_TICKET_RETRY = timedelta(minutes=1)


class Jobs:
    def __init__(
        self,
        context: BridgeContext,
        integrations: Integrations,
        engine: EscalationEngine,
        delivery: Delivery,
    ) -> None:
        self.context = context
        self.integrations = integrations
        self.engine = engine
        self.delivery = delivery
        self.paused: dict[str, datetime] = {}  # source -> no new attempts before
        # Set by the worker: run the sweep at a moment, or deliveries as soon as possible.
        self.wake: Callable[[datetime], None] = lambda _at: None
        self.wake_delivery: Callable[[], None] = lambda: None

    def as_jobs(self) -> list[Job]:
        settings = self.context.settings
        return [
            Job("inbox", timedelta(seconds=1), self.process_inbox),
            Job("sweep", timedelta(seconds=settings.sweep_seconds), self.sweep),
            Job("sync", timedelta(seconds=settings.sync_seconds), self.sync),
            Job("deliver", timedelta(seconds=1), self.deliver),
        ]

    # -- inbox -------------------------------------------------------------------------------
    def process_inbox(self) -> int:
        storage, clock = self.context.storage, self.context.clock
        handled = 0
        for item in storage.unprocessed_inbound(INBOX_BATCH):
            now = clock()
            if self.paused.get(item.source, now) > now:
                continue
            try:
                for event in events_for(
                    item, self.context.settings, self.integrations, storage.engine, now
                ):
                    self.engine.handle(event)
            except RetryableError as error:
                attempts = storage.fail_inbound(item.id, str(error))
                pause = error.retry_after or min(60.0, 2.0**attempts)
                self.paused[item.source] = now + timedelta(seconds=pause)
                log.warning(
                    "inbox item will be retried",
                    extra={
                        "source": item.source,
                        "ticket": item.ticket_id,
                        "error": str(error),
                        "pause_seconds": pause,
                    },
                )
                continue
            except (PermanentError, TicketUnknown, ValueError) as error:
                storage.finish_inbound(item.id, now, error=f"set aside: {error}")
                log.warning(
                    "inbox item set aside",
                    extra={"source": item.source, "kind": item.kind, "error": str(error)},
                )
                continue
            except Exception as error:
                attempts = storage.fail_inbound(item.id, f"{type(error).__name__}: {error}")
                log.exception(
                    "inbox item failed", extra={"source": item.source, "attempts": attempts}
                )
                if attempts >= MAX_INBOX_ATTEMPTS:
                    storage.finish_inbound(item.id, now, error=f"gave up: {error}")
                continue
            storage.finish_inbound(item.id, clock())
            handled += 1
        self._wake_for_next_check()
        if handled:
            self.wake_delivery()
        return handled

    # -- timers ------------------------------------------------------------------------------
    def sweep(self) -> int:
        """Evaluate exactly the tickets whose next check has come (an indexed query)."""
        now = self.context.clock()
        with self.context.storage.engine.connect() as connection:
            due = records.due_tickets(connection, now, SWEEP_BATCH)
            upcoming = None if due else self._next_check(connection)
        if not due:
            # The common case, kept to one connection and two indexed queries.
            if upcoming is not None:
                self.wake(upcoming)
            return 0
        for source, ticket_id in due:
            try:
                self.engine.handle(Event(source, ticket_id, "timer", refresh=False))
            except Exception:
                log.exception("timer evaluation failed", extra={"ticket": f"{source}:{ticket_id}"})
                with self.context.storage.engine.begin() as connection:
                    records.defer_check(connection, source, ticket_id, now + FAILED_TICKET_RETRY)
        self._wake_for_next_check()
        self.wake_delivery()
        return len(due)

    @staticmethod
    def _next_check(connection: Connection) -> datetime | None:
        value: datetime | None = connection.execute(
            select(func.min(tickets.c.next_check_at, type_=UTCDateTime()))
        ).scalar_one()
        return value

    def _wake_for_next_check(self) -> None:
        """Breaches are acted on at their second, not at the next periodic sweep."""
        with self.context.storage.engine.connect() as connection:
            upcoming = self._next_check(connection)
        if upcoming is not None:
            self.wake(upcoming)

    # -- sync and delivery -------------------------------------------------------------------
    def sync(self) -> int:
        now = self.context.clock()
        changed = 0
        for name, desk in self.integrations.desks.items():
            try:
                [result] = sync.sync(
                    self.context.settings, self.context.storage, now, desk=name, desks={name: desk}
                )
            except RetryableError as error:
                log.warning("sync will catch up later", extra={"desk": name, "error": str(error)})
                continue
            changed += len(result.ticket_ids)
        if changed:
            self.process_inbox()
        self.publish_budgets()
        return changed

    def publish_budgets(self) -> None:
        """The help-desk request budgets live in this process; /metrics is served by another."""
        budgets = {
            f"{API_BUDGET_GAUGE}{name}": float(desk.budget_remaining())
            for name, desk in self.integrations.desks.items()
        }
        self.context.storage.set_gauges(budgets, self.context.clock())

    def deliver(self) -> int:
        return self.delivery.drain()
