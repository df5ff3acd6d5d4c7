"""``bridge setup intercom`` and ``bridge doctor`` against the Intercom stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.config import Settings
from bridge.worker.integrations import build_integrations
from connectors.base import CheckStatus, PolicyNeeds
from connectors.intercom import IntercomDesk
from connectors.intercom.setup import TOPICS, setup_lines
from connectors.provider import BuildContext
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock


@pytest.fixture
def desk(world: SandboxWorld, world_clock: FrozenClock) -> Iterator[IntercomDesk]:
    world.intercom.reset()
    built = build_integrations(
        Settings.from_env(world.environment()), BuildContext(clock=world_clock)
    )
    desk = built.desks["intercom"]
    assert isinstance(desk, IntercomDesk)
    yield desk
    built.close()


def test_setup_prints_the_webhook_to_configure(desk: IntercomDesk) -> None:
    lines = "\n".join(setup_lines(desk, url="https://bridge.example/"))
    assert "endpoint URL: https://bridge.example/webhooks/intercom" in lines
    assert all(topic in lines for topic in TOPICS)
    assert "Escalation Bridge <bridge@example.com>" in lines
    assert "INTERCOM_CLIENT_SECRET to it (set)" in lines


def test_doctor_checks_the_admin_teams_and_attributes(desk: IntercomDesk) -> None:
    needs = PolicyNeeds(
        groups=frozenset({"senior-support", "nobody"}),
        agents=frozenset({"lead@example.com"}),
        fields=frozenset({"refund_amount", "Priority reason"}),
    )
    found = {c.name: c.status for c in desk.diagnose(needs)}
    assert found["intercom: credentials"] is CheckStatus.OK
    assert found["intercom: admin"] is CheckStatus.OK
    assert found["intercom: group senior-support"] is CheckStatus.OK
    assert found["intercom: group nobody"] is CheckStatus.FAIL
    assert found["intercom: agent lead@example.com"] is CheckStatus.OK
    assert found["intercom: field refund_amount"] is CheckStatus.OK
    assert found["intercom: field Priority reason"] is CheckStatus.FAIL


@pytest.mark.parametrize(
    ("override", "check", "says"),
    [
        (
            {"INTERCOM_ACCESS_TOKEN": "wrong-token"},
            "intercom: credentials",
            "INTERCOM_ACCESS_TOKEN",
        ),
        ({"INTERCOM_CLIENT_SECRET": ""}, "intercom: webhook secret", "answers 404"),
        ({"INTERCOM_ADMIN_ID": "424242"}, "intercom: admin", "not an admin"),
    ],
)
def test_each_misconfiguration_gives_its_line(
    world: SandboxWorld,
    world_clock: FrozenClock,
    override: dict[str, str],
    check: str,
    says: str,
) -> None:
    built = build_integrations(
        Settings.from_env({**world.environment(), **override}), BuildContext(clock=world_clock)
    )
    try:
        found = {c.name: c for c in built.desks["intercom"].diagnose(PolicyNeeds())}  # type: ignore[attr-defined]
    finally:
        built.close()
    assert (
        found[check].status is CheckStatus.FAIL and says in found[check].detail + found[check].fix
    )
    assert "wrong-token" not in " ".join(c.detail + c.fix for c in found.values())
