"""The Alert API sender against the stand-in over HTTP: the key in ``GenieKey``, alerts
addressed by alias, asynchronous outcomes read back, failures typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import AuthError, PermanentError, RetryableError
from connectors.opsgenie.builders import build_action
from connectors.opsgenie.client import RATE_LIMIT_WAIT, OpsgenieClient
from sandbox.common import Fault, serve
from sandbox.opsgenie import OpsgenieSandbox

KEY = "11111111-2222-3333-4444-555555555555"
KEYS = {"OPSGENIE_API_KEY": KEY, "OPSGENIE_KEY_WRONG": "not-a-key"}
ALERT = {"message": "Checkout down", "alias": "zendesk:4821", "priority": "P1"}


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


def test_create_then_act_by_alias(client: OpsgenieClient, sandbox: OpsgenieSandbox) -> None:
    request_id = client.create("OPSGENIE_API_KEY", ALERT)
    assert client.request_status("OPSGENIE_API_KEY", request_id) == sandbox.requests[request_id]
    client.create("OPSGENIE_API_KEY", ALERT)  # a second page: the same alert, counted
    client.acknowledge("OPSGENIE_API_KEY", "zendesk:4821", build_action())
    client.add_note("OPSGENIE_API_KEY", "zendesk:4821", build_action("looking"))
    client.close_alert("OPSGENIE_API_KEY", "zendesk:4821", build_action())
    [alert] = sandbox.alerts_for("zendesk:4821")
    assert (alert["count"], alert["acknowledged"], alert["status"]) == (2, True, "closed")
    acted = [s for s in sandbox.seen if "/v2/alerts/zendesk" in s.path]
    assert [s.path for s in acted] == [
        "/v2/alerts/zendesk:4821/acknowledge",
        "/v2/alerts/zendesk:4821/notes",
        "/v2/alerts/zendesk:4821/close",
    ]
    assert all(s.query == {"identifierType": "alias"} for s in acted)
    assert all(s.headers["Authorization"] == f"GenieKey {KEY}" for s in sandbox.seen)


def test_an_action_on_a_missing_alert_is_accepted_and_fails_later(client: OpsgenieClient) -> None:
    request_id = client.acknowledge("OPSGENIE_API_KEY", "zendesk:404", build_action())
    outcome = client.request_status("OPSGENIE_API_KEY", request_id)
    assert outcome is not None
    assert (outcome["isSuccess"], outcome["status"]) == (False, "Alert does not exist")


def test_an_unprocessed_request_has_no_outcome_yet(client: OpsgenieClient) -> None:
    assert client.request_status("OPSGENIE_API_KEY", "not-yet") is None


def test_a_wrong_or_missing_key_names_its_variable_never_the_key(client: OpsgenieClient) -> None:
    with pytest.raises(AuthError) as wrong:
        client.create("OPSGENIE_KEY_WRONG", ALERT)
    assert "OPSGENIE_KEY_WRONG" in str(wrong.value) and "not-a-key" not in str(wrong.value)
    with pytest.raises(AuthError, match="OPSGENIE_KEY_UNSET is not set"):
        client.create("OPSGENIE_KEY_UNSET", ALERT)


def test_refused_bodies_are_permanent(client: OpsgenieClient) -> None:
    with pytest.raises(PermanentError, match="message") as refused:
        client.create("OPSGENIE_API_KEY", {"message": "x" * 131})
    assert refused.value.status == 422


@pytest.mark.parametrize(("period", "expected"), [(None, RATE_LIMIT_WAIT), (3, 3.0)])
def test_rate_limits_wait_as_long_as_opsgenie_says(
    client: OpsgenieClient, sandbox: OpsgenieSandbox, period: float | None, expected: float
) -> None:
    sandbox.rate_limit(period=period)
    with pytest.raises(RetryableError) as busy:
        client.create("OPSGENIE_API_KEY", ALERT)
    assert (busy.value.status, busy.value.retry_after) == (429, expected)


def test_a_retry_after_wins(client: OpsgenieClient, sandbox: OpsgenieSandbox) -> None:
    sandbox.faults.inject("create", Fault(status=429, retry_after=7))
    with pytest.raises(RetryableError) as busy:
        client.create("OPSGENIE_API_KEY", ALERT)
    assert busy.value.retry_after == 7


def test_outages_are_retried(client: OpsgenieClient, sandbox: OpsgenieSandbox) -> None:
    sandbox.faults.inject("create", Fault(status=503))
    with pytest.raises(RetryableError):
        client.create("OPSGENIE_API_KEY", ALERT)
    unreachable = OpsgenieClient(KEYS.get, base_url="http://127.0.0.1:9")
    with pytest.raises(RetryableError, match="unreachable"):
        unreachable.create("OPSGENIE_API_KEY", ALERT)


def test_the_account_proves_the_key(client: OpsgenieClient) -> None:
    assert client.account("OPSGENIE_API_KEY")["name"] == "sandbox"
