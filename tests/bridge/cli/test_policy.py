"""``bridge policy check|doc|test`` through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge.cli.policy import policy_group

FIXTURES = Path(__file__).parents[2] / "fixtures" / "policies"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("BRIDGE_POLICY", raising=False)
    return CliRunner()


def test_check_default(runner: CliRunner) -> None:
    result = runner.invoke(policy_group, ["check"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_check_reports_every_error(runner: CliRunner) -> None:
    path = FIXTURES / "bad_policy.yaml"
    result = runner.invoke(policy_group, ["check", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) >= 4
    assert all(line.startswith(f"{path}:") for line in lines)
    assert f"{path}:15:18: bad duration '15x': write e.g. 15m, 2h, 1d" in lines


def test_check_uses_bridge_policy_env(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_POLICY", str(FIXTURES / "bad_policy.yaml"))
    assert runner.invoke(policy_group, ["check"]).exit_code == 1


@pytest.mark.parametrize(("fmt", "marker"), [("md", "## Escalation matrix"), ("html", "<h2>")])
def test_doc(runner: CliRunner, fmt: str, marker: str) -> None:
    result = runner.invoke(policy_group, ["doc", "--format", fmt])
    assert result.exit_code == 0 and marker in result.output


@pytest.mark.parametrize(("fmt", "marker"), [("md", "## Worked examples"), ("html", "<details>")])
def test_doc_for_agents(runner: CliRunner, fmt: str, marker: str) -> None:
    result = runner.invoke(policy_group, ["doc", "--for", "agents", "--format", fmt])
    assert result.exit_code == 0 and marker in result.output
    assert "Agent guide" in result.output


def test_doc_shows_the_templates_in_use(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "customer_ack.md.j2").write_text("Hi {{ customer.name }}, ours.", encoding="utf-8")
    monkeypatch.setenv("BRIDGE_TEMPLATES", str(tmp_path))
    result = runner.invoke(policy_group, ["doc"])
    assert result.exit_code == 0
    assert "Hi {{ customer.name }}, ours." in result.output  # the override, not the shipped one
    assert "ESCALATION: {{ case_number }}" in result.output  # the others as shipped


def test_ticket_output_shape(runner: CliRunner) -> None:
    ticket = FIXTURES / "critical_ticket.json"
    result = runner.invoke(policy_group, ["test", str(ticket), "--now", "2025-03-03T12:00:00Z"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"severity", "tier", "decisions", "next_check_at"}
    assert out["severity"] == "Critical" and out["tier"] == "L3"
    assert set(out["decisions"][0]) == {"rule", "action", "tier", "route", "key", "reason"}
    actions = {d["action"] for d in out["decisions"]}
    assert {"escalate", "page", "notify"} <= actions
    assert out["next_check_at"].endswith("Z")


def test_ticket_with_state(runner: CliRunner) -> None:
    args = [
        "test",
        str(FIXTURES / "critical_ticket.json"),
        "--state",
        str(FIXTURES / "state_l2.json"),
        "--now",
        "2025-03-03T10:20:00+00:00",
        "--policy",
        str(FIXTURES / "minimal.yaml"),
    ]
    result = runner.invoke(policy_group, args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["tier"] == "L2"
    # The escalation to L2 is recorded; its hand-off note was not, so it is still due.
    assert [d["action"] for d in out["decisions"] if d["rule"] == "matrix"] == ["internal_note"]
    assert out["next_check_at"] == "2025-03-03T10:30:00Z"  # first public reply due


def test_bad_inputs(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "t.json"
    bad.write_text("[1, 2]")
    assert runner.invoke(policy_group, ["test", str(bad)]).exit_code == 2
    bad.write_text('{"id": 1}')
    result = runner.invoke(policy_group, ["test", str(bad), "--now", "2025-01-01T00:00:00Z"])
    assert result.exit_code == 1 and "cannot read input" in result.output
    good = FIXTURES / "critical_ticket.json"
    assert runner.invoke(policy_group, ["test", str(good), "--now", "yesterday"]).exit_code == 2
    result = runner.invoke(
        policy_group, ["test", str(good), "--policy", str(FIXTURES / "bad_policy.yaml")]
    )
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("source", "fixture", "now", "severity", "tier", "waits"),
    [
        # priority "normal", open since 2023-09-09 (a Saturday): two business days later
        ("zendesk", "zendesk/ticket_show.json", "2023-09-12T12:00:00Z", "Medium", "L3", True),
        # priority 1 (low), last updated 2016-05-18 23:42: silent for over 24 h since; a Low
        # ticket goes no higher than L3 by itself (management "on request"), so nothing is due.
        (
            "freshdesk",
            "freshdesk/ticket_view_include_stats_requester.json",
            "2016-05-20T12:00:00Z",
            "Low",
            "L3",
            False,
        ),
    ],
)
def test_ticket_from_the_desks_own_api_response(
    runner: CliRunner, source: str, fixture: str, now: str, severity: str, tier: str, waits: bool
) -> None:
    path = FIXTURES.parent / fixture
    result = runner.invoke(policy_group, ["test", "--source", source, "--now", now, str(path)])
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert (output["severity"], output["tier"]) == (severity, tier)
    assert output["decisions"]
    assert all(d["key"].startswith(f"{source}:1:") for d in output["decisions"])
    assert (output["next_check_at"] is not None) is waits


def test_check_warns_of_settings_that_do_nothing(runner: CliRunner, tmp_path: Path) -> None:
    text = (FIXTURES.parents[2] / "policies" / "default.yaml").read_text(encoding="utf-8")
    text = text.replace("L3: never, management: on request", "L3: 3d, management: on request")
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(policy_group, ["check", "--no-desks", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning: ignored: management is told only on request" in result.output
    assert "1 warnings" in result.output


def test_ticket_fields_in_a_zendesk_bundle(runner: CliRunner, tmp_path: Path) -> None:
    fields = json.loads((FIXTURES.parent / "zendesk" / "ticket_fields_list.json").read_text())
    bundle = {
        "ticket": {
            "id": 7,
            "subject": "Refund",
            "status": "open",
            "priority": "low",
            "created_at": "2025-03-03T10:00:00Z",
            "updated_at": "2025-03-03T10:00:00Z",
            "custom_fields": [{"id": 360011000001, "value": "1,200.50"}],
        },
        "ticket_fields": fields["ticket_fields"],
    }
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    args = ["test", "--source", "zendesk", "--now", "2025-03-03T10:01:00Z", str(path)]
    result = runner.invoke(policy_group, args)
    assert result.exit_code == 0, result.output
    [escalate] = [d for d in json.loads(result.output)["decisions"] if d["action"] == "escalate"]
    assert (escalate["route"], escalate["tier"]) == ("refund-approval", "L2")


def test_check_warns_of_a_team_without_a_display_name(runner: CliRunner, tmp_path: Path) -> None:
    text = (FIXTURES.parents[2] / "policies" / "default.yaml").read_text(encoding="utf-8")
    text = text.replace("    display_name: Warranty Claims\n", "")
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(policy_group, ["check", "--no-desks", str(path)])
    assert result.exit_code == 0, result.output
    assert "no display_name: messages to customers will call this team “Warranty claims”" in (
        result.output
    )
    clean = runner.invoke(policy_group, ["check", "--no-desks"])
    assert "display_name" not in clean.output  # the shipped policy names every team
