"""The Salesforce sync: SOQL on SystemModstamp, batches followed, a missed message caught."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.salesforce.sync import changes_query, next_cursor, parse_cursor
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START
from tests.connectors.salesforce.test_client import build


def test_the_query_uses_an_unquoted_datetime_literal() -> None:
    query = changes_query(datetime(2026, 12, 1, tzinfo=UTC))
    assert "WHERE SystemModstamp >= 2026-12-01T00:00:00Z ORDER BY SystemModstamp ASC" in query


def test_the_cursor_keeps_the_ids_seen_at_its_second() -> None:
    at = "2026-03-02T09:00:00.000+0000"
    rows = {"500A": {"SystemModstamp": at}, "500B": {"SystemModstamp": at}}
    cursor = next_cursor(rows, datetime(2026, 3, 2, 8, tzinfo=UTC), set())
    assert cursor == "2026-03-02T09:00:00Z|500A,500B"
    assert parse_cursor(cursor) == (datetime(2026, 3, 2, 9, tzinfo=UTC), {"500A", "500B"})


def test_batches_are_followed_and_a_missed_message_is_caught_up(
    world: SandboxWorld, world_clock: FrozenClock
) -> None:
    world_clock.now = CONTRACT_START
    world.salesforce.reset()
    world.salesforce.batch_size = 2  # Salesforce's batches are 2,000 rows: made small here
    cases = []
    for n in range(5):
        world_clock.advance(seconds=1)
        cases.append(world.salesforce.create_case(f"Case {n}"))
    desk = build(world, world_clock)
    try:
        first = desk.changes(None, world_clock())
        assert list(first.ticket_ids) == cases and first.complete
        assert world.salesforce.calls["query.more"] == 2  # nextRecordsUrl, twice
        world_clock.advance(minutes=1)
        quiet = desk.changes(first.next_cursor, world_clock())
        assert quiet.ticket_ids == () and quiet.calls == 1
        world.salesforce.customer_comment(cases[2], "Any news?")  # its message was lost
        caught = desk.changes(quiet.next_cursor, world_clock())
        assert caught.ticket_ids == (cases[2],)
    finally:
        desk.close()
