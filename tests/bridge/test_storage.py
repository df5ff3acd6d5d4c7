from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bridge.storage import Storage

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def store(storage: Storage, key: str, source: str = "zendesk") -> bool:
    return storage.store_inbound(
        source=source,
        dedup_key=key,
        kind="ticket.changed",
        ticket_id="7",
        body=b"{}",
        received_at=T0,
    )


def test_inbound_is_stored_once_per_source_and_key(storage: Storage) -> None:
    assert store(storage, "a") is True
    assert store(storage, "a") is False
    assert store(storage, "a", source="freshdesk") is True
    items = storage.unprocessed_inbound()
    assert [(i.source, i.dedup_key) for i in items] == [("zendesk", "a"), ("freshdesk", "a")]
    assert items[0].received_at == T0


def test_cursor_round_trip_and_overwrite(storage: Storage) -> None:
    assert storage.get_cursor("zendesk") is None
    storage.set_cursor("zendesk", "c1", T0)
    storage.set_cursor("zendesk", "c2", T0 + timedelta(minutes=1))
    assert storage.get_cursor("zendesk") == "c2"


def test_lease_is_exclusive_until_it_expires(storage: Storage) -> None:
    ttl = timedelta(seconds=20)
    assert storage.acquire_lease("worker", "a", T0, ttl)
    assert not storage.acquire_lease("worker", "b", T0 + timedelta(seconds=5), ttl)
    assert storage.acquire_lease("worker", "a", T0 + timedelta(seconds=10), ttl)  # renewal
    assert not storage.acquire_lease("worker", "b", T0 + timedelta(seconds=29), ttl)
    assert storage.acquire_lease("worker", "b", T0 + timedelta(seconds=30), ttl)  # expired
    assert storage.lease_holder("worker", T0 + timedelta(seconds=31)) == "b"
    storage.release_lease("worker", "a")  # not the holder: no effect
    assert storage.lease_holder("worker", T0 + timedelta(seconds=31)) == "b"
    storage.release_lease("worker", "b")
    assert storage.acquire_lease("worker", "a", T0 + timedelta(seconds=32), ttl)


def test_gauges_are_overwritten_and_read_by_prefix(storage: Storage) -> None:
    storage.set_gauges({"api_budget_remaining:zendesk": 180.0, "other": 1.0}, T0)
    storage.set_gauges({"api_budget_remaining:zendesk": 120.0}, T0 + timedelta(minutes=1))
    assert storage.gauges("api_budget_remaining:") == {"zendesk": 120.0}
