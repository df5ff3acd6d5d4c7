"""``bridge setup helpscout`` and ``bridge doctor`` against the Help Scout stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.config import Settings
from bridge.worker.integrations import build_integrations
from connectors.base import CheckStatus, PolicyNeeds
from connectors.helpscout import HelpScoutDesk
from connectors.helpscout.setup import EVENTS, setup_lines
from connectors.provider import BuildContext
from sandbox.world import HELPSCOUT_WEBHOOK_SECRET, SandboxWorld
from tests.conftest import FrozenClock


def built_desk(world: SandboxWorld, clock: FrozenClock, **env: str) -> Iterator[HelpScoutDesk]:
    integrations = build_integrations(
        Settings.from_env({**world.environment(), **env}), BuildContext(clock=clock)
    )
    desk = integrations.desks["helpscout"]
    assert isinstance(desk, HelpScoutDesk)
    yield desk
    integrations.close()


@pytest.fixture
def desk(world: SandboxWorld, world_clock: FrozenClock) -> Iterator[HelpScoutDesk]:
    world.helpscout.reset()
    yield from built_desk(world, world_clock)


def test_setup_creates_the_webhook_once(desk: HelpScoutDesk, world: SandboxWorld) -> None:
    first = "\n".join(setup_lines(desk, url="https://bridge.example/"))
    again = "\n".join(setup_lines(desk, url="https://bridge.example"))
    [hook] = world.helpscout.webhooks
    assert hook["url"] == "https://bridge.example/webhooks/helpscout"
    assert hook["secret"] == HELPSCOUT_WEBHOOK_SECRET and hook["payloadVersion"] == "V2"
    assert set(hook["events"]) == set(EVENTS)
    assert "created webhook" in first and "already sends to" in again
    assert "Escalation Bridge <bridge@example.com>" in first
    assert HELPSCOUT_WEBHOOK_SECRET not in first + again


def test_setup_dry_run_creates_nothing(desk: HelpScoutDesk, world: SandboxWorld) -> None:
    lines = setup_lines(desk, url="https://bridge.example", dry_run=True)
    assert any(line.startswith("would create") for line in lines)
    assert world.helpscout.webhooks == []


def test_setup_without_a_secret_says_to_choose_one(
    world: SandboxWorld, world_clock: FrozenClock
) -> None:
    world.helpscout.reset()
    for desk in built_desk(world, world_clock, HELPSCOUT_WEBHOOK_SECRET=""):
        lines = setup_lines(desk, url="https://bridge.example")
        assert any("HELPSCOUT_WEBHOOK_SECRET is NOT set" in line for line in lines)
        assert world.helpscout.webhooks == []


def test_doctor_checks_credentials_webhook_mailboxes_users_and_fields(
    desk: HelpScoutDesk,
) -> None:
    needs = PolicyNeeds(
        groups=frozenset({"senior-support", "nobody"}),
        agents=frozenset({"lead@example.com"}),
        fields=frozenset({"refund_amount", "Priority reason"}),
    )
    found = {c.name: c.status for c in desk.diagnose(needs)}
    assert found["helpscout: credentials"] is CheckStatus.OK
    assert found["helpscout: webhook"] is CheckStatus.WARN
    assert found["helpscout: group senior-support"] is CheckStatus.OK
    assert found["helpscout: group nobody"] is CheckStatus.FAIL
    assert found["helpscout: agent lead@example.com"] is CheckStatus.OK
    assert found["helpscout: field refund_amount"] is CheckStatus.OK
    assert found["helpscout: field Priority reason"] is CheckStatus.FAIL
    setup_lines(desk, url="https://bridge.example")
    again = {c.name: c.status for c in desk.diagnose(PolicyNeeds())}
    assert again["helpscout: webhook"] is CheckStatus.OK


def test_doctor_names_the_variables_when_the_app_is_refused(
    world: SandboxWorld, world_clock: FrozenClock
) -> None:
    for desk in built_desk(world, world_clock, HELPSCOUT_APP_SECRET="wrong-app-secret"):
        [check] = list(desk.diagnose(PolicyNeeds()))
        assert check.status is CheckStatus.FAIL and "HELPSCOUT_APP_SECRET" in check.fix
        assert "wrong-app-secret" not in check.detail
