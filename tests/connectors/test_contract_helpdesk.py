"""The help-desk contract: every desk connector, against its sandbox over HTTP, behaves the same
for what the bridge relies on. A new desk proves it by adding one line to ``DESKS`` (its name
and its sandbox driver, ``tests/support/drivers.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from bridge.config import Settings
from bridge.worker.integrations import Integrations, build_integrations
from connectors.actions import Action, DeskNote, DeskUpdate, Payload
from connectors.base import AuthError, HelpDesk, PermanentError, RetryableError, TicketKey
from connectors.provider import BuildContext
from policies.fields import field_key, lookup
from policies.model import AuthorRole, Priority, Status, StatusChange
from sandbox.common import Fault
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START as START
from tests.support.drivers import (
    Desk,
    FreshdeskDriver,
    HelpScoutDriver,
    IntercomDriver,
    SalesforceDriver,
    ZendeskDriver,
)

DESKS: dict[str, Callable[[SandboxWorld], Desk]] = {
    "zendesk": ZendeskDriver,
    "freshdesk": FreshdeskDriver,
    "intercom": IntercomDriver,
    "helpscout": HelpScoutDriver,
    "salesforce": SalesforceDriver,
}


@pytest.fixture(params=sorted(DESKS))
def driver(request: pytest.FixtureRequest, world: SandboxWorld) -> Desk:
    made = DESKS[request.param](world)
    made.sandbox.reset()
    return made


def integrations_for(world: SandboxWorld, clock: FrozenClock, **overrides: str) -> Integrations:
    settings = Settings.from_env({**world.environment(), **overrides})
    return build_integrations(settings, BuildContext(clock=clock))


@pytest.fixture
def desk(driver: Desk, world: SandboxWorld, world_clock: FrozenClock) -> Iterator[HelpDesk]:
    world_clock.now = START
    integrations = integrations_for(world, world_clock)
    yield integrations.desks[driver.name]
    integrations.close()


def test_fetch_maps_the_ticket(desk: HelpDesk, driver: Desk) -> None:
    ticket_id = driver.create("Checkout is down", priority="urgent", tags=("billing",))
    driver.comment(ticket_id, "Still failing for every card.")
    ticket = desk.fetch_ticket(ticket_id)
    assert (ticket.id, ticket.subject) == (ticket_id, "Checkout is down")
    assert ticket.status is Status.OPEN and ticket.priority is Priority.URGENT
    assert "billing" in ticket.tags
    assert ticket.url
    assert ticket.comments[-1].author_role is AuthorRole.CUSTOMER
    assert ticket.comments[-1].body.startswith("Still failing")


def test_sync_lists_what_changed_then_nothing(
    desk: HelpDesk, driver: Desk, world_clock: FrozenClock
) -> None:
    ticket_id = driver.create("A new one")
    first = desk.changes(None, world_clock())
    assert ticket_id in first.ticket_ids and first.complete
    world_clock.advance(minutes=1)
    again = desk.changes(first.next_cursor, world_clock())
    assert ticket_id not in again.ticket_ids
    assert again.calls <= 2  # the steady state costs at most two calls per sync


def test_notes_and_replies_are_posted_once(desk: HelpDesk, driver: Desk) -> None:
    ticket_id = driver.create("Needs a hand-off")
    first = desk.add_note(ticket_id, "Hand-off to L2", idempotency_key="k:note")
    again = desk.add_note(ticket_id, "Hand-off to L2", idempotency_key="k:note")
    assert first == again and [n for n in driver.notes(ticket_id) if "Hand-off" in n] != []
    assert len([n for n in driver.notes(ticket_id) if "Hand-off" in n]) == 1
    desk.reply(ticket_id, "We are on it", idempotency_key="k:reply")
    desk.reply(ticket_id, "We are on it", idempotency_key="k:reply")
    assert len([r for r in driver.replies(ticket_id) if "We are on it" in r]) == 1
    bridge_comments = [
        c for c in desk.fetch_ticket(ticket_id).comments if c.author_role is AuthorRole.BRIDGE
    ]
    assert len(bridge_comments) == 2  # recognised as the bridge's own, never a person's


def test_update_sets_the_group_by_name_and_keeps_other_tags(desk: HelpDesk, driver: Desk) -> None:
    ticket_id = driver.create("Route me", tags=("keep_me", "drop_me"))
    desk.update(
        ticket_id, group_id="senior-support", add_tags=("escalated",), remove_tags=("drop_me",)
    )
    assert driver.group_of(ticket_id) == "senior-support"
    assert set(driver.tags_of(ticket_id)) == {"keep_me", "escalated"}
    with pytest.raises(PermanentError, match="no group named"):
        desk.update(ticket_id, group_id="no-such-team")


# Freshdesk documents no way to unassign a ticket (sandbox/freshdesk/FACTS.md, F-unassign): the
# hand-over's group is set and the previous agent stays.
KEEPS_AGENT = {"freshdesk"}
# A Case's owner is a user or a queue, never both (sandbox/salesforce/FACTS.md).
ONE_OWNER = {"salesforce"}


def test_clearing_the_assignee_leaves_the_ticket_to_the_group(desk: HelpDesk, driver: Desk) -> None:
    ticket_id = driver.create("Hand me over")
    agent = driver.assign(ticket_id)
    assert desk.fetch_ticket(ticket_id).assignee_id == agent
    left = agent if driver.name in KEEPS_AGENT else None
    for _ in range(2):  # sent again (a retried delivery), it changes nothing more
        desk.update(ticket_id, group_id="senior-support", clear_assignee=True)
        assert driver.group_of(ticket_id) == "senior-support"
        assert driver.assignee_of(ticket_id) == left
        assert desk.fetch_ticket(ticket_id).assignee_id == left


def test_a_named_assignee_wins_over_clearing(desk: HelpDesk, driver: Desk) -> None:
    ticket_id = driver.create("Hand me to the lead")
    agent = driver.assign(ticket_id)
    desk.update(ticket_id, group_id="senior-support", assignee_id=agent, clear_assignee=True)
    assert driver.assignee_of(ticket_id) == agent


def outbox_action(driver: Desk, ticket_id: str, payload: Payload) -> Action:
    return Action(
        id=1,
        key="contract:action",
        ticket=TicketKey(driver.name, ticket_id),
        provider=driver.name,
        payload=payload,
        attempts=1,
        created_at=START,
    )


def test_a_late_clear_keeps_whoever_took_the_ticket(desk: HelpDesk, driver: Desk) -> None:
    """The hand-over removes the agent it saw; delivered after someone else took the ticket (a
    retry after an outage), it leaves the new owner assigned."""
    ticket_id = driver.create("Taken while the desk was down")
    owner = driver.assign(ticket_id)
    late = DeskUpdate(group="senior-support", clear_assignee=True, previous_assignee="l1-agent")
    desk.deliver(outbox_action(driver, ticket_id, late), log=None)  # type: ignore[arg-type]
    # A Salesforce Case has one owner: the user who took it, not the queue.
    group = None if driver.name in ONE_OWNER else "senior-support"
    assert driver.group_of(ticket_id) == group
    assert driver.assignee_of(ticket_id) == owner
    on_time = DeskUpdate(group="senior-support", clear_assignee=True, previous_assignee=owner)
    desk.deliver(outbox_action(driver, ticket_id, on_time), log=None)  # type: ignore[arg-type]
    assert driver.assignee_of(ticket_id) == (owner if driver.name in KEEPS_AGENT else None)


def test_deliver_carries_out_desk_actions(desk: HelpDesk, driver: Desk) -> None:
    ticket_id = driver.create("Deliver to me")
    action = outbox_action(driver, ticket_id, DeskNote(body="From the outbox"))
    reference = desk.deliver(action, log=None)  # type: ignore[arg-type]  # desks keep none
    assert reference["comment_id"]
    assert any("From the outbox" in n for n in driver.notes(ticket_id))


@pytest.mark.parametrize(
    ("status", "error", "retry_after"),
    [(429, RetryableError, 7.0), (503, RetryableError, None), (404, PermanentError, None)],
)
def test_errors_are_typed(
    desk: HelpDesk,
    driver: Desk,
    status: int,
    error: type[Exception],
    retry_after: float | None,
) -> None:
    ticket_id = driver.create("Flaky")
    driver.sandbox.faults.inject("*", Fault(status=status, retry_after=retry_after))
    with pytest.raises(error) as raised:
        desk.fetch_ticket(ticket_id)
    assert getattr(raised.value, "retry_after", None) == retry_after


def test_bad_credentials_are_an_auth_error_naming_the_variable(
    driver: Desk, world: SandboxWorld, world_clock: FrozenClock
) -> None:
    names = {
        "zendesk": "ZENDESK_API_TOKEN",
        "freshdesk": "FRESHDESK_API_KEY",
        "intercom": "INTERCOM_ACCESS_TOKEN",
        "helpscout": "HELPSCOUT_APP_SECRET",
        "salesforce": "SALESFORCE_CLIENT_SECRET",
    }
    integrations = integrations_for(world, world_clock, **{names[driver.name]: "wrong-secret-1"})
    try:
        with pytest.raises(AuthError) as raised:
            integrations.desks[driver.name].fetch_ticket(driver.create("Locked out"))
    finally:
        integrations.close()
    assert names[driver.name] in str(raised.value) and "wrong-secret-1" not in str(raised.value)


def test_budget_refuses_before_the_desk_does(
    driver: Desk, world: SandboxWorld, world_clock: FrozenClock
) -> None:
    limits = {
        "zendesk": "ZENDESK_RATE_LIMIT",
        "freshdesk": "FRESHDESK_RATE_LIMIT",
        "intercom": "INTERCOM_RATE_LIMIT",
        "helpscout": "HELPSCOUT_RATE_LIMIT",
        "salesforce": "SALESFORCE_DAILY_API_LIMIT",
    }
    integrations = integrations_for(world, world_clock, **{limits[driver.name]: "2"})
    desk = integrations.desks[driver.name]
    try:
        assert desk.budget_remaining() == 1  # half of the plan by default
        ticket_id = driver.create("Budget")
        with pytest.raises(RetryableError) as raised:
            desk.fetch_ticket(ticket_id)  # more than one call
        assert raised.value.retry_after is not None and raised.value.retry_after > 0
        # Salesforce's allocation is per 24 hours, the others' per minute.
        period = timedelta(days=1) if driver.name == "salesforce" else timedelta(minutes=1)
        world_clock.advance(seconds=period.total_seconds())
        assert desk.budget_remaining() == 1
    finally:
        integrations.close()


def test_ticket_fields_name_custom_fields_by_title(desk: HelpDesk, driver: Desk) -> None:
    titles = {f.title for f in desk.ticket_fields()}
    assert {"Refund amount", "Category", "Engineering issue"} <= titles
    calls = driver.sandbox.calls.get("ticket_fields.list", 0)
    desk.ticket_fields()
    assert driver.sandbox.calls.get("ticket_fields.list", 0) == calls  # cached
    ticket_id = driver.create("Refund please")
    driver.field(ticket_id, "Refund amount", "750.00")
    ticket = desk.fetch_ticket(ticket_id)
    found = lookup(ticket, field_key("Refund amount"))
    assert found is not None and found[1] in ("750.00", 750.0)


def test_fetch_knows_when_the_pause_began(
    desk: HelpDesk, driver: Desk, world_clock: FrozenClock
) -> None:
    ticket_id = driver.create("Waiting on the customer")
    world_clock.advance(minutes=10)
    driver.set(ticket_id, status="pending")
    paused_at = world_clock()
    world_clock.advance(hours=2)
    ticket = desk.fetch_ticket(ticket_id)
    assert ticket.status is Status.PENDING
    assert ticket.status_history[-1] == StatusChange(
        paused_at.replace(microsecond=0), Status.PENDING
    )


def test_update_reopens_a_ticket(desk: HelpDesk, driver: Desk) -> None:
    ticket_id = driver.create("Solved too soon")
    driver.set(ticket_id, status="solved")
    desk.update(ticket_id, status=Status.OPEN)
    assert driver.status_of(ticket_id) == "open"


def test_the_loop_guard_answers(desk: HelpDesk, driver: Desk) -> None:
    ticket_id = driver.create("Who changed me?")
    assert desk.webhook_from_bridge(f'{{"ticket_id": "{ticket_id}"}}'.encode()) is False
