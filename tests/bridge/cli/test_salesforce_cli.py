"""``bridge policy test --source salesforce`` on a raw Case, and ``bridge setup salesforce``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bridge.cli.policy import policy_group
from tests.conftest import fixture_json


def test_policy_test_reads_a_raw_case_with_its_comments(tmp_path: Path) -> None:
    bundle = {
        **fixture_json("salesforce/case.json"),
        "Status": "Working",
        "Priority": "High",
        "comments": fixture_json("salesforce/case_comments.json"),
        "account": fixture_json("salesforce/account.json"),
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    result = CliRunner().invoke(
        policy_group,
        ["test", str(path), "--source", "salesforce", "--now", "2026-03-02T12:00:00Z"],
        env={"SALESFORCE_VIP_FIELD": "Tier__c"},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["decisions"] != []  # High, three hours without a reply
