"""The Intercom sync: ``POST /conversations/search`` and ``POST /tickets/search`` on
``updated_at``, and their one cursor.

The search's ``>`` includes the second itself (FACTS.md I-search), and its results come in no
promised order, so the cursor is ``<unix watermark>|<ids already seen at that second>``: the
next search starts at the watermark and skips what was already reported at it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

PER_PAGE = 150  # the search API's maximum page


def search_pages(
    call: Callable[..., Any], since: int, kind: str = "conversations"
) -> Iterator[Mapping[str, Any]]:
    """Every conversation (or ticket: ``kind`` ``tickets``) updated at or after ``since``, page
    by page, following ``pages.next.starting_after`` by hand (the SDK's pager repeats its
    first page). Both searches take the same query and answer the list under ``kind``."""
    pagination: dict[str, Any] = {"per_page": PER_PAGE}
    while True:
        body = {
            "query": {"field": "updated_at", "operator": ">", "value": since},
            "pagination": pagination,
        }
        page = call("POST", f"/{kind}/search", json=body)
        yield from page.get(kind) or ()
        after = ((page.get("pages") or {}).get("next") or {}).get("starting_after")
        if not after:
            return
        pagination = {"per_page": PER_PAGE, "starting_after": after}


def fresh(
    rows: Iterable[Mapping[str, Any]], since: int, seen: set[str], prefix: str = ""
) -> dict[str, Mapping[str, Any]]:
    """The rows not reported before, by the bridge's id (``prefix`` + id; the last row of an
    id wins)."""
    found: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        conversation_id = prefix + str(row["id"])
        if _updated(row) == since and conversation_id in seen:
            continue
        found[conversation_id] = row
    return found


def next_cursor(rows: Mapping[str, Mapping[str, Any]], since: int, seen: set[str]) -> str:
    """The newest ``updated_at`` reported, with the ids reported at that second."""
    watermark, latest = since, set(seen)
    if rows:
        watermark = max(_updated(r) for r in rows.values())
        if watermark != since:
            latest = set()
        latest |= {i for i, r in rows.items() if _updated(r) == watermark}
    return f"{watermark}|{','.join(sorted(latest))}"


def parse_cursor(cursor: str) -> tuple[int, set[str]]:
    stamp, _, ids = cursor.partition("|")
    if not stamp.isdigit():
        raise ValueError(f"not an Intercom sync cursor: {cursor!r}")
    return int(stamp), {i for i in ids.split(",") if i}


def _updated(row: Mapping[str, Any]) -> int:
    value = row.get("updated_at")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
