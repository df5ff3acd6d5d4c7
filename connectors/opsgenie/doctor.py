"""``bridge doctor`` for Opsgenie: every API key the policy names is set and accepted by the
configured endpoint (``GET /v2/account``); with ``--send-test``, a P5 test alert is created,
its asynchronous outcome read back, and the alert closed by its alias."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from connectors.base import Check, CheckStatus, ConnectorError, PolicyNeeds
from connectors.opsgenie.builders import BRIDGE_SOURCE, BRIDGE_USER, build_action
from connectors.opsgenie.client import OpsgenieClient
from connectors.opsgenie.settings import API_KEY

TEST_ALIAS = "escalation-bridge:doctor-test"
STATUS_POLLS = 5  # Opsgenie processes requests within seconds; read the outcome this often
POLL_PAUSE_SECONDS = 1.0


def diagnose(
    client: OpsgenieClient,
    needs: PolicyNeeds,
    *,
    send_test: bool,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Check]:
    for variable in sorted(needs.opsgenie_keys | {API_KEY}):
        label = f"opsgenie: {variable}"
        if not client.api_key(variable):
            yield Check(label, CheckStatus.FAIL, "not set", f"set {variable} to an API key")
            continue
        reached = _reach(client, variable)
        if reached.status is not CheckStatus.OK or not send_test:
            yield reached
            continue
        yield _send_test(client, variable, sleep)


def _reach(client: OpsgenieClient, variable: str) -> Check:
    label = f"opsgenie: {variable}"
    try:
        account = client.account(variable)
    except ConnectorError as exc:
        if exc.status == 403:
            # An API integration's key may not read the account: it was still recognised.
            return Check(label, CheckStatus.OK, "key accepted (no account access, as usual)")
        fix = "check the key, and OPSGENIE_API_URL for an EU account (api.eu.opsgenie.com)"
        return Check(label, CheckStatus.FAIL, f"not accepted: {exc}", fix)
    name = str(account.get("name") or "")
    return Check(label, CheckStatus.OK, "key accepted" + (f" (account {name})" if name else ""))


def _send_test(client: OpsgenieClient, variable: str, sleep: Callable[[float], None]) -> Check:
    label = f"opsgenie: {variable}"
    try:
        request_id = client.create(variable, test_alert())
        outcome = _outcome(client, variable, request_id, sleep)
        client.close_alert(variable, TEST_ALIAS, build_action("bridge doctor: test over"))
    except ConnectorError as exc:
        return Check(label, CheckStatus.FAIL, f"test alert failed: {exc}", "check the key")
    if outcome is None:
        return Check(
            label,
            CheckStatus.WARN,
            "test alert accepted, its outcome not known yet",
            "look for it in Opsgenie's alert list",
        )
    if not outcome.get("isSuccess"):
        status = str(outcome.get("status") or "refused")
        return Check(label, CheckStatus.FAIL, f"test alert not created: {status}", "check the key")
    return Check(label, CheckStatus.OK, "test alert created and closed")


def _outcome(
    client: OpsgenieClient, variable: str, request_id: str, sleep: Callable[[float], None]
) -> dict[str, Any] | None:
    for _ in range(STATUS_POLLS):
        found = client.request_status(variable, request_id)
        if found is not None:
            return found
        sleep(POLL_PAUSE_SECONDS)
    return None


def test_alert() -> dict[str, Any]:
    return {
        "message": "Escalation bridge test alert (bridge doctor --send-test); closed at once",
        "alias": TEST_ALIAS,
        "description": "Sent by `bridge doctor --send-test` to prove the API key works.",
        "priority": "P5",
        "source": BRIDGE_SOURCE,
        "user": BRIDGE_USER,
        "tags": [BRIDGE_SOURCE, "test"],
    }
