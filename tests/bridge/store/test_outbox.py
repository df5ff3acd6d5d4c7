from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bridge.store import outbox
from connectors.actions import Action, ActionKind, ChatAlert, NewAction
from connectors.base import TicketKey

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def action(key: str, ticket: str = "1", provider: str = "slack") -> NewAction:
    return NewAction(key, TicketKey("zendesk", ticket), provider, ChatAlert(channel="C1", text=key))


def claim(engine: Engine, now: datetime = T0, worker: str = "w1") -> list[Action]:
    with engine.begin() as connection:
        return outbox.claim(connection, worker, now)


def test_enqueue_is_idempotent_per_key(engine: Engine) -> None:
    with engine.begin() as connection:
        assert outbox.enqueue(connection, [action("a"), action("b")], T0) == 2
        assert outbox.enqueue(connection, [action("a"), action("c")], T0) == 1
        assert outbox.depth(connection) == (3, T0)


def test_only_the_oldest_action_per_ticket_and_provider_is_claimable(engine: Engine) -> None:
    with engine.begin() as connection:
        outbox.enqueue(
            connection,
            [
                action("parent"),
                action("thread"),
                action("page", provider="pagerduty"),
                action("other-ticket", ticket="2"),
            ],
            T0,
        )
    claimed = claim(engine)
    assert sorted(a.key for a in claimed) == ["other-ticket", "page", "parent"]
    assert all(a.attempts == 1 for a in claimed)
    assert claim(engine) == []  # claimed ones are leased; "thread" waits for "parent"
    parent = next(a for a in claimed if a.key == "parent")
    with engine.begin() as connection:
        outbox.mark_done(connection, parent.id, {"channel": "C1", "ts": "1.2"}, T0)
        ticket = TicketKey("zendesk", "1")
        assert outbox.reference_of(connection, "slack", ticket, ActionKind.CHAT_ALERT) == {
            "channel": "C1",
            "ts": "1.2",
        }
        # Only the provider's own: another provider's reference is not its business.
        assert outbox.reference_of(connection, "teams", ticket, ActionKind.CHAT_ALERT) is None
    assert [a.key for a in claim(engine)] == ["thread"]


def test_each_provider_reads_its_own_reference(engine: Engine) -> None:
    """Two pagers page the same ticket: each follows up through what it itself answered."""
    with engine.begin() as connection:
        outbox.enqueue(connection, [action("pd", provider="pagerduty")], T0)
        outbox.enqueue(connection, [action("og", provider="opsgenie")], T0)
    for done in sorted(claim(engine), key=lambda a: a.key):
        with engine.begin() as connection:
            outbox.mark_done(connection, done.id, {"by": done.provider}, T0)
    ticket, kind = TicketKey("zendesk", "1"), ActionKind.CHAT_ALERT
    with engine.connect() as connection:
        assert outbox.reference_of(connection, "pagerduty", ticket, kind) == {"by": "pagerduty"}
        assert outbox.reference_of(connection, "opsgenie", ticket, kind) == {"by": "opsgenie"}
        assert outbox.reference_of(connection, "slack", ticket, kind) is None


def test_an_expired_claim_is_claimed_again_with_the_attempt_counted(engine: Engine) -> None:
    with engine.begin() as connection:
        outbox.enqueue(connection, [action("a")], T0)
    [first] = claim(engine)
    [again] = claim(engine, T0 + outbox.CLAIM_LEASE, "w2")
    assert (first.id, first.attempts, again.attempts) == (again.id, 1, 2)


def test_retry_waits_for_backoff_or_retry_after(engine: Engine) -> None:
    with engine.begin() as connection:
        outbox.enqueue(connection, [action("a")], T0)
    [claimed] = claim(engine)
    with engine.begin() as connection:
        dead = outbox.mark_retry(connection, claimed, "429", T0, 30.0, random.Random(1))
    assert dead is False
    assert claim(engine, T0 + timedelta(seconds=29)) == []
    [retried] = claim(engine, T0 + timedelta(seconds=30))
    assert retried.last_error == "429"


@pytest.mark.parametrize("attempts", [1, 2, 5, 10, 40])
def test_backoff_grows_and_is_capped(attempts: int) -> None:
    rng = random.Random(attempts)
    delay = outbox.backoff(attempts, None, rng)
    ceiling = min(outbox.BACKOFF_CAP, outbox.BACKOFF_BASE * 2 ** (attempts - 1))
    assert ceiling / 2 <= delay <= ceiling


def test_too_old_actions_are_dead_lettered_and_can_be_retried(engine: Engine) -> None:
    with engine.begin() as connection:
        outbox.enqueue(connection, [action("a")], T0)
    late = T0 + outbox.MAX_AGE
    [claimed] = claim(engine, late)
    with engine.begin() as connection:
        assert outbox.mark_retry(connection, claimed, "503", late, None, random.Random(0))
        [row] = outbox.listing(connection, outbox.DEAD)
        assert row["last_error"].endswith("503")
        assert outbox.retry_dead(connection, None, late) == 1
    assert [a.key for a in claim(engine, late)] == ["a"]


def test_release_hands_claims_back_at_once(engine: Engine) -> None:
    with engine.begin() as connection:
        outbox.enqueue(connection, [action("a")], T0)
    claim(engine)
    with engine.begin() as connection:
        outbox.release(connection, "w1", T0)
    [again] = claim(engine, T0, "w2")
    assert again.attempts == 2  # the first attempt may have reached the provider


def test_concurrent_claims_never_hand_out_an_action_twice(engine: Engine) -> None:
    with engine.begin() as connection:
        outbox.enqueue(connection, [action(f"k{i}", ticket=str(i)) for i in range(60)], T0)
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while True:
            with engine.begin() as connection:
                batch = outbox.claim(connection, name, T0, limit=3)
                for item in batch:
                    outbox.mark_done(connection, item.id, {}, T0)
            if not batch:
                return
            with lock:
                claimed.extend(item.id for item in batch)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == len(set(claimed)) == 60


def test_a_deferred_action_is_not_counted_as_attempted(engine: Engine) -> None:
    with engine.begin() as connection:
        outbox.enqueue(connection, [action("a")], T0)
    [claimed] = claim(engine)
    with engine.begin() as connection:
        outbox.defer(connection, claimed, T0, 1.5)
    assert claim(engine, T0 + timedelta(seconds=1)) == []
    [again] = claim(engine, T0 + timedelta(seconds=1.5))
    assert again.attempts == 1  # the pace was waited for; nothing had been sent
