"""The worker's housekeeping: processed inbox rows past retention go (their counts stay in
/metrics), unprocessed ones never do; ended sessions and old failed attempts go."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, select

from bridge.store import db, inbox, stats, web_auth
from bridge.store.tables import auth_failures, web_sessions
from bridge.store.tables import inbox as inbox_table
from bridge.worker.prune import PruneJob
from tests.conftest import FrozenClock


def _row(engine: Engine, key: str, received_days_ago: float, clock: FrozenClock) -> int:
    with engine.begin() as connection:
        inbox.store(
            connection,
            source="zendesk",
            dedup_key=key,
            kind="ticket",
            ticket_id="1",
            body=b"{}",
            received_at=clock() - timedelta(days=received_days_ago),
        )
        return int(
            connection.execute(
                select(inbox_table.c.id).where(inbox_table.c.dedup_key == key)
            ).scalar_one()
        )


def test_processed_rows_past_retention_are_pruned_and_still_counted(
    engine: Engine, clock: FrozenClock
) -> None:
    now = clock()
    old, failed, recent = (_row(engine, k, d, clock) for k, d in (("a", 9), ("b", 10), ("c", 6)))
    _row(engine, "waiting", 30, clock)  # never processed: kept whatever its age
    with engine.begin() as connection:
        inbox.finish(connection, old, now - timedelta(days=8))
        inbox.finish(connection, failed, now - timedelta(days=9), error="gave up")
        inbox.finish(connection, recent, now - timedelta(days=6))
    with db.reading(engine) as connection:
        before = stats.read(connection, now).inbound

    # Batches of one: the job goes on until a batch comes back short.
    assert PruneJob(engine, clock, timedelta(days=7), batch=1).run() == 2

    with db.reading(engine) as connection:
        left = connection.execute(select(inbox_table.c.dedup_key)).scalars().all()
        after = stats.read(connection, now).inbound
    assert sorted(left) == ["c", "waiting"]
    assert (
        after
        == before
        == [
            ("zendesk", "failed", 1),
            ("zendesk", "pending", 1),
            ("zendesk", "processed", 2),
        ]
    )
    assert PruneJob(engine, clock, timedelta(days=7)).run() == 0


def test_ended_sessions_and_old_failures_are_pruned(engine: Engine, clock: FrozenClock) -> None:
    now = clock()
    with engine.begin() as connection:
        web_auth.open_session(connection, "live", "m", now, now + timedelta(hours=1))
        web_auth.open_session(connection, "expired", "m", now - timedelta(hours=13), now)
        web_auth.open_session(connection, "revoked", "m", now, now + timedelta(hours=1))
        web_auth.revoke(connection, "revoked", now)
        web_auth.record_failure(connection, "203.0.113.9", now - timedelta(hours=2))
        web_auth.record_failure(connection, "203.0.113.9", now)
    assert PruneJob(engine, clock, timedelta(days=7)).run() == 3
    with db.reading(engine) as connection:
        assert connection.execute(select(web_sessions.c.id_hash)).scalars().all() == ["live"]
        assert len(connection.execute(select(auth_failures.c.id)).all()) == 1
