"""``bridge policy check`` looks the fields and groups a policy names up in the configured help
desks (the sandboxes here, through the real clients over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge.cli.policy import policy_group
from bridge.policy_files import DEFAULT_POLICY_PATH
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    started = SandboxWorld.start(clock=FrozenClock(CONTRACT_START))
    yield started
    started.stop()


@pytest.fixture
def runner(world: SandboxWorld, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("BRIDGE_POLICY", raising=False)
    for name, value in world.environment().items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def test_the_default_policy_names_only_what_the_desks_have(runner: CliRunner) -> None:
    result = runner.invoke(policy_group, ["check"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        (
            ("refund_amount: 500", "refund_amout: 500"),
            "warning: field 'refund_amout' is not a ticket field in freshdesk, helpscout, "
            "intercom, salesforce, zendesk (id, title or key)",
        ),
        (
            ("group: warranty-claims", "group: warranty-claim"),
            "warning: group 'warranty-claim' does not exist in freshdesk, helpscout, intercom, "
            "salesforce, zendesk",
        ),
        # Titles, Freshdesk names with or without cf_, and Zendesk ids all count as known.
        (("refund_amount: 500", "Refund Amount: 500"), None),
        (("category: [warranty]}", "cf_category: [warranty]}"), None),
        (("refund_amount: 500", "'360011000001': 500"), None),
    ],
)
def test_unknown_fields_and_groups_are_warnings_with_their_line(
    runner: CliRunner, tmp_path: Path, change: tuple[str, str], warning: str | None
) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert change[0] in text
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    result = runner.invoke(policy_group, ["check", str(path)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if ": warning: " in line]
    if warning is None:
        assert warnings == [], warnings
        return
    [line] = warnings
    number = next(i for i, row in enumerate(text.splitlines(), 1) if change[0] in row)
    assert line == f"{path}:{number}:1: {warning}"
