"""``bridge doctor`` against the sandboxes over HTTP: a healthy installation passes, and each
misconfiguration gives its own line with the fix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from bridge.cli.doctor import doctor_command, installation_checks, line, policy_needs
from bridge.config import Settings
from bridge.policy_files import DEFAULT_POLICY_PATH, load_policy
from bridge.worker.integrations import build_integrations
from connectors.base import Check, CheckStatus
from connectors.freshdesk import FreshdeskDesk
from connectors.freshdesk.setup import setup_freshdesk
from connectors.provider import BuildContext
from connectors.zendesk import ZendeskDesk
from connectors.zendesk.setup import setup_zendesk
from policies import parse_policy
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock, make_settings
from tests.connectors.conftest import CONTRACT_START


@pytest.fixture(scope="module")
def world_clock() -> FrozenClock:
    return FrozenClock(CONTRACT_START)


@pytest.fixture(scope="module")
def world(world_clock: FrozenClock) -> Iterator[SandboxWorld]:
    started = SandboxWorld.start(clock=world_clock)
    yield started
    started.stop()


@pytest.fixture
def healthy(
    world: SandboxWorld,
    world_clock: FrozenClock,
    engine: Engine,
    database_url: str,
) -> Iterator[dict[str, str]]:
    """The world's environment once both desks were set up with ``bridge setup``."""
    for service in (world.zendesk, world.freshdesk, world.slack, world.pagerduty):
        service.reset()
    environment = {"DATABASE_URL": database_url, **world.environment()}
    built = build_integrations(Settings.from_env(environment), BuildContext(clock=world_clock))
    zendesk, freshdesk = built.desks["zendesk"], built.desks["freshdesk"]
    assert isinstance(zendesk, ZendeskDesk) and isinstance(freshdesk, FreshdeskDesk)
    setup_zendesk(zendesk, url="https://bridge.example.com")
    setup_freshdesk(freshdesk, url="https://bridge.example.com")
    built.close()
    (hook,) = world.zendesk.webhooks.values()
    environment["ZENDESK_WEBHOOK_SECRET"] = hook["secret"]
    yield environment
    world.slack.scopes.update(("channels:read", "groups:read"))
    world.slack.outside.clear()


def run(environment: dict[str, str], **overrides: str | None) -> dict[str, Check]:
    settings = make_settings(environment["DATABASE_URL"], **{**environment, **overrides})
    return {check.name: check for check in installation_checks(settings)}


def failures(checks: dict[str, Check]) -> list[str]:
    return [line(c) for c in checks.values() if c.status is CheckStatus.FAIL]


def test_a_healthy_installation_passes(healthy: dict[str, str]) -> None:
    checks = run(healthy)
    assert failures(checks) == []
    for name in (
        "database: migrations",
        "policy",
        "zendesk: credentials",
        "zendesk: role",
        "zendesk: webhook",
        "zendesk: webhook secret",
        "zendesk: trigger",
        "zendesk: group senior-support",
        "zendesk: field refund_amount",
        "freshdesk: plan",
        "freshdesk: group warranty-claims",
        "freshdesk: field impact",
        "slack: token",
        "slack: scope channels:read or groups:read",
        "slack: channel #support",
        "pagerduty: PAGERDUTY_ROUTING_KEY",
        "clickup: token",
        "clickup: list 901200001",
        "clickup: webhook secret",
        "clickup: assignees",
    ):
        assert checks[name].status is CheckStatus.OK, name
    assert sum(n.startswith("freshdesk: rule") for n in checks) == 3


def test_an_agent_role_is_a_warning_that_names_the_search_fallback(
    healthy: dict[str, str],
    world: SandboxWorld,
) -> None:
    world.zendesk.set_bridge_role("agent")
    role = run(healthy)["zendesk: role"]
    assert role.status is CheckStatus.WARN and "search export" in role.detail
    assert "admin" in role.fix


def test_a_missing_group(healthy: dict[str, str], world: SandboxWorld) -> None:
    group = next(i for i, g in world.zendesk.groups.items() if g["name"] == "warranty-claims")
    del world.zendesk.groups[group]
    check = run(healthy)["zendesk: group warranty-claims"]
    assert check.status is CheckStatus.FAIL and "no group named" in check.detail


def test_a_channel_the_bot_is_not_in(healthy: dict[str, str], world: SandboxWorld) -> None:
    world.slack.outside.add(world.slack.channel_id("#support-engineering"))
    check = run(healthy)["slack: channel #support-engineering"]
    assert check.status is CheckStatus.FAIL and "not a member" in check.detail
    assert "/invite" in check.fix


def test_a_wrong_webhook_secret(healthy: dict[str, str]) -> None:
    check = run(healthy, ZENDESK_WEBHOOK_SECRET="not-the-webhook-secret")["zendesk: webhook secret"]
    assert check.status is CheckStatus.FAIL and "Reveal secret" in check.fix
    assert "not-the-webhook-secret" not in line(check)


@pytest.mark.parametrize(
    ("overrides", "name", "status", "words"),
    [
        ({"CLICKUP_API_TOKEN": "pk_wrong"}, "clickup: token", CheckStatus.FAIL, "refused"),
        ({"CLICKUP_LIST_ID": "1"}, "clickup: list 1", CheckStatus.FAIL, "cannot be read"),
        ({"CLICKUP_WEBHOOK_SECRET": None}, "clickup: webhook secret", CheckStatus.WARN, "not set"),
        ({"CLICKUP_ASSIGNEES": "ops=999"}, "clickup: assignees", CheckStatus.WARN, "ops"),
    ],
)
def test_clickup_misconfigurations(
    healthy: dict[str, str],
    overrides: dict[str, str | None],
    name: str,
    status: CheckStatus,
    words: str,
) -> None:
    check = run(healthy, **overrides)[name]
    assert check.status is status and words in check.detail and check.fix
    assert "pk_wrong" not in line(check)


def test_a_missing_scope(healthy: dict[str, str], world: SandboxWorld) -> None:
    world.slack.scopes.difference_update(("channels:read", "groups:read"))
    checks = run(healthy)
    scope = checks["slack: scope channels:read or groups:read"]
    assert scope.status is CheckStatus.FAIL and "manifest" in scope.fix
    assert checks["slack: channels"].status is CheckStatus.FAIL


def test_a_missing_trigger_and_a_malformed_routing_key(
    healthy: dict[str, str],
    world: SandboxWorld,
) -> None:
    world.zendesk.triggers.clear()
    checks = run(healthy, PAGERDUTY_ROUTING_KEY="short")
    assert checks["zendesk: trigger"].status is CheckStatus.FAIL
    assert "bridge setup zendesk" in checks["zendesk: trigger"].fix
    assert checks["pagerduty: PAGERDUTY_ROUTING_KEY"].status is CheckStatus.FAIL


def test_the_command_exits_non_zero_on_a_failure_and_sends_a_test_page(
    healthy: dict[str, str],
    world: SandboxWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in healthy.items():
        monkeypatch.setenv(name, value)
    ok = CliRunner().invoke(doctor_command, ["--send-test"])
    assert ok.exit_code == 0, ok.output
    assert "test alert triggered and resolved" in ok.output
    (incident,) = world.pagerduty.incidents_for("escalation-bridge:doctor-test")
    assert incident.status == "resolved"
    monkeypatch.setenv("ZENDESK_WEBHOOK_SECRET", "wrong-webhook-secret")
    bad = CliRunner().invoke(doctor_command, [])
    assert bad.exit_code == 1 and "[FAIL] zendesk: webhook secret" in bad.output


def test_opsgenie_keys_the_policy_names_are_checked_and_a_test_alert_sent(
    healthy: dict[str, str],
    world: SandboxWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {**healthy, **world.opsgenie_environment()}.items():
        monkeypatch.setenv(name, value)
    world.opsgenie.reset()
    ok = CliRunner().invoke(doctor_command, ["--send-test"])
    assert ok.exit_code == 0, ok.output
    assert (
        "opsgenie: OPSGENIE_API_KEY" in ok.output and "test alert created and closed" in ok.output
    )
    (alert,) = world.opsgenie.alerts_for("escalation-bridge:doctor-test")
    assert alert["status"] == "closed"
    monkeypatch.setenv("OPSGENIE_API_KEY", "not-the-key")
    bad = CliRunner().invoke(doctor_command, [])
    assert bad.exit_code == 1 and "[FAIL] opsgenie: OPSGENIE_API_KEY" in bad.output
    assert "not-the-key" not in bad.output


class _Stub:
    name = "stub"

    def diagnose(self, needs: object, *, send_test: bool = False) -> Iterator[Check]:
        yield Check("stub: fine", CheckStatus.OK, "all good")
        yield Check("stub: role", CheckStatus.WARN, "agent", "make it an admin")

    def close(self) -> None:
        pass


def test_the_worker_logs_what_is_not_ok_at_start(caplog: pytest.LogCaptureFixture) -> None:
    from bridge.cli.doctor import warn_at_start
    from bridge.worker.integrations import Integrations

    integrations = Integrations(notifiers={"stub": _Stub()})  # type: ignore[dict-item]
    with caplog.at_level("WARNING"):
        warn_at_start(integrations, load_policy(None))
    assert "stub: role: agent" in caplog.text and "make it an admin" in caplog.text
    assert "stub: fine" not in caplog.text


def test_a_grouping_field_is_one_the_doctor_looks_up() -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    policy = parse_policy(text + "grouping:\n  group_by: [{field: Component}, {tag: outage}]\n")
    assert "Component" in policy_needs(policy.doc).fields
