"""How the Zendesk connector finds changed tickets: the incremental export when the bridge's
user is an admin, the search export when it is an agent.

The incremental ticket export is "Allowed For: Admins"
(https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/);
an agent gets 403 there forever. The search export (``GET /api/v2/search/export``, "Allowed For:
Agents", cursor pages of up to 1000, ordered by ``created_at`` only, its own limit of 100
requests a minute: https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/)
finds tickets with ``updated>TIME`` instead. Search results lag the ticket by up to a few
minutes while the index catches up, so each search pass looks back ``SEARCH_OVERLAP`` before its
watermark and skips the (id, updated_at) pairs it already reported.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from connectors._desk.common import parse_time
from connectors.base import ChangeBatch, RetryableError
from connectors.zendesk.mapping import ticket_from_api_bundle

if TYPE_CHECKING:
    from connectors.zendesk.client import ZendeskDesk

log = logging.getLogger(__name__)
SEARCH_PREFIX = "search|"
SEARCH_OVERLAP = timedelta(minutes=5)
SEARCH_PAGE_SIZE = 100  # "We recommend 100 results per page"
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


class SyncSource(StrEnum):
    EXPORT = "incremental export (admin)"
    SEARCH = "search export (agent)"


def source_for(role: str) -> SyncSource:
    return SyncSource.EXPORT if role == "admin" else SyncSource.SEARCH


def export_changes(desk: ZendeskDesk, cursor: str | None, now: datetime) -> ChangeBatch:
    """One pass of the cursor-based incremental export, one request per page of 1000."""
    start = desk.calls
    if cursor and not cursor.startswith(SEARCH_PREFIX):
        page = desk._export_page(cursor=cursor)
    else:
        since = _search_cursor(cursor)[0] if cursor else now - desk.lookback
        page = desk._export_page(start_time=int(since.timestamp()))
    rows: list[Mapping[str, Any]] = []
    complete = True
    while True:
        rows.extend(page.get("tickets") or ())
        cursor = str(page.get("after_cursor") or cursor or "")
        if page.get("end_of_stream") or not page.get("tickets"):
            break
        try:
            page = desk._export_page(cursor=cursor)
        except RetryableError as exc:
            log.info("zendesk sync paused: %s (retry in %ss)", exc, exc.retry_after)
            complete = False
            break
    return _batch(desk, rows, cursor, start, complete)


def search_changes(desk: ZendeskDesk, cursor: str | None, now: datetime) -> ChangeBatch:
    """Tickets updated since the watermark, through the search export's cursor pages."""
    start = desk.calls
    if cursor and cursor.startswith(SEARCH_PREFIX):
        watermark, seen = _search_cursor(cursor)
    else:  # first pass, or an admin's export cursor from before the role changed
        watermark, seen = now - desk.lookback, set()
    since = (watermark - SEARCH_OVERLAP).strftime(_STAMP)
    params: dict[str, Any] | None = {
        "query": f"updated>{since}",
        "filter[type]": "ticket",
        "page[size]": SEARCH_PAGE_SIZE,
    }
    url: str | None = "/search/export"
    rows: list[Mapping[str, Any]] = []
    complete = True
    while url:
        try:
            if params is not None:
                page = desk._api("GET", url, params=params).json()
            else:
                page = desk._get_url(url).json()
        except RetryableError as exc:
            log.info("zendesk sync paused: %s (retry in %ss)", exc, exc.retry_after)
            complete = False
            break
        rows.extend(page.get("results") or ())
        more = (page.get("meta") or {}).get("has_more")
        url, params = ((page.get("links") or {}).get("next") if more else None), None
    fresh = [r for r in rows if (str(r["id"]), str(r.get("updated_at"))) not in seen]
    if complete:
        stamps = [parse_time(r.get("updated_at")) for r in rows]
        watermark = max([s for s in stamps if s is not None], default=watermark)
        horizon = watermark - SEARCH_OVERLAP
        seen = {
            (str(r["id"]), str(r.get("updated_at")))
            for r in rows
            if (parse_time(r.get("updated_at")) or watermark) >= horizon
        }
    fresh.sort(key=lambda r: str(r.get("updated_at")))
    return _batch(desk, fresh, _format(watermark, seen), start, complete)


def _batch(
    desk: ZendeskDesk, rows: list[Mapping[str, Any]], cursor: str, start: int, complete: bool
) -> ChangeBatch:
    latest: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        latest.pop(str(row["id"]), None)
        latest[str(row["id"])] = row
    tickets = tuple(ticket_from_api_bundle({"ticket": row}) for row in latest.values())
    return ChangeBatch(
        ticket_ids=tuple(latest),
        next_cursor=cursor,
        tickets=tickets,
        calls=desk.calls - start,
        complete=complete,
    )


def _format(watermark: datetime, seen: set[tuple[str, str]]) -> str:
    pairs = ",".join(f"{i}@{stamp}" for i, stamp in sorted(seen))
    return f"{SEARCH_PREFIX}{watermark.strftime(_STAMP)}|{pairs}"


def _search_cursor(cursor: str) -> tuple[datetime, set[tuple[str, str]]]:
    stamp, _, pairs = cursor.removeprefix(SEARCH_PREFIX).partition("|")
    watermark = parse_time(stamp)
    if watermark is None:
        raise ValueError(f"not a Zendesk search sync cursor: {cursor!r}")
    seen = {tuple(p.split("@", 1)) for p in pairs.split(",") if "@" in p}
    return watermark, {(a, b) for a, b in seen}
