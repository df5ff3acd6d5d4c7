"""Every request the Intercom connector sends, through its client over HTTP, checked against
Intercom's published OpenAPI description of API 2.11 (``specs/intercom_2.11_operations.json``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.cli.doctor import policy_needs
from bridge.config import Settings
from bridge.policy_files import load_policy
from bridge.worker.integrations import Integrations, build_integrations
from connectors.intercom import IntercomDesk
from connectors.intercom.setup import setup_lines
from connectors.provider import BuildContext
from policies.model import Priority, Status
from sandbox.common import Seen
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START
from tests.contracts.spec_check import intercom_problems


@pytest.fixture(scope="module")
def clock() -> FrozenClock:
    return FrozenClock(CONTRACT_START)


@pytest.fixture(scope="module")
def world(clock: FrozenClock) -> Iterator[SandboxWorld]:
    started = SandboxWorld.start(clock=clock)
    yield started
    started.stop()


@pytest.fixture
def integrations(world: SandboxWorld, clock: FrozenClock) -> Iterator[Integrations]:
    world.intercom.reset()
    world.intercom.seen.clear()
    built = build_integrations(Settings.from_env(world.environment()), BuildContext(clock=clock))
    yield built
    built.close()


def test_every_intercom_request_is_in_the_spec(
    integrations: Integrations, world: SandboxWorld
) -> None:
    desk = integrations.desks["intercom"]
    assert isinstance(desk, IntercomDesk)
    company = world.intercom.add_company("Initech", tags=["vip"])
    contact = world.intercom.add_contact(
        "Peter", "peter@initech.example", company_id=company, tags=["vip"]
    )
    conversation = world.intercom.create_conversation("Checkout down", contact_id=contact)
    world.intercom.add_customer_reply(conversation, "Still broken")
    desk.fetch_ticket(conversation)
    desk.changes(None, CONTRACT_START)
    desk.add_note(conversation, "Hand-off", idempotency_key="k1")
    desk.reply(conversation, "We are on it", idempotency_key="k2")
    desk.update(
        conversation,
        group_id="senior-support",
        assignee_id="lead@example.com",
        priority=Priority.URGENT,
        add_tags=["escalated"],
        status=Status.SOLVED,
    )
    desk.update(conversation, remove_tags=["escalated"], status=Status.OPEN)
    setup_lines(desk, url="https://bridge.example.com")
    list(desk.diagnose(policy_needs(load_policy(None).doc)))
    seen = [s for s in world.intercom.seen if s.path != "/"]
    assert len({(s.method, s.path.split("/")[1]) for s in seen}) >= 8
    assert [p for s in seen for p in intercom_problems(s)] == []


def test_what_the_spec_refuses() -> None:
    """A note without an admin, an assignment without a kind, and an unknown version."""
    headers = {"Intercom-Version": "2.11"}
    note = Seen("POST", "/conversations/1/reply", {}, {}, b'{"message_type": "note"}', headers)
    assert intercom_problems(note)  # neither an admin's nor a contact's reply
    assign = b'{"message_type": "assignment", "admin_id": "1", "assignee_id": "2"}'
    assert intercom_problems(Seen("POST", "/conversations/1/parts", {}, {}, assign, headers))
    old = Seen("GET", "/me", {}, {}, b"", {"Intercom-Version": "3.0"})
    assert [p.split(": ", 1)[1] for p in intercom_problems(old)] == [
        "Intercom-Version '3.0' is not a version"
    ]
    assert intercom_problems(Seen("GET", "/conversations/1/nope", {}, {}, b"", headers))


def test_every_intercom_ticket_request_is_in_the_spec(
    integrations: Integrations, world: SandboxWorld
) -> None:
    desk = integrations.desks["intercom"]
    assert isinstance(desk, IntercomDesk)
    ticket = "t" + world.intercom.create_ticket("Checkout down", "Every card declined")
    desk.fetch_ticket(ticket)
    desk.changes(None, CONTRACT_START)
    desk.add_note(ticket, "Hand-off", idempotency_key="k1")
    desk.reply(ticket, "We are on it", idempotency_key="k2")
    desk.update(
        ticket,
        group_id="senior-support",
        assignee_id="lead@example.com",
        status=Status.PENDING,
        clear_assignee=True,
    )
    desk.update(ticket, status=Status.SOLVED)
    seen = [s for s in world.intercom.seen if s.path.startswith("/tickets")]
    assert {(s.method, s.path.split("/")[-1]) for s in seen} >= {
        ("GET", ticket[1:]),
        ("PUT", ticket[1:]),
        ("POST", "reply"),
        ("POST", "search"),
    }
    assert [p for s in seen for p in intercom_problems(s)] == []
