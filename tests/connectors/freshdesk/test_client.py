"""The Freshdesk connector through requests over real HTTP against the sandbox."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors._desk.common import marker_for
from connectors.base import AuthError, PermanentError, RetryableError
from connectors.freshdesk import FreshdeskDesk, FreshdeskSettings
from policies.model import AuthorRole, Priority, Status
from sandbox.common import Fault, serve
from sandbox.freshdesk import FreshdeskSandbox

FIXTURES = Path(__file__).parents[2] / "fixtures" / "freshdesk"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FreshdeskSandbox, Clock]]:
    clock = Clock()
    service = FreshdeskSandbox(clock=clock)
    with serve(service):
        yield service, clock


@pytest.fixture
def clock(served: tuple[FreshdeskSandbox, Clock]) -> Clock:
    served[1].now = START
    return served[1]


@pytest.fixture
def sandbox(served: tuple[FreshdeskSandbox, Clock], clock: Clock) -> FreshdeskSandbox:
    served[0].reset()
    served[0].max_pages = 300
    return served[0]


def make_desk(
    sandbox: FreshdeskSandbox,
    clock: Clock,
    rate_limit: int = 200,
    status_map: str | None = None,
    **options: Any,
) -> FreshdeskDesk:
    values = {
        "FRESHDESK_DOMAIN": "acme",
        "FRESHDESK_API_KEY": sandbox.api_key,
        "FRESHDESK_URL": sandbox.base_url,
        "FRESHDESK_RATE_LIMIT": rate_limit,
        "FRESHDESK_STATUS_MAP": status_map,
    }
    settings = FreshdeskSettings.model_validate(values)
    return FreshdeskDesk(settings, clock=clock, **{"timeout": 2.0, **options})


@pytest.fixture
def desk(sandbox: FreshdeskSandbox, clock: Clock) -> FreshdeskDesk:
    return make_desk(sandbox, clock)


@pytest.fixture
def ticket(sandbox: FreshdeskSandbox) -> str:
    company = sandbox.add_company("Acme", account_tier="Premium")
    jane = sandbox.add_contact("Jane", "jane@example.com", company_id=company, tags=["vip"])
    ticket_id = sandbox.create_ticket(
        "Checkout down",
        requester_id=jane,
        company_id=company,
        priority=3,
        tags=["billing", "eu"],
        fr_due_by="2026-03-02T10:00:00Z",
        due_by="2026-03-03T09:00:00Z",
    )
    sandbox.add_customer_comment(ticket_id, "Still broken!")
    return str(ticket_id)


def test_fetch_maps_ticket_contact_company_and_conversations(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox
) -> None:
    read = desk.fetch_ticket(ticket)
    assert (read.status, read.priority) == (Status.OPEN, Priority.HIGH)
    assert read.requester is not None and read.requester.tags == {"vip"}
    assert read.organization is not None and read.organization.fields["account_tier"] == "Premium"
    assert [(c.author_role, c.body) for c in read.comments] == [
        (AuthorRole.CUSTOMER, "Still broken!")
    ]
    assert read.desk_sla["first_response"] == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert read.url == f"{sandbox.base_url}/a/tickets/{ticket}"


def test_the_assignee_is_named_from_the_agent_record(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox
) -> None:
    assert desk.fetch_ticket(ticket).assignee_name == ""  # nobody assigned: no call made
    assert sandbox.calls["agents.show"] == 0
    sandbox.change(int(ticket), responder_id=sandbox.lead_agent_id)
    read = desk.fetch_ticket(ticket)
    assert (read.assignee_id, read.assignee_name) == (str(sandbox.lead_agent_id), "Support Lead")
    # An agent deleted since: the ticket still reads, without a name.
    sandbox.change(int(ticket), responder_id=987654)
    assert desk.fetch_ticket(ticket).assignee_name == ""


def test_custom_status_and_csat_on_resolution(
    sandbox: FreshdeskSandbox, clock: Clock, ticket: str
) -> None:
    desk = make_desk(sandbox, clock, status_map="6=hold")
    sandbox.change(int(ticket), status=6)
    assert desk.fetch_ticket(ticket).status is Status.HOLD
    assert sandbox.calls["satisfaction_ratings"] == 0
    sandbox.change(int(ticket), status=4)
    sandbox.set_csat(int(ticket), -103, "slow")
    satisfaction = desk.fetch_ticket(ticket).satisfaction
    assert satisfaction is not None and (satisfaction.score, satisfaction.label) == (1, "bad")


def test_lookups_are_cached_with_a_ttl(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox, clock: Clock
) -> None:
    desk.fetch_ticket(ticket)
    desk.fetch_ticket(ticket)
    assert (sandbox.calls["contacts.show"], sandbox.calls["companies.show"]) == (1, 1)
    clock.advance(16 * 60)
    desk.fetch_ticket(ticket)
    assert (sandbox.calls["contacts.show"], sandbox.calls["companies.show"]) == (2, 2)


def test_changes_first_sync_then_steady_state(
    desk: FreshdeskDesk, sandbox: FreshdeskSandbox, clock: Clock
) -> None:
    old = sandbox.create_ticket("old")
    clock.advance(2 * 86400)
    fresh = []
    for i in range(3):
        fresh.append(str(sandbox.create_ticket(f"t{i}")))
        clock.advance(1)
    first = desk.changes(None, clock())
    assert first.ticket_ids == tuple(fresh) and first.calls == 1
    idle = desk.changes(first.next_cursor, clock())
    assert (idle.ticket_ids, idle.calls) == ((), 1)
    sandbox.change(old, priority=4)
    again = desk.changes(idle.next_cursor, clock())
    assert again.ticket_ids == (str(old),)
    assert again.tickets[0].priority is Priority.URGENT


def test_same_second_boundary_is_not_reported_twice(
    desk: FreshdeskDesk, sandbox: FreshdeskSandbox, clock: Clock
) -> None:
    first = desk.changes(None, clock())
    a = str(sandbox.create_ticket("a"))
    batch = desk.changes(first.next_cursor, clock())
    b = str(sandbox.create_ticket("b"))  # same second as `a`: updated_since is inclusive
    later = desk.changes(batch.next_cursor, clock())
    assert (batch.ticket_ids, later.ticket_ids) == ((a,), (b,))


def test_link_pagination_and_the_page_cap_roll(sandbox: FreshdeskSandbox, clock: Clock) -> None:
    sandbox.max_pages = 3
    desk = make_desk(sandbox, clock, page_size=2, max_pages=3)
    ids = []
    for i in range(11):
        ids.append(str(sandbox.create_ticket(f"t{i}")))
        clock.advance(1)
    batch = desk.changes(None, clock())
    assert batch.ticket_ids == tuple(ids) and batch.complete
    assert batch.calls == sandbox.calls["tickets.list"] >= 6


def test_budget_pauses_a_long_sync(sandbox: FreshdeskSandbox, clock: Clock) -> None:
    desk = make_desk(sandbox, clock, rate_limit=4, page_size=2, budget_share=0.5)
    ids = []
    for i in range(5):
        ids.append(str(sandbox.create_ticket(f"t{i}")))
        clock.advance(1)
    partial = desk.changes(None, clock())
    assert partial.ticket_ids == tuple(ids[:4]) and not partial.complete
    assert desk.budget_remaining() == 0
    clock.advance(60)
    rest = desk.changes(partial.next_cursor, clock())
    assert rest.ticket_ids == (ids[4],)


def test_429_is_retryable_without_sleeping(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox, clock: Clock
) -> None:
    sandbox.faults.inject("tickets.show", Fault(status=429, retry_after=12))
    started = time.monotonic()
    with pytest.raises(RetryableError) as raised:
        desk.fetch_ticket(ticket)
    assert time.monotonic() - started < 2 and raised.value.retry_after == 12
    with pytest.raises(RetryableError):
        desk.fetch_ticket(ticket)
    clock.advance(13)
    assert desk.fetch_ticket(ticket).id == ticket


@pytest.mark.parametrize("fault", [Fault(status=502), Fault(delay=1.0)])
def test_server_errors_and_timeouts_are_retryable(
    sandbox: FreshdeskSandbox, clock: Clock, ticket: str, fault: Fault
) -> None:
    desk = make_desk(sandbox, clock, timeout=0.3)
    sandbox.faults.inject("conversations.list", fault)
    with pytest.raises(RetryableError):
        desk.fetch_ticket(ticket)


def test_bad_key_names_the_variable(sandbox: FreshdeskSandbox, clock: Clock) -> None:
    desk = make_desk(sandbox, clock)
    desk.session.auth = ("not-the-key-456", "X")
    with pytest.raises(AuthError) as raised:
        desk.fetch_ticket("1")
    assert "FRESHDESK_API_KEY" in str(raised.value) and "not-the-key" not in str(raised.value)


def test_validation_error_is_permanent(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox
) -> None:
    with pytest.raises(PermanentError) as raised:
        desk._call("PUT", f"/api/v2/tickets/{ticket}", json={"bogus": 1})
    assert raised.value.status == 400 and "bogus:invalid_field" in str(raised.value)
    with pytest.raises(PermanentError):
        desk.fetch_ticket("99999")
    recorded = json.loads((FIXTURES / "error_400_validation_failed.json").read_text("utf-8"))
    sandbox.faults.inject("tickets.update", Fault(status=400, body=recorded))
    with pytest.raises(PermanentError, match="status:invalid_value; priority:invalid_value"):
        desk.update(ticket, priority=Priority.HIGH)


def test_note_is_not_duplicated_after_a_lost_response(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox
) -> None:
    sandbox.lose_next_response("tickets.notes")
    with pytest.raises(RetryableError):
        desk.add_note(ticket, "Escalated to L2", idempotency_key="esc-1")
    reference = desk.add_note(ticket, "Escalated to L2", idempotency_key="esc-1")
    marked = [
        c for c in sandbox.conversations[int(ticket)] if marker_for("esc-1") in c["body_text"]
    ]
    assert [str(c["id"]) for c in marked] == [reference] and marked[0]["private"]
    assert sandbox.calls["tickets.notes"] == 1


def test_reply_after_a_503_is_posted_once(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox
) -> None:
    sandbox.faults.inject("tickets.reply", Fault(status=503))
    with pytest.raises(RetryableError):
        desk.reply(ticket, "We are on it", idempotency_key="ack-1")
    reference = desk.reply(ticket, "We are on it", idempotency_key="ack-1")
    assert desk.reply(ticket, "We are on it", idempotency_key="ack-1") == reference
    replies = [
        c for c in sandbox.conversations[int(ticket)] if not c["private"] and not c["incoming"]
    ]
    assert len(replies) == 1


def group_named(sandbox: FreshdeskSandbox, name: str) -> int:
    return next(i for i, g in sandbox.groups.items() if g["name"] == name)


def test_update_merges_tags(desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox) -> None:
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
    assert (state["group_id"], state["responder_id"], state["priority"]) == (
        group,
        sandbox.lead_agent_id,
        4,
    )
    # Numeric ids are used as given: no directory lookups.
    assert sandbox.calls["groups.list"] == sandbox.calls["agents.list"] == 0


def test_update_resolves_group_name_and_agent_email(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox
) -> None:
    desk.update(ticket, group_id="Senior-Support", assignee_id="LEAD@example.com")
    state = sandbox.tickets[int(ticket)]
    assert state["group_id"] == group_named(sandbox, "senior-support")
    assert state["responder_id"] == sandbox.lead_agent_id


def test_group_list_is_read_once_per_cache_period(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox, clock: Clock
) -> None:
    for i in range(100):  # past one page of 100: the Link header is followed
        sandbox.add_group(f"regional-{i}")
    desk.update(ticket, group_id="frontline")
    desk.update(ticket, group_id="REGIONAL-99")
    assert sandbox.calls["groups.list"] == 2
    assert sandbox.tickets[int(ticket)]["group_id"] == group_named(sandbox, "regional-99")
    desk.update(ticket, assignee_id="lead@example.com")
    desk.update(ticket, assignee_id="lead@example.com")
    assert sandbox.calls["agents.list"] == 1
    clock.advance(16 * 60)
    desk.update(ticket, group_id="frontline")
    assert sandbox.calls["groups.list"] == 4


def test_unknown_names_are_permanent_and_write_nothing(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox
) -> None:
    with pytest.raises(PermanentError) as raised:
        desk.update(ticket, group_id="no-such-team", add_tags=["escalated"])
    assert str(raised.value) == (
        "freshdesk has no group named 'no-such-team': create it or change `group:` in the policy"
    )
    with pytest.raises(
        PermanentError, match=r"freshdesk has no agent with e-mail 'x@example\.com'"
    ):
        desk.update(ticket, assignee_id="x@example.com")
    assert sandbox.calls["tickets.update"] == sandbox.calls["tickets.show"] == 0


def test_unknown_numeric_agent_is_refused_by_the_desk(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox
) -> None:
    with pytest.raises(PermanentError, match="responder_id:invalid_value") as raised:
        desk.update(ticket, assignee_id="8")
    assert raised.value.status == 400
    assert sandbox.tickets[int(ticket)]["responder_id"] is None


def test_loop_guard(
    desk: FreshdeskDesk, ticket: str, sandbox: FreshdeskSandbox, clock: Clock
) -> None:
    before = desk.fetch_ticket(ticket)
    clock.advance(5)
    desk.add_note(ticket, "hand-off", idempotency_key="n1")
    after = desk.fetch_ticket(ticket)
    assert after.comments[-1].author_role is AuthorRole.BRIDGE
    assert before.comments == after.comments[:-1]
    sandbox.add_customer_comment(int(ticket), "any news?")
    assert desk.fetch_ticket(ticket).comments[-1].author_role is AuthorRole.CUSTOMER
