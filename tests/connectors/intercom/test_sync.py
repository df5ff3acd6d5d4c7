"""The Intercom sync cursor: what is new since it, and where the next sync starts."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.intercom.sync import fresh, next_cursor, parse_cursor


def rows(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"id": i, "updated_at": t} for i, t in pairs]


@pytest.mark.parametrize(
    ("found", "since", "seen", "new", "cursor"),
    [
        (rows(), 100, set(), [], "100|"),
        (rows(("1", 100), ("2", 105)), 100, set(), ["1", "2"], "105|2"),
        (rows(("1", 100), ("2", 100)), 100, {"1"}, ["2"], "100|1,2"),  # same second: kept
        (rows(("1", 100)), 100, {"1"}, [], "100|1"),  # nothing new
        (rows(("3", 107), ("4", 107), ("1", 100)), 100, {"1"}, ["3", "4"], "107|3,4"),
        (rows(("1", 101), ("1", 102)), 100, set(), ["1"], "102|1"),  # the last row of an id wins
    ],
)
def test_fresh_rows_and_the_next_cursor(
    found: list[dict[str, Any]], since: int, seen: set[str], new: list[str], cursor: str
) -> None:
    got = fresh(found, since, seen)
    assert sorted(got) == new
    assert next_cursor(got, since, seen) == cursor
    assert parse_cursor(cursor)[0] >= since


@pytest.mark.parametrize("text", ["", "2026-03-02T09:00:00Z|1", "abc|"])
def test_a_foreign_cursor_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="cursor"):
        parse_cursor(text)
