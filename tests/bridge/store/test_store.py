from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bridge.store import gauges, inbox, leases

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def store(engine: Engine, key: str, source: str = "zendesk") -> bool:
    with engine.begin() as connection:
        return inbox.store(
            connection,
            source=source,
            dedup_key=key,
            kind="ticket.changed",
            ticket_id="7",
            body=b"{}",
            received_at=T0,
        )


def test_inbound_is_stored_once_per_source_and_key(engine: Engine) -> None:
    assert store(engine, "a") is True
    assert store(engine, "a") is False
    assert store(engine, "a", source="freshdesk") is True
    with engine.connect() as connection:
        items = inbox.unprocessed(connection)
    assert [(i.source, i.dedup_key) for i in items] == [("zendesk", "a"), ("freshdesk", "a")]
    assert items[0].received_at == T0


def test_cursor_round_trip_and_overwrite(engine: Engine) -> None:
    with engine.begin() as connection:
        assert inbox.cursor(connection, "zendesk") is None
        inbox.store_sync(connection, "zendesk", [], "c1", T0)
        inbox.store_sync(connection, "zendesk", [], "c2", T0 + timedelta(minutes=1))
        assert inbox.cursor(connection, "zendesk") == "c2"


def test_lease_is_exclusive_until_it_expires(engine: Engine) -> None:
    ttl = timedelta(seconds=20)

    def acquire(holder: str, seconds: float) -> bool:
        with engine.begin() as connection:
            return leases.acquire(
                connection, "worker", holder, T0 + timedelta(seconds=seconds), ttl
            )

    def holder() -> str | None:
        with engine.connect() as connection:
            return leases.holder(connection, "worker", T0 + timedelta(seconds=31))

    def release(name: str) -> None:
        with engine.begin() as connection:
            leases.release(connection, "worker", name)

    assert acquire("a", 0)
    assert not acquire("b", 5)
    assert acquire("a", 10)  # renewal
    assert not acquire("b", 29)
    assert acquire("b", 30)  # expired
    assert holder() == "b"
    release("a")  # not the holder: no effect
    assert holder() == "b"
    release("b")
    assert acquire("a", 32)


def test_gauges_are_overwritten_and_read_by_prefix(engine: Engine) -> None:
    with engine.begin() as connection:
        gauges.publish(connection, {"api_budget_remaining:zendesk": 180.0, "other": 1.0}, T0)
        gauges.publish(
            connection, {"api_budget_remaining:zendesk": 120.0}, T0 + timedelta(minutes=1)
        )
        assert gauges.read(connection, "api_budget_remaining:") == {"zendesk": 120.0}


def test_store_now_stores_what_store_stores_once(engine: Engine) -> None:
    """The intake's driver-level insert writes the same row as ``store`` and dedups the same."""
    values = {
        "dedup_key": "evt-1",
        "kind": "ticket.comment_added",
        "ticket_id": "7",
        "body": b'{"id": "evt-1"}',
        "received_at": T0 + timedelta(microseconds=123456),
    }
    assert inbox.store_now(engine, source="zendesk", **values) is True
    assert inbox.store_now(engine, source="zendesk", **values) is False
    with engine.begin() as connection:
        assert inbox.store(connection, source="freshdesk", **values) is True
    assert inbox.store_now(engine, source="freshdesk", **values) is False
    with engine.connect() as connection:
        items = inbox.unprocessed(connection)
    assert [(i.source, i.dedup_key, i.kind, i.ticket_id, i.body) for i in items] == [
        ("zendesk", "evt-1", "ticket.comment_added", "7", b'{"id": "evt-1"}'),
        ("freshdesk", "evt-1", "ticket.comment_added", "7", b'{"id": "evt-1"}'),
    ]
    assert items[0].received_at == items[1].received_at == values["received_at"]
    # The driver-level transaction ended: another writer gets the lock at once.
    assert store(engine, "after") is True
