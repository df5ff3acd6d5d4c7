"""``bridge setup salesforce`` and ``bridge doctor`` against the stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import CheckStatus, PolicyNeeds
from connectors.salesforce import SalesforceDesk
from connectors.salesforce.setup import setup_lines
from sandbox.salesforce.wire import ORG_ID
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START
from tests.connectors.salesforce.test_client import build


@pytest.fixture
def desk(world: SandboxWorld, world_clock: FrozenClock) -> Iterator[SalesforceDesk]:
    world_clock.now = CONTRACT_START
    world.salesforce.reset()
    made = build(world, world_clock)
    yield made
    made.close()


def test_setup_prints_the_outbound_message_to_create(desk: SalesforceDesk) -> None:
    text = "\n".join(desk_lines(desk))
    assert f"org {ORG_ID}" in text and "SALESFORCE_ORG_ID 00D5e000000KQ2eEAG: matches" in text
    assert "https://bridge.example.com/webhooks/salesforce" in text
    assert "Id, LastModifiedById, SystemModstamp" in text


def desk_lines(desk: SalesforceDesk) -> list[str]:
    return setup_lines(desk, url="https://bridge.example.com/")


def test_doctor_checks_sign_in_org_budget_and_what_the_policy_names(
    desk: SalesforceDesk,
) -> None:
    needs = PolicyNeeds(
        groups=frozenset({"senior-support", "no-such-queue"}),
        agents=frozenset({"lead@example.com"}),
        fields=frozenset({"Refund amount", "Warranty code"}),
    )
    checks = {c.name: c.status for c in desk.diagnose(needs)}
    assert checks["salesforce: credentials"] is CheckStatus.OK
    assert checks["salesforce: API requests"] is CheckStatus.OK
    assert checks["salesforce: group senior-support"] is CheckStatus.OK
    assert checks["salesforce: group no-such-queue"] is CheckStatus.FAIL
    assert checks["salesforce: agent lead@example.com"] is CheckStatus.OK
    assert checks["salesforce: field Refund amount"] is CheckStatus.OK
    assert checks["salesforce: field Warranty code"] is CheckStatus.FAIL
    assert "salesforce: outbound messages" not in checks  # the org id matches


def test_doctor_says_when_the_org_id_is_another_orgs(
    world: SandboxWorld, world_clock: FrozenClock
) -> None:
    desk = build(world, world_clock, SALESFORCE_ORG_ID="00D000000000001AAA")
    try:
        [check] = [c for c in desk.diagnose(PolicyNeeds()) if "outbound" in c.name]
        assert check.status is CheckStatus.FAIL and ORG_ID in check.fix
    finally:
        desk.close()
