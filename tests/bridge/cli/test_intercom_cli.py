"""``bridge policy test --source intercom`` on a raw conversation."""

from __future__ import annotations

from click.testing import CliRunner

from bridge.cli.policy import policy_group
from tests.conftest import FIXTURES


def test_policy_test_reads_a_raw_conversation() -> None:
    path = FIXTURES / "intercom" / "conversation.json"
    result = CliRunner().invoke(
        policy_group, ["test", str(path), "--source", "intercom", "--now", "2018-10-25T12:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    assert '"decisions"' in result.output
