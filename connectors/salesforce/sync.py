"""The Salesforce sync: SOQL on ``SystemModstamp`` and its cursor.

``SystemModstamp`` changes whenever the system or a person changes the record, where
``LastModifiedDate`` changes only for a person's edit (FACTS.md S-modstamp), so it is the one a
safety net reads. Times are whole seconds; the query asks ``>=`` the watermark and the cursor
keeps the ids already reported at it: ``<watermark>|<ids>``. Results come in batches: the
client follows ``nextRecordsUrl`` (``query_all_iter``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from connectors._desk.common import parse_time

# The Case fields a light ticket is mapped from (the engine re-reads a ticket before deciding).
SYNC_FIELDS = (
    "Id",
    "CaseNumber",
    "Subject",
    "Status",
    "IsClosed",
    "Priority",
    "OwnerId",
    "IsEscalated",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
)


def soql_datetime(moment: datetime) -> str:
    """A SOQL datetime literal: unquoted, UTC, ``2026-12-01T00:00:00Z`` (FACTS.md S-soql)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def changes_query(since: datetime) -> str:
    return (
        f"SELECT {', '.join(SYNC_FIELDS)} FROM Case "
        f"WHERE SystemModstamp >= {soql_datetime(since)} ORDER BY SystemModstamp ASC"
    )


def fresh(
    rows: Iterable[Mapping[str, Any]], since: datetime, seen: set[str]
) -> dict[str, Mapping[str, Any]]:
    """The rows not reported before, by id (the last row of an id wins)."""
    found: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        case_id = str(row["Id"])
        if _stamp(row) == since and case_id in seen:
            continue
        found[case_id] = row
    return found


def next_cursor(rows: Mapping[str, Mapping[str, Any]], since: datetime, seen: set[str]) -> str:
    """The newest ``SystemModstamp`` reported, with the ids reported at that second."""
    watermark, latest = since, set(seen)
    if rows:
        watermark = max(_stamp(r) for r in rows.values())
        if watermark != since:
            latest = set()
        latest |= {i for i, r in rows.items() if _stamp(r) == watermark}
    return f"{soql_datetime(watermark)}|{','.join(sorted(latest))}"


def parse_cursor(cursor: str) -> tuple[datetime, set[str]]:
    stamp, _, ids = cursor.partition("|")
    since = parse_time(stamp)
    if since is None:
        raise ValueError(f"not a Salesforce sync cursor: {cursor[:60]!r}")
    return since, {i for i in ids.split(",") if i}


def _stamp(row: Mapping[str, Any]) -> datetime:
    found = parse_time(row.get("SystemModstamp"))
    return (found or datetime(1970, 1, 1, tzinfo=UTC)).replace(microsecond=0)
