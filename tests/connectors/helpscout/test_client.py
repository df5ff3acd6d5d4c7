"""The Help Scout connector against its stand-in: the token, what it sends, and its writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bridge.config import Settings
from bridge.worker.integrations import build_integrations
from connectors.actions import Action, DeskUpdate
from connectors.base import PermanentError, RetryableError, TicketKey
from connectors.helpscout import HelpScoutDesk
from connectors.provider import BuildContext
from policies.model import Priority, Status
from sandbox.common import Fault
from sandbox.helpscout.state import LEAD_USER_ID
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START


@pytest.fixture
def desk(world: SandboxWorld, world_clock: FrozenClock) -> Iterator[HelpScoutDesk]:
    world_clock.now = CONTRACT_START
    world.helpscout.reset()
    integrations = build_integrations(
        Settings.from_env(world.environment()), BuildContext(clock=world_clock)
    )
    desk = integrations.desks["helpscout"]
    assert isinstance(desk, HelpScoutDesk)
    yield desk
    integrations.close()


def sent(world: SandboxWorld, method: str, suffix: str) -> list[dict[str, object]]:
    return [
        json.loads(s.body)
        for s in world.helpscout.seen
        if s.method == method and s.path.endswith(suffix)
    ]


def test_the_token_is_asked_for_once_with_client_credentials(
    desk: HelpScoutDesk, world: SandboxWorld
) -> None:
    conversation = world.helpscout.create_conversation("Hello", "Hi there")
    desk.fetch_ticket(conversation)
    desk.fetch_ticket(conversation)
    [token] = [s for s in world.helpscout.seen if s.path == "/v2/oauth2/token"]
    assert token.form["grant_type"] == "client_credentials"
    assert token.form["client_id"] == world.helpscout.app_id
    assert world.helpscout.seen[-1].headers["Authorization"].startswith("Bearer ")


def test_an_expired_token_is_replaced_and_the_call_made_again(
    desk: HelpScoutDesk, world: SandboxWorld, world_clock: FrozenClock
) -> None:
    conversation = world.helpscout.create_conversation("Hello", "Hi there")
    world.helpscout.seen.clear()
    desk.fetch_ticket(conversation)
    world.helpscout.expire_tokens()  # revoked early: the next call answers 401
    assert desk.fetch_ticket(conversation).id == conversation
    world_clock.advance(seconds=timedelta(days=2).total_seconds())  # expired: asked before
    assert desk.fetch_ticket(conversation).id == conversation
    tokens = [s for s in world.helpscout.seen if s.path == "/v2/oauth2/token"]
    assert len(tokens) == 3


def test_a_note_is_html_with_the_marker_and_answers_the_new_thread(
    desk: HelpScoutDesk, world: SandboxWorld
) -> None:
    conversation = world.helpscout.create_conversation("Hello", "Hi")
    thread = desk.add_note(conversation, "Hand-off <to> L2\nSecond line", idempotency_key="k:1")
    [body] = sent(world, "POST", "/notes")
    assert str(body["text"]).startswith("Hand-off &lt;to&gt; L2<br>Second line<br><br>[bridge:")
    assert thread == str(world.helpscout.threads[conversation][-1]["id"])
    assert desk.add_note(conversation, "Hand-off", idempotency_key="k:1") == thread


def test_a_reply_names_the_primary_customer(desk: HelpScoutDesk, world: SandboxWorld) -> None:
    conversation = world.helpscout.create_conversation("Hello", "Hi")
    desk.reply(conversation, "We are on it", idempotency_key="k:r")
    [body] = sent(world, "POST", "/reply")
    primary = world.helpscout.conversations[conversation]["primaryCustomer"]["id"]
    assert body["customer"] == {"id": primary}


def test_mailbox_assignee_and_status_are_one_patch_each_and_sent_once(
    desk: HelpScoutDesk, world: SandboxWorld
) -> None:
    conversation = world.helpscout.create_conversation("Route me", "Hi")
    for _ in range(2):
        desk.update(
            conversation,
            group_id="senior-support",
            assignee_id="lead@example.com",
            status=Status.PENDING,
        )
    patches = sent(world, "PATCH", f"/conversations/{conversation}")
    senior = next(k for k, m in world.helpscout.mailboxes.items() if m["name"] == "senior-support")
    assert patches == [
        {"op": "move", "path": "/mailboxId", "value": int(senior)},
        {"op": "replace", "path": "/assignTo", "value": int(LEAD_USER_ID)},
        {"op": "replace", "path": "/status", "value": "pending"},
    ]


def test_clearing_the_assignee_removes_it_and_keeps_the_mailbox(
    desk: HelpScoutDesk, world: SandboxWorld
) -> None:
    conversation = world.helpscout.create_conversation("Hello", "Hi")
    world.helpscout.assign(conversation, LEAD_USER_ID)
    payload = DeskUpdate(group="senior-support", clear_assignee=True)
    action = Action(
        1, "k:clear", TicketKey("helpscout", conversation), "helpscout", payload, 0, CONTRACT_START
    )
    desk.deliver(action, log=None)  # type: ignore[arg-type]
    assert "assignee" not in world.helpscout.conversations[conversation]
    assert {"op": "remove", "path": "/assignTo"} in sent(world, "PATCH", conversation)
    desk.deliver(action, log=None)  # type: ignore[arg-type]
    assert len([p for p in sent(world, "PATCH", conversation) if p["op"] == "remove"]) == 1


def test_tags_are_read_merged_and_written_as_one_set_with_the_priority_tag(
    desk: HelpScoutDesk, world: SandboxWorld
) -> None:
    conversation = world.helpscout.create_conversation(
        "Tag me", "Hi", tags=["keep", "old", "priority-low"]
    )
    for _ in range(2):
        desk.update(
            conversation, add_tags=["escalated"], remove_tags=["old"], priority=Priority.URGENT
        )
    assert sent(world, "PUT", "/tags") == [{"tags": ["keep", "escalated", "priority-urgent"]}]
    assert desk.fetch_ticket(conversation).priority is Priority.URGENT
    world.helpscout.set_tags(conversation, ["priority-urgent", "keep", "escalated"])
    desk.update(conversation, add_tags=["keep"], priority=Priority.URGENT)  # already so
    assert len(sent(world, "PUT", "/tags")) == 1


def test_writes_count_twice_against_the_budget(
    world: SandboxWorld, world_clock: FrozenClock
) -> None:
    world.helpscout.reset()
    env = {**world.environment(), "HELPSCOUT_RATE_LIMIT": "20"}
    built = build_integrations(Settings.from_env(env), BuildContext(clock=world_clock))
    desk = built.desks["helpscout"]
    try:
        conversation = world.helpscout.create_conversation("Hello", "Hi")
        desk.bridge_user_id()  # the token (a POST) and users/me: 3 of the 10 the bridge may spend
        before = desk.budget_remaining()
        desk.update(conversation, status=Status.SOLVED)  # one read, one write
        assert before - desk.budget_remaining() == 3
    finally:
        built.close()


def test_a_429_waits_as_long_as_help_scout_says(
    desk: HelpScoutDesk, world: SandboxWorld, world_clock: FrozenClock
) -> None:
    conversation = world.helpscout.create_conversation("Hello", "Hi")
    desk.bridge_user_id()
    world_clock.advance(seconds=15)
    # Other integrations spent the account's minute.
    world.helpscout._minute = int(world_clock().timestamp()) // 60
    world.helpscout._used = world.helpscout.per_minute
    with pytest.raises(RetryableError) as raised:
        desk.fetch_ticket(conversation)
    assert raised.value.status == 429 and raised.value.retry_after == 45
    assert desk.budget_remaining() == 0  # nothing more is sent until then


def test_a_non_numeric_id_is_refused_before_any_call(desk: HelpScoutDesk) -> None:
    with pytest.raises(PermanentError):
        desk.fetch_ticket("12a")


def test_sync_catches_a_conversation_whose_webhook_was_missed(
    desk: HelpScoutDesk, world: SandboxWorld, world_clock: FrozenClock
) -> None:
    first = desk.changes(None, world_clock())
    world_clock.advance(minutes=5)
    conversation = world.helpscout.create_conversation("Missed", "No webhook came")
    world_clock.advance(minutes=1)
    batch = desk.changes(first.next_cursor, world_clock())
    assert batch.ticket_ids == (conversation,) and batch.complete
    [ticket] = batch.tickets
    assert ticket.comments[0].body == "No webhook came"
    [listing] = [s for s in world.helpscout.seen if s.path == "/v2/conversations"][-1:]
    assert listing.query["status"] == "all" and listing.query["embed"] == "threads"


def test_sync_pages_through_more_than_one_page(
    desk: HelpScoutDesk, world: SandboxWorld, world_clock: FrozenClock
) -> None:
    made = {world.helpscout.create_conversation(f"n{i}", "x") for i in range(30)}
    batch = desk.changes(None, world_clock())
    assert set(batch.ticket_ids) == made
    assert world.helpscout.calls["conversations.list"] == 2


def test_the_loop_guard_knows_the_bridge_user_and_counts_an_outage_as_a_person(
    desk: HelpScoutDesk, world: SandboxWorld
) -> None:
    conversation = world.helpscout.create_conversation("Hello", "Hi")
    world.helpscout.faults.inject("users.me", Fault(status=503))
    desk.add_note(conversation, "Hand-off", idempotency_key="k:guard")
    body = json.dumps(world.helpscout.view(conversation)).encode()
    assert desk.webhook_from_bridge(body) is False  # users/me answered 503
    assert desk.webhook_from_bridge(body) is True
    world.helpscout.add_customer_reply(conversation, "Thanks")
    assert (
        desk.webhook_from_bridge(json.dumps(world.helpscout.view(conversation)).encode()) is False
    )


def test_a_sync_cut_short_by_a_429_reports_nothing_and_keeps_its_cursor(
    desk: HelpScoutDesk, world: SandboxWorld, world_clock: FrozenClock
) -> None:
    first = desk.changes(None, world_clock())
    world.helpscout.create_conversation("During the outage", "x")
    world.helpscout.faults.inject("conversations.list", Fault(status=429, retry_after=30))
    world_clock.advance(minutes=5)
    paused = desk.changes(first.next_cursor, world_clock())
    assert (paused.ticket_ids, paused.complete, paused.next_cursor) == (
        (),
        False,
        first.next_cursor,
    )
