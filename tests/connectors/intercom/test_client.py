"""The Intercom connector against its stand-in: what it sends, what it refuses, and its sync."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bridge.config import Settings
from bridge.worker.integrations import build_integrations
from connectors.base import PermanentError, RetryableError
from connectors.intercom import IntercomDesk
from connectors.intercom import sync as intercom_sync
from connectors.provider import BuildContext
from policies.model import Priority, Status
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START

BRIDGE = "991267600"


@pytest.fixture
def desk(world: SandboxWorld, world_clock: FrozenClock) -> Iterator[IntercomDesk]:
    world_clock.now = CONTRACT_START
    world.intercom.reset()
    integrations = build_integrations(
        Settings.from_env(world.environment()), BuildContext(clock=world_clock)
    )
    desk = integrations.desks["intercom"]
    assert isinstance(desk, IntercomDesk)
    yield desk
    integrations.close()


def test_every_call_carries_the_token_and_the_api_version(
    desk: IntercomDesk, world: SandboxWorld
) -> None:
    conversation = world.intercom.create_conversation("Hello")
    desk.fetch_ticket(conversation)
    headers = world.intercom.seen[-1].headers
    assert headers["Authorization"] == f"Bearer {world.intercom.token}"
    assert headers["Intercom-Version"] == "2.11"


def test_a_note_is_an_admin_note_in_html_with_the_marker(
    desk: IntercomDesk, world: SandboxWorld
) -> None:
    conversation = world.intercom.create_conversation("Hello")
    desk.add_note(conversation, "Hand-off <to> L2\nSecond line", idempotency_key="k:1")
    [sent] = [s for s in world.intercom.seen if s.path.endswith("/reply")]
    body = json.loads(sent.body)
    assert (body["message_type"], body["type"], body["admin_id"]) == ("note", "admin", BRIDGE)
    assert body["body"].startswith("<p>Hand-off &lt;to&gt; L2</p><p>Second line</p><p>[bridge:")


def test_tags_and_the_team_are_written_once(desk: IntercomDesk, world: SandboxWorld) -> None:
    conversation = world.intercom.create_conversation("Route me", tags=["old"])
    for _ in range(2):
        desk.update(
            conversation, group_id="senior-support", add_tags=("escalated",), remove_tags=("old",)
        )
    assert world.intercom.calls["conversations.tag"] == 1
    assert world.intercom.calls["conversations.untag"] == 1
    assert world.intercom.calls["conversations.manage"] == 1
    [assigned] = [s for s in world.intercom.seen if s.path.endswith("/parts")]
    assert json.loads(assigned.body)["type"] == "team"


def test_an_agent_by_email_is_assigned_as_an_admin(desk: IntercomDesk, world: SandboxWorld) -> None:
    conversation = world.intercom.create_conversation("Assign me")
    desk.update(conversation, assignee_id="lead@example.com")
    assert world.intercom.conversations[conversation]["admin_assignee_id"] == 991267601


def test_priority_is_not_written_and_snoozing_is_refused(
    desk: IntercomDesk, world: SandboxWorld
) -> None:
    conversation = world.intercom.create_conversation("Flag me")
    desk.update(conversation, priority=Priority.URGENT)
    assert world.intercom.conversations[conversation]["priority"] == "not_priority"
    with pytest.raises(PermanentError, match="snooz"):
        desk.update(conversation, status=Status.PENDING)


def test_the_loop_guard_knows_the_bridge_admins_own_parts(
    desk: IntercomDesk, world: SandboxWorld
) -> None:
    conversation = world.intercom.create_conversation("Loop?")
    item = world.intercom.view(conversation)
    customer = {"type": "notification_event", "topic": "conversation.user.created"}
    assert (
        desk.webhook_from_bridge(json.dumps({**customer, "data": {"item": item}}).encode()) is False
    )
    desk.add_note(conversation, "Ours", idempotency_key="k:loop")
    ours = {"type": "notification_event", "topic": "conversation.admin.noted"}
    ours["data"] = {"item": world.intercom.view(conversation)}  # type: ignore[assignment]
    assert desk.webhook_from_bridge(json.dumps(ours).encode()) is True
    assert desk.webhook_from_bridge(b"not json") is False


def test_sync_follows_every_page_and_keeps_the_second_it_ended_on(
    desk: IntercomDesk,
    world: SandboxWorld,
    world_clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(intercom_sync, "PER_PAGE", 2)
    made = {world.intercom.create_conversation(f"n{i}") for i in range(5)}
    first = desk.changes(None, world_clock())
    # Three pages of conversations, one (empty) search of tickets.
    assert set(first.ticket_ids) == made and first.calls == 4 and first.complete
    # Same second, one more conversation: only it is new; the others are not read again.
    late = world.intercom.create_conversation("late")
    again = desk.changes(first.next_cursor, world_clock())
    assert again.ticket_ids == (late,)
    world_clock.advance(minutes=1)
    world.intercom.add_customer_reply(sorted(made)[0], "still broken")  # a missed webhook
    caught = desk.changes(again.next_cursor, world_clock())
    assert caught.ticket_ids == (sorted(made)[0],)
    assert desk.changes(caught.next_cursor, world_clock()).ticket_ids == ()


def test_a_bad_cursor_is_refused(desk: IntercomDesk, world_clock: FrozenClock) -> None:
    with pytest.raises(ValueError, match="cursor"):
        desk.changes("2026-03-02T09:00:00Z|1", world_clock())


@pytest.mark.parametrize(("window", "status"), [(0, 429), (1, None)])
def test_the_wait_is_read_from_the_window_reset(
    desk: IntercomDesk,
    world: SandboxWorld,
    world_clock: FrozenClock,
    window: int,
    status: int | None,
) -> None:
    """Past the window: Intercom's 429 names no Retry-After, its reset time says how long.
    At the window's last call: the bridge waits without spending a 429."""
    conversation = world.intercom.create_conversation("Busy")
    world_clock.advance(seconds=3)  # 3 s into a 10-second window
    limit = world.intercom.window_limit
    world.intercom.window_limit = window
    try:
        with pytest.raises(RetryableError) as raised:
            desk.fetch_ticket(conversation)  # the conversation, then the contact
    finally:
        world.intercom.window_limit = limit
    assert (raised.value.status, raised.value.retry_after) == (status, 7)


def test_a_contacts_tags_are_named_from_the_workspace_list(
    desk: IntercomDesk, world: SandboxWorld
) -> None:
    contact = world.intercom.add_contact("Vera", "vera@example.com", tags=["vip"])
    assert "name" not in world.intercom.contacts[contact]["tags"]["data"][0]
    conversation = world.intercom.create_conversation("Hello", contact_id=contact)
    requester = desk.fetch_ticket(conversation).requester
    assert requester is not None and requester.tags == frozenset({"vip"})
    desk.fetch_ticket(world.intercom.create_conversation("Again", contact_id=contact))
    assert world.intercom.calls["tags.list"] == 1  # cached with the contact


def test_a_ticket_is_read_noted_assigned_and_resolved_through_the_ticket_endpoints(
    desk: IntercomDesk, world: SandboxWorld
) -> None:
    world.intercom.seen.clear()
    raw = world.intercom.create_ticket("Checkout fails", "EU cards declined", Impact="data_loss")
    ticket_id = f"t{raw}"
    read = desk.fetch_ticket(ticket_id)
    assert (read.id, read.subject, read.status) == (ticket_id, "Checkout fails", Status.OPEN)
    assert read.custom_fields == {"Impact": "data_loss"}
    part = desk.add_note(ticket_id, "Hand-off", idempotency_key="k:t1")
    assert desk.add_note(ticket_id, "Hand-off", idempotency_key="k:t1") == part
    desk.update(
        ticket_id, group_id="senior-support", assignee_id="lead@example.com", status=Status.PENDING
    )
    after = desk.fetch_ticket(ticket_id)
    assert after.status is Status.PENDING
    assert after.assignee_id == "991267601" and after.group_id is not None
    paths = {(s.method, s.path) for s in world.intercom.seen}
    assert ("PUT", f"/tickets/{raw}") in paths and ("POST", f"/tickets/{raw}/reply") in paths
    assert not any(s.path.startswith("/conversations/") for s in world.intercom.seen)
    replies = [s for s in world.intercom.seen if s.path.endswith("/reply")]
    assert len(replies) == 1 and json.loads(replies[0].body)["message_type"] == "note"


def test_the_stand_in_refuses_a_state_intercom_cannot_set(
    desk: IntercomDesk, world: SandboxWorld
) -> None:
    raw = world.intercom.create_ticket("Broken", "Down")
    with pytest.raises(PermanentError):
        desk._call("PUT", f"/tickets/{raw}", json={"state": "submitted"})
    with pytest.raises(PermanentError):
        desk.fetch_ticket("t99999")


def test_sync_catches_a_ticket_whose_notification_was_missed(
    desk: IntercomDesk, world: SandboxWorld, world_clock: FrozenClock
) -> None:
    conversation = world.intercom.create_conversation("Hello")
    raw = world.intercom.create_ticket("Missed", "Nobody told the bridge")
    batch = desk.changes(None, world_clock())
    assert set(batch.ticket_ids) == {conversation, f"t{raw}"}
    assert {t.id: t.subject for t in batch.tickets}[f"t{raw}"] == "Missed"
    assert desk.changes(batch.next_cursor, world_clock()).ticket_ids == ()
