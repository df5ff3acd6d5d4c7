"""Freshdesk's per-endpoint limits and rate-limit headers (issue 12, mismatch 7)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import RetryableError
from connectors.freshdesk import FreshdeskDesk, FreshdeskSettings
from connectors.freshdesk.limits import PLANS, EndpointClass, endpoint_class
from sandbox.common import serve
from sandbox.freshdesk import FreshdeskSandbox

START = datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def growth() -> Iterator[tuple[FreshdeskSandbox, Clock]]:
    clock = Clock()
    service = FreshdeskSandbox(clock=clock, plan="growth")
    with serve(service):
        yield service, clock


def make_desk(sandbox: FreshdeskSandbox, clock: Clock, **env: str) -> FreshdeskDesk:
    values = {
        "FRESHDESK_DOMAIN": "acme",
        "FRESHDESK_API_KEY": sandbox.api_key,
        "FRESHDESK_URL": sandbox.base_url,
        **env,
    }
    return FreshdeskDesk(FreshdeskSettings.model_validate(values), clock=clock, page_size=2)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/api/v2/tickets", EndpointClass.TICKETS_LIST),
        ("POST", "/api/v2/tickets", EndpointClass.TICKET_CREATE),
        ("PUT", "/api/v2/tickets/42", EndpointClass.TICKET_UPDATE),
        ("GET", "/api/v2/contacts", EndpointClass.CONTACTS_LIST),
        ("GET", "/api/v2/tickets/42", None),
        ("PUT", "/api/v2/tickets/42/notes", None),
        ("GET", "/api/v2/contacts/7", None),
    ],
)
def test_endpoint_classes(method: str, path: str, expected: EndpointClass | None) -> None:
    assert endpoint_class(method, path) == expected


@pytest.mark.parametrize(
    ("plan", "total", "listing"),
    [("growth", 200, 20), ("pro", 400, 100), ("enterprise", 700, 200), ("trial", 50, 50)],
)
def test_plan_presets(plan: str, total: int, listing: int) -> None:
    settings = FreshdeskSettings.model_validate(
        {"FRESHDESK_DOMAIN": "a", "FRESHDESK_API_KEY": "k", "FRESHDESK_PLAN": plan}
    )
    assert settings.limits.total == total == PLANS[plan].total
    assert settings.limits.endpoints[EndpointClass.TICKETS_LIST] == listing


def test_a_long_sync_keeps_to_its_share_of_the_tickets_list_limit(
    growth: tuple[FreshdeskSandbox, Clock],
) -> None:
    """Growth lists 20 pages a minute; half is the bridge's, so a burst stops at 10 pages and
    the rest comes next minute, without a single 429."""
    sandbox, clock = growth
    for i in range(30):
        sandbox.create_ticket(f"t{i}")
        clock.now += timedelta(seconds=1)
    clock.now = START + timedelta(minutes=1)
    desk = make_desk(sandbox, clock)
    first = desk.changes(None, clock())
    assert not first.complete and len(first.ticket_ids) == 20
    assert sandbox.calls["tickets.list"] == 10
    clock.now += timedelta(minutes=1)
    rest = desk.changes(first.next_cursor, clock())
    assert rest.complete and len(first.ticket_ids) + len(rest.ticket_ids) == 30


def test_the_remaining_header_is_followed(growth: tuple[FreshdeskSandbox, Clock]) -> None:
    """Other integrations spent the account's minute: the bridge stops before a 429."""
    sandbox, clock = growth
    ticket = str(sandbox.create_ticket("t"))
    desk = make_desk(sandbox, clock)
    for _ in range(196):
        sandbox.limits.spend("GET", "/api/v2/groups")  # someone else's calls
    with pytest.raises(RetryableError, match="request budget exhausted"):
        desk.fetch_ticket(ticket)
    # Two calls went out, the account then had 2 left, the bridge's half was spent: it stopped
    # there, leaving the rest to the others and never meeting a 429.
    assert desk.calls == 2
    headers, wait = sandbox.limits.spend("GET", "/api/v2/groups")
    assert wait is None and headers["X-RateLimit-Remaining"] == "1"
