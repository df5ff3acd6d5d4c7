"""Finding changed tickets by role (issue 12, mismatch 4): the incremental export is "Allowed
For: Admins"; an agent finds them through the search export instead, and says so."""

from __future__ import annotations

import logging

import pytest

from connectors.base import AuthError
from connectors.zendesk import ZendeskDesk
from connectors.zendesk.changes import SEARCH_PREFIX, SyncSource
from sandbox.zendesk import ZendeskSandbox
from tests.connectors.zendesk.conftest import Clock, make_desk


@pytest.fixture
def agent_desk(sandbox: ZendeskSandbox, clock: Clock) -> ZendeskDesk:
    sandbox.set_bridge_role("agent")
    return make_desk(sandbox, clock)


def test_the_sandbox_closes_the_export_to_agents(
    agent_desk: ZendeskDesk, sandbox: ZendeskSandbox, clock: Clock
) -> None:
    with pytest.raises(AuthError, match="403"):
        agent_desk._export_page(start_time=0)


@pytest.mark.parametrize(
    ("role", "source"), [("admin", SyncSource.EXPORT), ("agent", SyncSource.SEARCH)]
)
def test_the_role_picks_the_api(
    sandbox: ZendeskSandbox, clock: Clock, role: str, source: SyncSource
) -> None:
    sandbox.set_bridge_role(role)
    desk = make_desk(sandbox, clock)
    ticket = sandbox.create_ticket("changed")
    batch = desk.changes(None, clock())
    assert desk.sync_source() is source
    assert batch.ticket_ids == (str(ticket),)
    used = "search.export" if source is SyncSource.SEARCH else "incremental.tickets"
    assert sandbox.calls[used] == 1


def test_an_agent_sync_reports_each_change_once_then_goes_quiet(
    agent_desk: ZendeskDesk, sandbox: ZendeskSandbox, clock: Clock
) -> None:
    first_ids = [sandbox.create_ticket(f"t{i}") for i in range(3)]
    first = agent_desk.changes(None, clock())
    assert set(first.ticket_ids) == {str(i) for i in first_ids}
    assert first.next_cursor.startswith(SEARCH_PREFIX) and first.complete
    idle = agent_desk.changes(first.next_cursor, clock())
    assert (idle.ticket_ids, idle.calls) == ((), 1)
    clock.advance(60)
    sandbox.change(first_ids[1], priority="urgent")
    again = agent_desk.changes(idle.next_cursor, clock())
    assert again.ticket_ids == (str(first_ids[1]),)


def test_an_admin_export_refused_with_403_falls_back_to_search_and_says_so(
    sandbox: ZendeskSandbox, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    desk = make_desk(sandbox, clock)
    assert desk.sync_source() is SyncSource.EXPORT
    sandbox.set_bridge_role("agent")  # demoted after start-up
    ticket = sandbox.create_ticket("changed")
    with caplog.at_level(logging.WARNING):
        batch = desk.changes(None, clock())
    assert batch.ticket_ids == (str(ticket),)
    assert desk.sync_source() is SyncSource.SEARCH
    assert "search export instead" in caplog.text
