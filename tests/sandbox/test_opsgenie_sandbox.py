"""The Opsgenie stand-in follows Opsgenie: GenieKey auth, the documented limits, 202 answers
whose outcome is read later, one open alert per alias, ``identifierType`` defaulting to the
id, and Webhook integration deliveries the bridge's inbound reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import request
from requests.structures import CaseInsensitiveDict

from connectors.base import PageChanged
from connectors.opsgenie.inbound import OpsgenieInbound
from sandbox.common import SandboxService, serve
from sandbox.opsgenie import SECRET_HEADER, OpsgenieSandbox

FIXTURES = Path(__file__).parents[1] / "fixtures" / "opsgenie"
KEY = "11111111-2222-3333-4444-555555555555"
SECRET = "webhook-secret-for-tests"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class _Bridge(SandboxService):
    """A stand-in for the bridge's webhook endpoint that records deliveries."""

    name = "bridge"

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[CaseInsensitiveDict[str], bytes]] = []
        self.app.add_url_rule("/webhooks/opsgenie", view_func=self._hook, methods=["POST"])

    def _hook(self) -> tuple[str, int]:
        self.received.append((CaseInsensitiveDict(dict(request.headers)), request.get_data()))
        return "", 202


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[OpsgenieSandbox, _Bridge]]:
    bridge = _Bridge()
    with serve(bridge) as hook:
        genie = OpsgenieSandbox(
            api_keys=(KEY,),
            webhook_url=f"{hook.url}/webhooks/opsgenie",
            webhook_secret=SECRET,
            clock=NOW.timestamp,
        )
        with serve(genie):
            yield genie, bridge


@pytest.fixture
def genie(served: tuple[OpsgenieSandbox, _Bridge]) -> OpsgenieSandbox:
    served[0].reset()
    served[1].received.clear()
    return served[0]


def call(
    genie: OpsgenieSandbox, path: str, body: Any = None, key: str = KEY, **params: str
) -> requests.Response:
    headers = {"Authorization": f"GenieKey {key}"}
    if body is None:
        return requests.get(genie.base_url + path, headers=headers, params=params, timeout=5)
    return requests.post(
        genie.base_url + path, json=body, headers=headers, params=params, timeout=5
    )


def test_the_documented_create_sample_is_accepted_and_processed(genie: OpsgenieSandbox) -> None:
    sample = json.loads((FIXTURES / "create_alert_request.docs_example.json").read_text())
    answer = call(genie, "/v2/alerts", sample)
    expected = json.loads((FIXTURES / "accepted_202.docs_example.json").read_text())
    assert answer.status_code == 202 and set(answer.json()) == set(expected)
    status = call(genie, f"/v2/alerts/requests/{answer.json()['requestId']}").json()["data"]
    documented = json.loads((FIXTURES / "request_status.docs_example.json").read_text())[0]["data"]
    assert set(status) <= set(documented) and status["status"] == "Created alert"


@pytest.mark.parametrize(("key", "status"), [(KEY, 200), ("wrong", 401), ("", 401)])
def test_only_a_known_genie_key_gets_in(genie: OpsgenieSandbox, key: str, status: int) -> None:
    assert call(genie, "/v2/account", key=key).status_code == status


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": ""}, "message"),
        ({"message": "m" * 131}, "message"),
        ({"message": "m", "alias": "a" * 513}, "alias"),
        ({"message": "m", "description": "d" * 15001}, "description"),
        ({"message": "m", "priority": "P0"}, "priority"),
        ({"message": "m", "tags": ["t"] * 21}, "tags"),
        ({"message": "m", "tags": ["t" * 51]}, "tags"),
        ({"message": "m", "details": {"k": "v" * 8000}}, "details"),
        ({"message": "m", "details": {"k": 1}}, "details"),
        ({"message": "m", "user": "u" * 101}, "user"),
    ],
)
def test_limits_are_refused_with_422(
    genie: OpsgenieSandbox, body: dict[str, Any], field: str
) -> None:
    answer = call(genie, "/v2/alerts", body)
    assert answer.status_code == 422 and field in answer.json()["errors"]


def test_one_open_alert_per_alias_and_a_new_one_after_close(genie: OpsgenieSandbox) -> None:
    for _ in range(2):
        call(genie, "/v2/alerts", {"message": "m", "alias": "zendesk:1"})
    assert [a["count"] for a in genie.alerts_for("zendesk:1")] == [2]
    call(genie, "/v2/alerts/zendesk:1/close", {}, identifierType="alias")
    call(genie, "/v2/alerts", {"message": "m", "alias": "zendesk:1"})
    assert [a["status"] for a in genie.alerts_for("zendesk:1")] == ["closed", "open"]


def test_an_alias_without_identifier_type_is_taken_for_an_id(genie: OpsgenieSandbox) -> None:
    call(genie, "/v2/alerts", {"message": "m", "alias": "zendesk:2"})
    answer = call(genie, "/v2/alerts/zendesk:2/acknowledge", {})
    assert answer.status_code == 202  # accepted, then failed
    outcome = call(genie, f"/v2/alerts/requests/{answer.json()['requestId']}").json()["data"]
    assert (outcome["isSuccess"], outcome["status"]) == (False, "Alert does not exist")
    assert genie.alerts_for("zendesk:2")[0]["acknowledged"] is False
    assert call(genie, "/v2/alerts/zendesk:2/notes", {}, identifierType="alias").status_code == 422


def test_deliveries_are_what_the_bridge_reads(
    genie: OpsgenieSandbox, served: tuple[OpsgenieSandbox, _Bridge]
) -> None:
    call(
        genie,
        "/v2/alerts",
        {
            "message": "m",
            "alias": "zendesk:3",
            "user": "Escalation bridge",
            "source": "escalation-bridge",
        },
    )
    [alert] = genie.alerts_for("zendesk:3")
    genie.responder(alert, "Acknowledge", who="olu@example.com")
    inbound = OpsgenieInbound()
    events = []
    for headers, body in served[1].received:
        inbound.verify(headers, body, SECRET, NOW)
        event = inbound.parse(body)
        assert isinstance(event, PageChanged)
        events.append((event.event_type, event.by_integration, event.agent))
    assert events == [("triggered", True, None), ("acknowledged", False, "olu@example.com")]
    assert served[1].received[0][0][SECRET_HEADER] == SECRET


def test_the_page_escapes_alert_text(genie: OpsgenieSandbox) -> None:
    call(genie, "/v2/alerts", {"message": "<script>alert(1)</script>", "alias": "zendesk:4"})
    page = requests.get(genie.base_url + "/", timeout=5).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
