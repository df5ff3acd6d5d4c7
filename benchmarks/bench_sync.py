"""Help-desk API calls per incremental sync at 0, 10 and 5,000 changed tickets (sandboxes).

Run: python -m benchmarks.bench_sync   (prints a table, then one JSON line with the figures)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from connectors.base import HelpDesk
from connectors.freshdesk import FreshdeskDesk, FreshdeskSettings
from connectors.zendesk import ZendeskDesk, ZendeskSettings
from sandbox.common import SandboxService, serve
from sandbox.freshdesk import FreshdeskSandbox
from sandbox.zendesk import ZendeskSandbox

SIZES = (0, 10, 5000)


class TickingClock:
    """Each read moves time on a little, as ticket updates spread over real seconds."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=250)
        return self.now


def measure(
    service: SandboxService,
    desk: HelpDesk,
    create: Callable[[int], object],
    clock: TickingClock,
) -> dict[str, int]:
    """Calls to report each batch of changed tickets, and the passes it took: a pass cut short
    by a request budget (Freshdesk's tickets-list share) continues a minute later."""
    figures: dict[str, int] = {}
    cursor = desk.changes(None, clock()).next_cursor
    for size in SIZES:
        for i in range(size):
            create(i)
        before = sum(service.calls.values())
        found: set[str] = set()
        passes, complete = 0, False
        while not complete:
            batch = desk.changes(cursor, clock() + timedelta(minutes=1))
            found.update(batch.ticket_ids)
            cursor, complete, passes = batch.next_cursor, batch.complete, passes + 1
            clock.now += timedelta(minutes=1)  # the next sync; the budgets refill
        assert len(found) == size, (size, len(found))
        figures[str(size)] = sum(service.calls.values()) - before
        figures[f"{size} passes"] = passes
        clock.now += timedelta(minutes=5)
    return figures


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    results: dict[str, dict[str, int]] = {}

    clock = TickingClock()
    zendesk = ZendeskSandbox(clock=clock)
    with serve(zendesk) as served:
        desk = ZendeskDesk(
            ZendeskSettings.model_validate(
                {
                    "ZENDESK_SUBDOMAIN": "acme",
                    "ZENDESK_EMAIL": zendesk.email,
                    "ZENDESK_API_TOKEN": zendesk.token,
                    "ZENDESK_URL": served.url,
                }
            ),
            clock=clock,
        )
        results["zendesk"] = measure(
            zendesk, desk, lambda i: zendesk.create_ticket(f"bench {i}"), clock
        )

    clock = TickingClock()
    freshdesk = FreshdeskSandbox(clock=clock)
    with serve(freshdesk) as served:
        fd = FreshdeskDesk(
            FreshdeskSettings.model_validate(
                {
                    "FRESHDESK_DOMAIN": "acme",
                    "FRESHDESK_API_KEY": freshdesk.api_key,
                    "FRESHDESK_URL": served.url,
                }
            ),
            clock=clock,
        )
        results["freshdesk"] = measure(
            freshdesk, fd, lambda i: freshdesk.create_ticket(f"bench {i}"), clock
        )

    print(f"{'desk':<10}" + "".join(f"{size:>10} changed" for size in SIZES))
    for name, figures in results.items():
        print(f"{name:<10}" + "".join(f"{figures[str(size)]:>10} calls  " for size in SIZES))
    print(json.dumps({"help_desk_calls_per_sync": results}))


if __name__ == "__main__":
    main()
