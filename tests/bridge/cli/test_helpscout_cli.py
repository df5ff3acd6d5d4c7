"""``bridge policy test --source helpscout`` on a raw conversation, and ``bridge setup
helpscout`` against the stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from bridge import create_app
from bridge.cli.desk import setup_group
from bridge.cli.policy import policy_group
from bridge.config import Settings
from sandbox.world import SandboxWorld
from tests.conftest import FIXTURES, FrozenClock
from tests.connectors.conftest import CONTRACT_START


def test_policy_test_reads_a_raw_conversation_with_its_customer(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "helpscout" / "conversation.json").read_text())
    data["customer"] = json.loads((FIXTURES / "helpscout" / "customer.json").read_text())
    path = tmp_path / "conversation.json"
    path.write_text(json.dumps(data))
    result = CliRunner().invoke(
        policy_group,
        ["test", str(path), "--source", "helpscout", "--now", "2026-03-02T12:00:00Z"],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    # The priority-high tag is High; the enterprise-tier customer property makes it VIP: L2.
    assert (answer["severity"], answer["tier"]) == ("High", "L2")
    escalate = next(d for d in answer["decisions"] if d["action"] == "escalate")
    assert escalate["rule"] == "vip" and "account_tier=enterprise" in escalate["reason"]


@pytest.fixture
def world() -> Iterator[SandboxWorld]:
    started = SandboxWorld.start(clock=FrozenClock(CONTRACT_START))
    yield started
    started.stop()


def test_setup_command_creates_the_webhook(world: SandboxWorld, database_url: str) -> None:
    settings = Settings.from_env({**world.environment(), "DATABASE_URL": database_url})
    app: Flask = create_app({"TESTING": True, "BRIDGE_SETTINGS": settings})
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(setup_group, ["helpscout", "--url", "https://bridge.example"])
        assert result.exit_code == 0, result.output
        assert "created webhook" in result.output
        assert world.helpscout.webhooks[0]["url"] == "https://bridge.example/webhooks/helpscout"
    finally:
        app.extensions["bridge"].db.dispose()
