"""Incremental sync: the safety net for webhooks that never arrived.

Each pass asks every configured desk what changed since its cursor and puts the changed tickets
in the inbox, where they take the same path as a webhook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bridge.config import Settings
from bridge.integrations import build_helpdesks
from bridge.storage import Storage
from connectors.helpdesk import HelpDesk


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


def sync(
    settings: Settings,
    storage: Storage,
    now: datetime,
    *,
    desk: str | None = None,
    desks: Mapping[str, HelpDesk] | None = None,
) -> list[SyncResult]:
    """One incremental pass per configured desk (or just ``desk``); stores each new cursor."""
    available = desks if desks is not None else build_helpdesks(settings)
    if desk is not None and desk not in available:
        raise ValueError(f"{desk} is not configured")
    results = []
    for name, helpdesk in available.items():
        if desk is not None and name != desk:
            continue
        batch = helpdesk.changes(storage.get_cursor(name), now)
        # The changed tickets are in the inbox before the cursor moves past them: a crash in
        # between re-lists them next time, and the inbox stores each (cursor, ticket) once.
        storage.store_sync(name, batch.ticket_ids, batch.next_cursor, now)
        results.append(
            SyncResult(name, batch.ticket_ids, batch.calls, batch.next_cursor, batch.complete)
        )
    return results
