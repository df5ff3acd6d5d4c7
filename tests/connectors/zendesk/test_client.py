"""The Zendesk connector through zenpy over real HTTP against the sandbox."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors._desk.common import marker_for
from connectors.actions import Action, DeskUpdate
from connectors.base import AuthError, PermanentError, RetryableError, TicketKey
from connectors.zendesk import ZendeskDesk
from policies.model import AuthorRole, Priority, Status
from sandbox.common import Fault
from sandbox.zendesk import ZendeskSandbox
from tests.connectors.zendesk.conftest import Clock, make_desk, zendesk_settings

FIXTURES = Path(__file__).parents[2] / "fixtures" / "zendesk"


@pytest.fixture
def desk(sandbox: ZendeskSandbox, clock: Clock) -> ZendeskDesk:
    return make_desk(sandbox, clock)


@pytest.fixture
def ticket(sandbox: ZendeskSandbox) -> str:
    org = sandbox.add_org("Acme", tags=["vip"], tier="gold")
    jane = sandbox.add_user("Jane", "jane@example.com", organization_id=org)
    ticket_id = sandbox.create_ticket(
        "Checkout down",
        requester_id=jane,
        organization_id=org,
        priority="high",
        tags=["billing", "eu"],
    )
    sandbox.add_customer_comment(ticket_id, "Still broken!")
    return str(ticket_id)


def test_fetch_maps_ticket_requester_org_and_comments(desk: ZendeskDesk, ticket: str) -> None:
    read = desk.fetch_ticket(ticket)
    assert (read.subject, read.status, read.priority) == (
        "Checkout down",
        Status.NEW,
        Priority.HIGH,
    )
    assert read.organization is not None and read.organization.tags == {"vip"}
    assert read.organization.fields == {"tier": "gold"}
    assert read.requester is not None and read.requester.email == "jane@example.com"
    assert [c.author_role for c in read.comments] == [AuthorRole.CUSTOMER] * 2
    # ZENDESK_URL is honoured per client, without zenpy's process-wide variables.
    assert "ZENPY_FORCE_NETLOC" not in os.environ
    assert read.url.startswith("http://127.0.0.1:")


def test_lookups_are_cached_with_a_ttl(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox, clock: Clock
) -> None:
    desk.fetch_ticket(ticket)
    desk.fetch_ticket(ticket)
    assert (sandbox.calls["users.show"], sandbox.calls["organizations.show"]) == (1, 1)
    clock.advance(16 * 60)
    desk.fetch_ticket(ticket)
    assert (sandbox.calls["users.show"], sandbox.calls["organizations.show"]) == (2, 2)


def test_changes_first_sync_then_steady_state(
    desk: ZendeskDesk, sandbox: ZendeskSandbox, clock: Clock
) -> None:
    old = sandbox.create_ticket("old")
    clock.advance(2 * 86400)
    fresh = [sandbox.create_ticket(f"t{i}") for i in range(3)]
    first = desk.changes(None, clock())
    assert first.ticket_ids == tuple(str(i) for i in fresh)  # the look-back leaves `old` out
    assert first.calls == 1 and first.complete
    idle = desk.changes(first.next_cursor, clock())
    assert (idle.ticket_ids, idle.calls) == ((), 1)
    sandbox.change(old, priority="urgent")
    again = desk.changes(idle.next_cursor, clock())
    assert again.ticket_ids == (str(old),)
    assert again.tickets[0].priority is Priority.URGENT


def test_changes_follow_cursor_pages(
    desk: ZendeskDesk, sandbox: ZendeskSandbox, clock: Clock
) -> None:
    sandbox.export_page_size = 2
    ids = [str(sandbox.create_ticket(f"t{i}")) for i in range(5)]
    batch = desk.changes(None, clock())
    assert batch.ticket_ids == tuple(ids)
    assert batch.calls == sandbox.calls["incremental.tickets"] == 3


def test_export_limit_pauses_sync_and_resumes(sandbox: ZendeskSandbox, clock: Clock) -> None:
    desk = make_desk(sandbox, clock, incremental_per_minute=2)
    sandbox.export_page_size = 2
    ids = [str(sandbox.create_ticket(f"t{i}")) for i in range(5)]
    partial = desk.changes(None, clock())
    assert partial.ticket_ids == tuple(ids[:4]) and not partial.complete
    with pytest.raises(RetryableError) as refused:
        desk.changes(partial.next_cursor, clock())
    assert refused.value.retry_after == pytest.approx(30, abs=1)
    clock.advance(30)
    rest = desk.changes(partial.next_cursor, clock())
    assert rest.ticket_ids == (ids[4],) and rest.complete


def test_429_is_retryable_without_sleeping(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox, clock: Clock
) -> None:
    sandbox.faults.inject("tickets.show", Fault(status=429, retry_after=30))
    started = time.monotonic()
    with pytest.raises(RetryableError) as raised:
        desk.fetch_ticket(ticket)
    assert time.monotonic() - started < 2
    assert raised.value.status == 429 and raised.value.retry_after == 30
    sent = sandbox.calls["tickets.show"]
    with pytest.raises(RetryableError):  # the budget holds back until Retry-After has passed
        desk.fetch_ticket(ticket)
    assert sandbox.calls["tickets.show"] == sent
    clock.advance(31)
    assert desk.fetch_ticket(ticket).id == ticket


@pytest.mark.parametrize("fault", [Fault(status=503), Fault(status=500), Fault(delay=1.0)])
def test_server_errors_and_timeouts_are_retryable(
    sandbox: ZendeskSandbox, clock: Clock, ticket: str, fault: Fault
) -> None:
    desk = make_desk(sandbox, clock, timeout=0.3)
    sandbox.faults.inject("tickets.show", fault)
    with pytest.raises(RetryableError):
        desk.fetch_ticket(ticket)


def test_bad_credentials_name_the_variables(sandbox: ZendeskSandbox, clock: Clock) -> None:
    desk = ZendeskDesk(zendesk_settings(sandbox, "wrong-token-123"), clock=clock)
    with pytest.raises(AuthError) as raised:
        desk.fetch_ticket("1")
    assert "ZENDESK_EMAIL/ZENDESK_API_TOKEN" in str(raised.value)
    assert "wrong-token-123" not in str(raised.value)
    assert "wrong-token-123" not in repr(desk.settings)


def test_missing_ticket_is_permanent(desk: ZendeskDesk) -> None:
    with pytest.raises(PermanentError) as raised:
        desk.fetch_ticket("999999")
    assert raised.value.status == 404 and not isinstance(raised.value, AuthError)


def test_note_is_not_duplicated_after_a_lost_response(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox
) -> None:
    sandbox.lose_next_response("tickets.update")
    with pytest.raises(RetryableError):
        desk.add_note(ticket, "Escalated to L2", idempotency_key="esc-1")
    reference = desk.add_note(ticket, "Escalated to L2", idempotency_key="esc-1")
    marked = [c for c in sandbox.comments[int(ticket)] if marker_for("esc-1") in c["body"]]
    assert [str(c["id"]) for c in marked] == [reference]
    assert marked[0]["public"] is False
    assert sandbox.calls["tickets.update"] == 1


def test_note_after_a_503_is_posted_once(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox
) -> None:
    sandbox.faults.inject("tickets.update", Fault(status=503))
    with pytest.raises(RetryableError):
        desk.reply(ticket, "We are on it", idempotency_key="ack-1")
    reference = desk.reply(ticket, "We are on it", idempotency_key="ack-1")
    assert desk.reply(ticket, "We are on it", idempotency_key="ack-1") == reference
    public = [c for c in sandbox.comments[int(ticket)] if marker_for("ack-1") in c["body"]]
    assert len(public) == 1 and public[0]["public"] is True


def group_named(sandbox: ZendeskSandbox, name: str) -> int:
    return next(i for i, g in sandbox.groups.items() if g["name"] == name)


def test_update_keeps_other_tags(desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox) -> None:
    group = group_named(sandbox, "senior-support")
    desk.update(
        ticket,
        group_id=str(group),
        assignee_id=str(sandbox.lead_agent_id),
        priority=Priority.URGENT,
        add_tags=["escalated_l2"],
        remove_tags=["eu"],
    )
    state = sandbox.tickets[int(ticket)]
    assert state["tags"] == ["billing", "escalated_l2"]
    assert (state["group_id"], state["assignee_id"], state["priority"]) == (
        group,
        sandbox.lead_agent_id,
        "urgent",
    )
    # Numeric ids are used as given: no directory lookups.
    assert sandbox.calls["tickets.update"] == 1
    assert sandbox.calls["groups.list"] == sandbox.calls["users.search"] == 0


def test_update_resolves_group_name_and_agent_email(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox
) -> None:
    desk.update(ticket, group_id="senior-support", assignee_id="Lead@Example.com")
    state = sandbox.tickets[int(ticket)]
    assert state["group_id"] == group_named(sandbox, "senior-support")
    assert state["assignee_id"] == sandbox.lead_agent_id


def test_group_list_is_read_once_per_cache_period(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox, clock: Clock
) -> None:
    sandbox.group_page_size = 3  # the seeded groups span pages: all of them are followed
    desk.update(ticket, group_id="frontline")
    desk.update(ticket, group_id="Integration-Specialists")  # on the last page, any case
    pages = sandbox.calls["groups.list"]
    assert pages == 3
    assert sandbox.tickets[int(ticket)]["group_id"] == group_named(
        sandbox, "integration-specialists"
    )
    desk.update(ticket, assignee_id="lead@example.com")
    desk.update(ticket, assignee_id="lead@example.com")
    assert sandbox.calls["users.search"] == 1
    clock.advance(16 * 60)
    desk.update(ticket, group_id="frontline")
    assert sandbox.calls["groups.list"] == 2 * pages


def test_unknown_group_name_is_permanent_and_writes_nothing(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox
) -> None:
    sandbox.add_group("tier-9", deleted=True)
    for name in ("no-such-team", "tier-9"):
        with pytest.raises(PermanentError) as raised:
            desk.update(ticket, group_id=name, add_tags=["escalated"])
        assert str(raised.value) == (
            f"zendesk has no group named '{name}': create it or change `group:` in the policy"
        )
    assert sandbox.calls["tickets.update"] == 0


def test_unknown_or_end_user_email_is_permanent(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox
) -> None:
    for email in ("nobody@example.com", "jane@example.com"):  # Jane is a customer
        with pytest.raises(PermanentError, match=f"zendesk has no agent with e-mail '{email}'"):
            desk.update(ticket, assignee_id=email)
    with pytest.raises(PermanentError, match="neither an agent id nor an e-mail"):
        desk.update(ticket, assignee_id="Support Lead")
    assert sandbox.calls["tickets.update"] == 0


def test_unknown_numeric_group_is_refused_by_the_desk(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox
) -> None:
    with pytest.raises(PermanentError, match="RecordInvalid") as raised:
        desk.update(ticket, group_id="77")
    assert raised.value.status == 422
    assert sandbox.tickets[int(ticket)]["group_id"] is None


def test_loop_guard_recognises_the_bridges_own_changes(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox
) -> None:
    before = desk.fetch_ticket(ticket)
    desk.add_note(ticket, "hand-off", idempotency_key="n1")
    group = str(group_named(sandbox, "frontline"))
    desk.update(ticket, group_id=group, add_tags=["escalation_bridge"])
    after = desk.fetch_ticket(ticket)
    assert after.comments[-1].author_role is AuthorRole.BRIDGE
    assert after.group_id == group and before.comments == after.comments[:-1]
    bridge_id = desk.bridge_user_id()
    assert desk.webhook_from_bridge(
        f'{{"ticket_id":"{ticket}","updater_id":"{bridge_id}"}}'.encode()
    )
    assert not desk.webhook_from_bridge(f'{{"ticket_id":"{ticket}","updater_id":"1"}}'.encode())


def test_budget_refuses_before_sending(sandbox: ZendeskSandbox, clock: Clock, ticket: str) -> None:
    desk = make_desk(sandbox, clock, rate_limit=4, budget_share=0.5)
    assert desk.budget_remaining() == 2
    desk.client.tickets(id=int(ticket))
    desk.client.tickets(id=int(ticket))
    with pytest.raises(RetryableError) as raised:
        desk.client.tickets(id=int(ticket))
    assert raised.value.retry_after == pytest.approx(30, abs=0.5)
    assert sandbox.calls["tickets.show"] == 2 and desk.budget_remaining() == 0
    clock.advance(30)
    assert desk.budget_remaining() == 1


@pytest.mark.parametrize(
    ("name", "status", "kind", "text"),
    [
        ("error_429_incremental_export_quoted.json", 429, RetryableError, "APIRateLimitExceeded"),
        ("error_400_too_many_values.json", 400, PermanentError, "TooManyValues"),
        ("error_404_record_not_found.json", 404, PermanentError, "RecordNotFound"),
    ],
)
def test_recorded_error_bodies_become_typed_errors(
    desk: ZendeskDesk,
    sandbox: ZendeskSandbox,
    clock: Clock,
    name: str,
    status: int,
    kind: type[Exception],
    text: str,
) -> None:
    body = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    sandbox.faults.inject("incremental.tickets", Fault(status=status, body=body))
    with pytest.raises(kind, match=text):
        desk.changes(None, clock())


def test_single_ticket_put_replaces_tags_and_ignores_the_bulk_only_fields(
    sandbox: ZendeskSandbox, ticket: str
) -> None:
    """The stand-in follows Zendesk: additional_tags/remove_tags are for bulk updates only."""
    url = f"{sandbox.base_url}/api/v2/tickets/{ticket}.json"
    auth = (f"{sandbox.email}/token", sandbox.token)
    body = {"ticket": {"additional_tags": ["new"], "remove_tags": ["billing"]}}
    assert requests.put(url, json=body, auth=auth, timeout=5).ok
    assert sandbox.tickets[int(ticket)]["tags"] == ["billing", "eu"]
    requests.put(url, json={"ticket": {"tags": ["only"]}}, auth=auth, timeout=5)
    assert sandbox.tickets[int(ticket)]["tags"] == ["only"]


def test_tags_go_through_the_tags_api_as_safe_updates(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox
) -> None:
    sandbox.tickets[int(ticket)]["tags"] = ["billing", "eu", "customer_tag"]
    desk.update(ticket, add_tags=["escalated_l2"], remove_tags=["eu", "absent"])
    assert sandbox.tickets[int(ticket)]["tags"] == ["billing", "customer_tag", "escalated_l2"]
    assert sandbox.calls["tags.put"] == sandbox.calls["tags.delete"] == 1
    assert sandbox.calls["tickets.update"] == 0
    desk.update(ticket, add_tags=["escalated_l2"], remove_tags=["eu"])  # nothing left to do
    assert sandbox.calls["tags.put"] == sandbox.calls["tags.delete"] == 1


def test_a_tag_update_that_collides_is_retryable(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone changed the ticket between the read and the write: 409, tried again later."""
    real_show = sandbox.show_ticket

    def stale(ticket_id: int, base_url: str) -> dict[str, Any]:
        return {**real_show(ticket_id, base_url), "updated_at": "2000-01-01T00:00:00Z"}

    monkeypatch.setattr(sandbox, "show_ticket", stale)
    with pytest.raises(RetryableError, match="changed while its tags"):
        desk.update(ticket, add_tags=["escalated_l2"])
    assert "escalated_l2" not in sandbox.tickets[int(ticket)]["tags"]


def test_a_bulk_update_clears_the_assignee_and_keeps_the_group(
    desk: ZendeskDesk, ticket: str, sandbox: ZendeskSandbox, clock: Clock
) -> None:
    """``update_many`` carries ``"assignee_id": null`` as a single update does (D-unassign)."""
    sandbox.change(int(ticket), assignee_id=sandbox.lead_agent_id)
    update = DeskUpdate(group="senior-support", clear_assignee=True)
    action = Action(
        id=1,
        key="zendesk:1:escalate:desk.update",
        ticket=TicketKey("zendesk", ticket),
        provider="zendesk",
        payload=update,
        attempts=1,
        created_at=clock(),
    )
    [outcome] = desk.deliver_many([action])
    assert not isinstance(outcome, Exception) and outcome["bulk"] is True
    row = sandbox.tickets[int(ticket)]
    assert row["assignee_id"] is None
    assert sandbox.groups[row["group_id"]]["name"] == "senior-support"
