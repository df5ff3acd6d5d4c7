"""The Salesforce connector against its stand-in: what it sends, what it refuses, its
sessions and its budget."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.config import Settings
from bridge.worker.integrations import build_integrations
from connectors.actions import Action, DeskUpdate
from connectors.base import PermanentError, RetryableError, TicketKey
from connectors.provider import BuildContext
from connectors.salesforce import SalesforceDesk
from policies.model import Priority, Status
from sandbox.salesforce.signin import PASSWORD, SECURITY_TOKEN, USERNAME
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START


def build(world: SandboxWorld, clock: FrozenClock, **overrides: str) -> SalesforceDesk:
    environment = {**world.environment(), **overrides}
    integrations = build_integrations(
        Settings.from_env({k: v for k, v in environment.items() if v}), BuildContext(clock=clock)
    )
    desk = integrations.desks["salesforce"]
    assert isinstance(desk, SalesforceDesk)
    return desk


@pytest.fixture
def desk(world: SandboxWorld, world_clock: FrozenClock) -> Iterator[SalesforceDesk]:
    world_clock.now = CONTRACT_START
    world.salesforce.reset()
    made = build(world, world_clock)
    yield made
    made.close()


def test_every_call_is_versioned_and_carries_the_session(
    desk: SalesforceDesk, world: SandboxWorld
) -> None:
    case = world.salesforce.create_case("Hello")
    desk.fetch_ticket(case)
    api = [s for s in world.salesforce.seen if s.path.startswith("/services/data/")]
    assert api and all(s.path.startswith("/services/data/v62.0/") for s in api)
    assert all(s.headers["Authorization"].startswith("Bearer 00D") for s in api)


def test_an_expired_session_signs_in_again_once(desk: SalesforceDesk, world: SandboxWorld) -> None:
    case = world.salesforce.create_case("Hello")
    desk.fetch_ticket(case)
    world.salesforce.expire_sessions()
    assert desk.fetch_ticket(case).subject == "Hello"
    assert world.salesforce.calls["oauth2.token"] == 2


def test_a_username_and_password_sign_in_through_soap(
    world: SandboxWorld, world_clock: FrozenClock
) -> None:
    world.salesforce.reset()
    desk = build(
        world,
        world_clock,
        SALESFORCE_CLIENT_ID="",
        SALESFORCE_CLIENT_SECRET="",
        SALESFORCE_USERNAME=USERNAME,
        SALESFORCE_PASSWORD=PASSWORD,
        SALESFORCE_SECURITY_TOKEN=SECURITY_TOKEN,
    )
    try:
        case = world.salesforce.create_case("Over SOAP")
        assert desk.fetch_ticket(case).subject == "Over SOAP"
        assert world.salesforce.calls["soap.login"] == 1
        login = next(s for s in world.salesforce.seen if s.path.startswith("/services/Soap/u/"))
        assert login.path == "/services/Soap/u/62.0" and login.headers["Soapaction"] == "login"
    finally:
        desk.close()


def test_priority_and_status_use_the_orgs_values_and_patch_only_what_differs(
    desk: SalesforceDesk, world: SandboxWorld
) -> None:
    case = world.salesforce.create_case("Slow", priority="Medium", status="Working")
    desk.update(case, priority=Priority.URGENT, status=Status.PENDING)
    record = world.salesforce.case(case)
    assert (record["Priority"], record["Status"]) == ("Critical", "Waiting on Customer")
    patches = world.salesforce.calls["Case.update"]
    desk.update(case, priority=Priority.URGENT, status=Status.PENDING)
    assert world.salesforce.calls["Case.update"] == patches  # already so: nothing sent


def test_clearing_the_assignee_hands_the_case_to_the_routes_queue(
    desk: SalesforceDesk, world: SandboxWorld
) -> None:
    case = world.salesforce.create_case("Mine")
    desk.update(case, assignee_id="lead@example.com")
    assert world.salesforce.case(case)["OwnerId"] == world.salesforce.lead_user_id
    action = Action(
        id=1,
        key="clear",
        ticket=TicketKey("salesforce", case),
        provider="salesforce",
        payload=DeskUpdate(group="senior-support", clear_assignee=True),
        attempts=1,
        created_at=CONTRACT_START,
    )
    desk.update(case, group_id="senior-support")  # not removing the user: the owner stays
    assert world.salesforce.case(case)["OwnerId"] == world.salesforce.lead_user_id
    desk.deliver(action, log=None)  # type: ignore[arg-type]  # desks keep none
    assert world.salesforce.case(case)["OwnerId"] == world.salesforce.queue_ids["senior-support"]
    with pytest.raises(PermanentError, match="without an owner"):
        desk.update(case, clear_assignee=True)  # OwnerId cannot be empty


def test_a_long_note_is_cut_to_4000_bytes_and_keeps_its_marker(
    desk: SalesforceDesk, world: SandboxWorld
) -> None:
    case = world.salesforce.create_case("Verbose")
    desk.add_note(case, "é" * 5000, idempotency_key="long")
    [note] = world.salesforce.comments_of(case)
    assert len(str(note["CommentBody"]).encode()) <= 4000
    assert desk.add_note(case, "é" * 5000, idempotency_key="long") == note["Id"]  # found again


def test_the_orgs_count_of_requests_left_caps_the_budget(
    desk: SalesforceDesk, world: SandboxWorld
) -> None:
    world.salesforce.api_used = world.salesforce.daily_limit - 41
    desk.fetch_ticket(world.salesforce.create_case("Counted"))
    left = world.salesforce.daily_limit - world.salesforce.api_used
    assert 0 < desk.budget_remaining() <= left / 2  # half of what the org says is left


def test_a_spent_allocation_is_a_wait_not_an_auth_error(
    desk: SalesforceDesk, world: SandboxWorld
) -> None:
    case = world.salesforce.create_case("Late in the day")
    world.salesforce.api_used = world.salesforce.daily_limit
    with pytest.raises(RetryableError) as raised:
        desk.fetch_ticket(case)
    assert raised.value.retry_after == 3600


def test_a_malformed_id_is_refused_before_any_call(desk: SalesforceDesk) -> None:
    with pytest.raises(PermanentError, match="15 or 18"):
        desk.fetch_ticket("500' OR Id != '")
    assert desk.calls == 0
