"""The Help Scout sync: ``GET /v2/conversations`` modified since a watermark, oldest first.

``status=all`` (the list answers only active conversations otherwise), ``modifiedSince`` in
``yyyy-MM-ddTHH:mm:ssZ``, ``sortField=modifiedAt&sortOrder=asc`` (a conversation changed while
the pages are read moves to a later page: it can be read twice, never skipped) and
``embed=threads``; HAL pages of 25 followed while ``_links.next`` is there (FACTS.md H-list).

A conversation's own fields say when an agent or customer last acted, not when it was modified
(a tag or a move changes neither), so the watermark is the bridge's clock at the sync, less an
overlap for the two clocks and for writes still being indexed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

OVERLAP = timedelta(minutes=2)
STAMP = "%Y-%m-%dT%H:%M:%SZ"


def list_pages(call: Callable[..., Any], since: datetime) -> Iterator[Mapping[str, Any]]:
    """Every conversation modified at or after ``since``, with its threads."""
    page = 1
    while True:
        params = {
            "status": "all",
            "modifiedSince": stamp(since),
            "sortField": "modifiedAt",
            "sortOrder": "asc",
            "embed": "threads",
            "page": page,
        }
        answer = call("GET", "/v2/conversations", params=params)
        rows = (answer.get("_embedded") or {}).get("conversations") or ()
        yield from (row for row in rows if isinstance(row, Mapping) and row.get("id"))
        if not (answer.get("_links") or {}).get("next"):
            return
        page += 1


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP)


def parse_cursor(cursor: str) -> datetime:
    try:
        return datetime.strptime(cursor, STAMP).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"not a Help Scout sync cursor: {cursor!r}") from None


def next_cursor(now: datetime, since: datetime) -> str:
    """Where the next sync starts: an overlap before now, never before the last start."""
    return stamp(max(since, now - OVERLAP))
