"""The operating commands on a live history: explain, outbox list/retry, sweep, backtest."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result

from bridge.policy_files import DEFAULT_POLICY_PATH
from bridge.runtime import runtime
from bridge.store import outbox
from sandbox.common import Fault
from tests.e2e.conftest import Bridge
from tests.e2e.test_triggers import critical_two_hours, critical_unanswered
from tests.support.drivers import Desk


def invoke(bridge: Bridge, *args: str) -> Result:
    result = bridge.app.test_cli_runner().invoke(args=["bridge", *args])
    assert result.exit_code == 0, result.output
    return result


def test_explain_shows_every_decision_with_its_reasons(bridge: Bridge, desk: Desk) -> None:
    ticket = critical_unanswered(bridge, desk)
    desk.notify(bridge.url, ticket)
    bridge.run()
    output = invoke(bridge, "explain", f"{desk.name}:{ticket}").output
    assert "at L2" in output
    assert "escalate L2 via" in output and "[matrix at default.yaml:" in output
    assert "15m at L1 ran out" in output and "clock: {" in output
    assert "now: Critical, next check" in output


def test_dead_letters_are_listed_and_retried(bridge: Bridge, desk: Desk) -> None:
    bridge.world.pagerduty.faults.inject(
        "enqueue",
        Fault(
            status=400,
            body={
                "status": "invalid event",
                "message": "Event object is invalid",
                "errors": ["nope"],
            },
        ),
    )
    ticket = critical_two_hours(bridge, desk)
    desk.notify(bridge.url, ticket)
    bridge.run()
    listing = invoke(bridge, "outbox", "list", "--dead").output
    assert "page.trigger" in listing and "400" in listing
    [row] = [r for r in rows(bridge) if r["status"] == outbox.DEAD]
    assert invoke(bridge, "outbox", "retry", str(row["id"])).output.startswith("1 dead letter")
    bridge.run()
    assert len(bridge.world.pagerduty.incidents_for(f"{desk.name}:{ticket}")) == 1
    assert not [r for r in rows(bridge) if r["status"] != outbox.DONE]


def rows(bridge: Bridge) -> list[dict[str, object]]:
    with runtime(bridge.app).db.connect() as connection:
        return outbox.listing(connection, limit=1000)


def test_sweep_command_acts_on_due_tickets(bridge: Bridge, desk: Desk) -> None:
    ticket = desk.create("Checkout is down", priority="urgent")
    desk.notify(bridge.url, ticket)
    bridge.run()
    bridge.clock.advance(minutes=16)
    assert "1 ticket(s) evaluated" in invoke(bridge, "sweep").output


def test_backtest_compares_a_candidate_policy(bridge: Bridge, desk: Desk, tmp_path: Path) -> None:
    for _ in range(2):
        ticket = critical_unanswered(bridge, desk)
        desk.notify(bridge.url, ticket)
    bridge.run()
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(
        DEFAULT_POLICY_PATH.read_text().replace(
            "Critical: {clock: calendar, L1: 15m", "Critical: {clock: calendar, L1: 4h"
        )
    )
    result = invoke(bridge, "backtest", "--policy", str(candidate), "--format", "json")
    figures = json.loads(result.output)
    assert figures["in use"]["tickets"] == 2
    assert figures["in use"]["escalations_by_rule"]["matrix"] == 2
    assert figures["candidate"]["escalations_by_rule"].get("matrix", 0) == 0
    table = invoke(bridge, "backtest").output
    assert "| escalated | 2 (100%) | 2 (100%) |" in table
