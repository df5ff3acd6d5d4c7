"""The Help Scout sync: ``GET /v2/conversations`` modified since a watermark, oldest first.

``status=all`` (the list answers only active conversations otherwise), ``modifiedSince`` in
``yyyy-MM-ddTHH:mm:ssZ``, ``sortField=modifiedAt&sortOrder=asc`` (a conversation changed while
the pages are read moves to a later page: it can be read twice, never skipped) and
``embed=threads``; HAL pages of 25 followed while ``_links.next`` is there (FACTS.md H-list).

A conversation's own fields say when an agent or customer last acted, not when it was modified
(a tag or a move changes neither), so the watermark is the bridge's clock at the sync, less an
overlap for the two clocks and for writes still being indexed. What the overlap lists again is
reported only if it changed: the cursor keeps a fingerprint of each conversation it listed,
``<watermark>|<id>:<fingerprint>,…``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

OVERLAP = timedelta(minutes=2)
STAMP = "%Y-%m-%dT%H:%M:%SZ"
# Parts of a listed conversation that change with the reading, not with the conversation.
VOLATILE = frozenset({"_links", "customerWaitingSince"})


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


def fingerprint(row: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in row.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:12]


def fresh(
    rows: Iterable[Mapping[str, Any]], seen: Mapping[str, str]
) -> tuple[dict[str, Mapping[str, Any]], dict[str, str]]:
    """The rows not reported as they are now, by id, and every listed row's fingerprint."""
    found: dict[str, Mapping[str, Any]] = {}
    prints: dict[str, str] = {}
    for row in rows:
        conversation_id, mark = str(row["id"]), fingerprint(row)
        prints[conversation_id] = mark
        if seen.get(conversation_id) != mark:
            found[conversation_id] = row
    return found, prints


def parse_cursor(cursor: str) -> tuple[datetime, dict[str, str]]:
    stamp_text, _, marks = cursor.partition("|")
    try:
        since = datetime.strptime(stamp_text, STAMP).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"not a Help Scout sync cursor: {cursor!r}") from None
    seen = dict(pair.split(":", 1) for pair in marks.split(",") if ":" in pair)
    return since, seen


def next_cursor(now: datetime, since: datetime, prints: Mapping[str, str]) -> str:
    """Where the next sync starts (an overlap before now, never before the last start), with
    the fingerprints of what was listed."""
    marks = ",".join(f"{i}:{m}" for i, m in sorted(prints.items()))
    return f"{stamp(max(since, now - OVERLAP))}|{marks}"
