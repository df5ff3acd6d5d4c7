"""The demo's outage storm (``sandbox.scenario.login_storm``) with the demo's policy: a Zendesk
problem ticket, its incidents and alike Freshdesk tickets become one Slack message."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest

from bridge.policy_files import DEFAULT_POLICY_PATH
from sandbox.scenario import DEMO_GROUPING, ShiftableClock, login_storm
from tests.e2e.conftest import Bridge

SENIOR = "#support-escalations"


@pytest.fixture
def bridge_env(tmp_path: Path) -> dict[str, str]:
    policy = tmp_path / "demo-policy.yaml"
    policy.write_text(DEFAULT_POLICY_PATH.read_text(encoding="utf-8") + DEMO_GROUPING, "utf-8")
    return {"BRIDGE_POLICY": str(policy)}


def test_the_demo_storm_is_one_message(bridge: Bridge) -> None:
    world = bridge.world
    login_storm(world, cast(ShiftableClock, bridge.clock), bridge.url)
    bridge.run()
    bridge.clock.advance(seconds=10)
    bridge.jobs.signal_storms()
    bridge.run()

    storm = [m for m in world.slack.messages(SENIOR) if "Outage storm" in m["text"]]
    assert len(storm) == 1 and "6 Critical tickets" in storm[0]["text"]
    assert "problem ticket #" in storm[0]["text"]
    # The incident's subject is escaped, never markup.
    assert "&lt;b&gt;Login page&lt;/b&gt;" in str(storm[0]["blocks"])
    others = [m for m in world.slack.messages(SENIOR) if "Outage storm" not in m["text"]]
    assert others == []
    for ticket_id, comments in world.zendesk.comments.items():
        notes = [c for c in comments if not c["public"]]
        assert len(notes) >= 1, ticket_id
    for ticket_id in world.freshdesk.tickets:
        assert world.freshdesk.conversations.get(ticket_id), ticket_id
