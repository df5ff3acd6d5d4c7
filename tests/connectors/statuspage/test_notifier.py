"""The Statuspage provider against its stand-in, over real HTTP: one incident per ticket, found
again after a crash, updated and resolved, paced, and its failures typed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bridge.store import outbox
from bridge.store.sentlog import SentLog
from connectors.actions import (
    Action,
    NewAction,
    Payload,
    StatusIncident,
    StatusResolve,
    StatusUpdate,
)
from connectors.base import AuthError, Deferred, Reference, RetryableError, TicketKey
from connectors.statuspage import StatuspageClient, StatuspageNotifier
from sandbox.common import serve
from sandbox.statuspage import StatuspageSandbox
from tests.conftest import FrozenClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TICKET = TicketKey("zendesk", "4821")
KEY = "api-key"
OPEN = StatusIncident(
    rule="outage",
    name="Service disruption: {components}",
    body="We are investigating problems with {components}.",
    components=("Checkout", "No such component"),
)


@pytest.fixture(scope="module")
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture(scope="module")
def sandbox(clock: FrozenClock) -> Iterator[StatuspageSandbox]:
    page = StatuspageSandbox(api_key=KEY, clock=lambda: clock().timestamp())
    with serve(page):
        yield page


@pytest.fixture
def statuspage(sandbox: StatuspageSandbox, clock: FrozenClock) -> StatuspageSandbox:
    sandbox.reset()
    clock.now += timedelta(minutes=2)  # a fresh rate-limit window
    return sandbox


def notifier(page: StatuspageSandbox, clock: FrozenClock, key: str = KEY) -> StatuspageNotifier:
    stamp = lambda: clock().timestamp()  # noqa: E731
    client = StatuspageClient(key, page.page_id, base_url=f"{page.base_url}/v1", clock=stamp)
    return StatuspageNotifier(client, clock=stamp)


class Box:
    def __init__(self, engine: Engine, clock: FrozenClock) -> None:
        self.engine, self.clock = engine, clock

    def action(self, key: str, payload: Payload, attempts: int = 1) -> Action:
        with self.engine.begin() as connection:
            outbox.enqueue(connection, [NewAction(key, TICKET, "statuspage", payload)], START)
            rows = outbox.listing(connection, outbox.PENDING)
        row = next(r for r in rows if r["idempotency_key"] == key)
        return Action(row["id"], key, TICKET, "statuspage", payload, attempts, START)

    def deliver(self, provider: StatuspageNotifier, action: Action) -> Reference:
        self.clock.now += timedelta(seconds=1)  # Statuspage takes one request a second
        reference = provider.deliver(action, SentLog(self.engine, "statuspage", self.clock))
        with self.engine.begin() as connection:
            outbox.mark_done(connection, action.id, reference, START)
        return reference


def incidents(page: StatuspageSandbox) -> list[dict[str, object]]:
    with page.state.lock:
        return page.state.incident_list(page.page_id)


def test_an_outage_is_published_once_updated_and_resolved(
    statuspage: StatuspageSandbox, clock: FrozenClock, engine: Engine
) -> None:
    provider, box = notifier(statuspage, clock), Box(engine, clock)
    first = box.action("open", OPEN)
    with pytest.raises(Deferred):  # reading the components took this second's one request
        provider.deliver(first, SentLog(engine, "statuspage", clock))
    assert incidents(statuspage) == []
    reference = box.deliver(provider, first)  # a second later; the components are cached
    [incident] = incidents(statuspage)
    assert incident["name"] == "Service disruption: Checkout"
    assert incident["status"] == "investigating"
    checkout = statuspage.component_id("Checkout")
    assert reference["components"] == {checkout: "Checkout"}
    assert statuspage.state.component(statuspage.page_id, checkout)["status"] == "major_outage"

    box.deliver(provider, dataclasses.replace(first, attempts=2))  # a retry after a crash
    assert len(incidents(statuspage)) == 1

    box.deliver(provider, box.action("update", StatusUpdate(rule="outage", body="Still on it.")))
    resolved = box.action("resolve", StatusResolve(rule="outage", body="Fixed."))
    box.deliver(provider, resolved)
    box.deliver(provider, dataclasses.replace(resolved, attempts=2))
    [incident] = incidents(statuspage)
    assert incident["status"] == "resolved"
    assert [u["body"] for u in incident["updates"]][-2:] == ["Still on it.", "Fixed."]
    assert len(incident["updates"]) == 3
    assert statuspage.state.component(statuspage.page_id, checkout)["status"] == "operational"


def test_updates_without_an_incident_are_skipped(
    statuspage: StatuspageSandbox, clock: FrozenClock, engine: Engine
) -> None:
    provider, box = notifier(statuspage, clock), Box(engine, clock)
    skipped = box.deliver(provider, box.action("u", StatusUpdate(rule="outage", body="x")))
    assert "skipped" in skipped and statuspage.calls.total() == 0


def test_failures_are_typed(
    statuspage: StatuspageSandbox, clock: FrozenClock, engine: Engine
) -> None:
    box = Box(engine, clock)
    with pytest.raises(AuthError, match="STATUSPAGE_API_KEY"):
        box.deliver(notifier(statuspage, clock, key="wrong"), box.action("a", OPEN))
    statuspage.rate_limit(retry_after=7)
    with pytest.raises(RetryableError) as raised:
        box.deliver(notifier(statuspage, clock), box.action("b", OPEN))
    assert raised.value.retry_after == 7
