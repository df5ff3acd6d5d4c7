"""Incremental sync: the safety net for webhooks that never arrived.

Each pass asks every configured desk what changed since its cursor and puts the changed tickets
in the inbox, where they take the same path as a webhook.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bridge.store import gauges, inbox, stats
from connectors.base import Clock, HelpDesk, RetryableError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncResult:
    desk: str
    ticket_ids: tuple[str, ...]
    calls: int
    cursor: str
    complete: bool

    def line(self) -> str:
        shown = ", ".join(self.ticket_ids[:20]) + (" …" if len(self.ticket_ids) > 20 else "")
        more = "" if self.complete else " (budget reached; the rest follows next sync)"
        return f"{self.desk}: {len(self.ticket_ids)} changed [{shown}] in {self.calls} calls{more}"


def sync_desk(db: Engine, name: str, desk: HelpDesk, now: datetime) -> SyncResult:
    """One incremental pass over one desk; stores its new cursor."""
    with db.connect() as connection:
        cursor = inbox.cursor(connection, name)
    batch = desk.changes(cursor, now)
    # The changed tickets are in the inbox before the cursor moves past them: a crash in
    # between re-lists them next time, and the inbox stores each (cursor, ticket) once.
    with db.begin() as connection:
        inbox.store_sync(connection, name, batch.ticket_ids, batch.next_cursor, now)
    return SyncResult(name, batch.ticket_ids, batch.calls, batch.next_cursor, batch.complete)


def sync(
    db: Engine, desks: Mapping[str, HelpDesk], now: datetime, *, desk: str | None = None
) -> list[SyncResult]:
    """One pass per configured desk (or just ``desk``)."""
    if desk is not None and desk not in desks:
        raise ValueError(f"{desk} is not configured")
    return [
        sync_desk(db, name, helpdesk, now)
        for name, helpdesk in desks.items()
        if desk in (None, name)
    ]


class SyncJob:
    """The worker's periodic sync: a desk that answers "later" is left for the next pass; the
    help-desk budgets are published for /metrics (served by another process)."""

    def __init__(self, db: Engine, desks: Mapping[str, HelpDesk], clock: Clock) -> None:
        self.db = db
        self.desks = desks
        self.clock = clock

    def run(self) -> int:
        now = self.clock()
        changed = 0
        for name, desk in self.desks.items():
            try:
                result = sync_desk(self.db, name, desk, now)
            except RetryableError as error:
                log.warning("sync will catch up later", extra={"desk": name, "error": str(error)})
                continue
            changed += len(result.ticket_ids)
        self.publish_budgets()
        return changed

    def publish_budgets(self) -> None:
        budgets = {
            f"{stats.API_BUDGET}{name}": float(desk.budget_remaining())
            for name, desk in self.desks.items()
        }
        with self.db.begin() as connection:
            gauges.publish(connection, budgets, self.clock())
