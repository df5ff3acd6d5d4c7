"""``bridge doctor``'s Opsgenie lines against the stand-in: each key the policy names is set
and accepted; ``--send-test`` creates a test alert, reads its outcome and closes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import CheckStatus, PolicyNeeds
from connectors.opsgenie.client import OpsgenieClient
from connectors.opsgenie.doctor import TEST_ALIAS, diagnose
from sandbox.common import Fault, serve
from sandbox.opsgenie import OpsgenieSandbox

KEY = "11111111-2222-3333-4444-555555555555"
KEYS = {"OPSGENIE_API_KEY": KEY, "OPSGENIE_KEY_WRONG": "wrong"}
NEEDS = PolicyNeeds(opsgenie_keys=frozenset({"OPSGENIE_KEY_WRONG", "OPSGENIE_KEY_UNSET"}))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[OpsgenieSandbox]:
    service = OpsgenieSandbox(api_keys=(KEY,))
    with serve(service):
        yield service


@pytest.fixture
def client(sandbox: OpsgenieSandbox) -> Iterator[OpsgenieClient]:
    sandbox.reset()
    made = OpsgenieClient(KEYS.get, base_url=sandbox.base_url)
    yield made
    made.close()


def checks(
    client: OpsgenieClient, *, send_test: bool = False
) -> dict[str, tuple[CheckStatus, str]]:
    found = diagnose(client, NEEDS, send_test=send_test, sleep=lambda _: None)
    return {c.name: (c.status, c.detail) for c in found}


def test_each_named_key_gets_its_line(client: OpsgenieClient) -> None:
    found = checks(client)
    assert found["opsgenie: OPSGENIE_API_KEY"] == (CheckStatus.OK, "key accepted (account sandbox)")
    assert found["opsgenie: OPSGENIE_KEY_UNSET"] == (CheckStatus.FAIL, "not set")
    status, detail = found["opsgenie: OPSGENIE_KEY_WRONG"]
    assert status is CheckStatus.FAIL and "401" in detail and "wrong" not in detail.split("(")[0]


def test_an_integration_key_without_account_access_is_still_accepted(
    client: OpsgenieClient, sandbox: OpsgenieSandbox
) -> None:
    sandbox.faults.inject("account", Fault(status=403, body={"message": "no access"}))
    status, detail = checks(client)["opsgenie: OPSGENIE_API_KEY"]
    assert status is CheckStatus.OK and "no account access" in detail


def test_send_test_creates_and_closes_a_test_alert(
    client: OpsgenieClient, sandbox: OpsgenieSandbox
) -> None:
    found = checks(client, send_test=True)
    assert found["opsgenie: OPSGENIE_API_KEY"] == (CheckStatus.OK, "test alert created and closed")
    [alert] = sandbox.alerts_for(TEST_ALIAS)
    assert (alert["priority"], alert["status"]) == ("P5", "closed")


def test_send_test_reports_an_alert_opsgenie_refused(
    client: OpsgenieClient, sandbox: OpsgenieSandbox
) -> None:
    sandbox.faults.inject("create", Fault(status=422, body={"message": "bad"}))
    status, detail = checks(client, send_test=True)["opsgenie: OPSGENIE_API_KEY"]
    assert status is CheckStatus.FAIL and "422" in detail
