"""Storm groups in the database: one open group per basis, members counted once, a signal that
misses a change made meanwhile, groups closed once over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update

from bridge.store import storms
from bridge.store.tables import storm_groups
from policies.grouping import Joining, group_key
from tests.policies.factory import ticket

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def joining(at: datetime, basis: str = "tag:outage") -> Joining:
    return Joining(group_key(basis, at.timestamp()), basis, True, "tagged outage")


def open_one(engine: Engine, at: datetime, basis: str = "tag:outage") -> storms.Group:
    with engine.begin() as connection:
        return storms.open_group(
            connection,
            joining(at, basis),
            at,
            channel="#c",
            routing="PAGERDUTY_ROUTING_KEY",
            over_before=at - timedelta(hours=1),
        )


def test_a_second_opening_on_the_same_basis_gets_the_open_group(engine: Engine) -> None:
    first = open_one(engine, T0)
    second = open_one(engine, T0 + S)  # another worker, a moment later
    assert second.id == first.id and second.key == first.key


def test_a_member_is_counted_once(engine: Engine) -> None:
    group = open_one(engine, T0)
    t = ticket(id="7", tags=frozenset({"outage"}))
    with engine.begin() as connection:
        for _ in range(2):  # the same input handled twice
            storms.add_member(connection, group, t, joining(T0), T0, severity="Critical", tier=2)
        assert storms.by_id(connection, group.id).members == 1  # type: ignore[union-attr]
        [member] = storms.members(connection, group.id)
    assert (member.ticket_id, member.why, member.tier) == ("7", "tagged outage", 2)


def test_a_change_made_while_the_group_spoke_makes_it_speak_again(engine: Engine) -> None:
    group = open_one(engine, T0)
    with engine.begin() as connection:
        storms.changed(connection, group.id, T0, T0 + 5 * S, wants_page=True, routing=None)
        [due] = storms.due(connection, T0 + 5 * S)
        # Read at T0+5; a member joins at T0+6 before the signal is recorded.
        storms.changed(connection, group.id, T0 + 6 * S, T0 + 9 * S, wants_page=False, routing=None)
        storms.signalled(connection, due, T0 + 7 * S, T0 + 17 * S, paged=True)
        again = storms.by_id(connection, group.id)
    assert again is not None and again.next_signal_at == T0 + 17 * S
    assert again.signals == 1 and again.paged_at == T0 + 7 * S and again.wants_page
    with engine.begin() as connection:
        [due] = storms.due(connection, T0 + 17 * S)
        storms.signalled(connection, due, T0 + 17 * S, T0 + 27 * S, paged=False)
        quiet = storms.by_id(connection, group.id)
    assert quiet is not None and quiet.next_signal_at is None  # nothing new: silent


def test_a_group_over_closes_and_frees_its_basis(engine: Engine) -> None:
    group = open_one(engine, T0)
    with engine.begin() as connection:
        assert storms.close_over(connection, T0 - S, T0 + S) == 0  # still fresh
        assert storms.close_over(connection, T0 + S, T0 + 2 * S) == 1
        assert storms.active(connection, T0 + 2 * S) == []
        assert storms.open_groups(connection, T0 - timedelta(hours=1)) == []
    later = open_one(engine, T0 + timedelta(hours=2))
    assert later.id != group.id


def test_an_expired_group_left_open_does_not_block_its_successor(engine: Engine) -> None:
    group = open_one(engine, T0)
    with engine.begin() as connection:  # over, but a signal kept it from being closed
        connection.execute(
            update(storm_groups).where(storm_groups.c.id == group.id).values(next_signal_at=T0)
        )
    later = open_one(engine, T0 + timedelta(hours=2))
    assert later.id != group.id
    with engine.connect() as connection:
        old = storms.by_id(connection, group.id)
    assert old is not None and old.closed_at is not None
