"""The Help Scout sync's pages and cursor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.helpscout.sync import OVERLAP, fresh, list_pages, next_cursor, parse_cursor

SINCE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_pages_are_followed_while_there_is_a_next_link() -> None:
    asked: list[dict[str, Any]] = []

    def call(method: str, path: str, *, params: dict[str, Any]) -> dict[str, Any]:
        asked.append(params)
        page = params["page"]
        links = {"next": {"href": "…"}} if page < 3 else {}
        return {"_embedded": {"conversations": [{"id": page}]}, "_links": links}

    assert [row["id"] for row in list_pages(call, SINCE)] == [1, 2, 3]
    assert asked[0] == {
        "status": "all",
        "modifiedSince": "2026-03-02T09:00:00Z",
        "sortField": "modifiedAt",
        "sortOrder": "asc",
        "embed": "threads",
        "page": 1,
    }


def test_the_overlap_reports_only_what_changed() -> None:
    first, prints = fresh([{"id": 1, "status": "active"}, {"id": 2, "status": "active"}], {})
    assert list(first) == ["1", "2"]
    cursor = next_cursor(SINCE + timedelta(minutes=5), SINCE, prints)
    since, seen = parse_cursor(cursor)
    assert since == SINCE + timedelta(minutes=5) - OVERLAP
    again, _ = fresh([{"id": 1, "status": "active"}, {"id": 2, "status": "closed"}], seen)
    assert list(again) == ["2"]


def test_the_watermark_never_goes_back() -> None:
    cursor = next_cursor(SINCE, SINCE + timedelta(minutes=1), {})
    assert parse_cursor(cursor)[0] == SINCE + timedelta(minutes=1)


def test_a_foreign_cursor_is_refused() -> None:
    with pytest.raises(ValueError, match="Help Scout sync cursor"):
        parse_cursor("1700000000|1,2")
