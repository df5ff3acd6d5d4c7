from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import request
from requests.structures import CaseInsensitiveDict

from connectors.base import PageChanged
from connectors.pagerduty.inbound import PagerDutyInbound
from sandbox.common import Fault, SandboxService, serve
from sandbox.pagerduty import PagerDutySandbox, local_tls

FIXTURES = Path(__file__).parents[1] / "fixtures" / "pagerduty"
KEY = "0123456789abcdef0123456789abcdef"
SECRET = "webhook-secret-for-tests"
NOW = datetime.now(UTC)


def parse(body: bytes) -> PageChanged:
    event = PagerDutyInbound().parse(body)
    assert isinstance(event, PageChanged)
    return event


def status_of(body: bytes) -> str:
    return str(json.loads(body)["event"]["data"]["status"])


class _Bridge(SandboxService):
    """A stand-in for the bridge's webhook endpoint that records deliveries."""

    name = "bridge"

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.app.add_url_rule("/webhooks/pagerduty", view_func=self._receive, methods=["POST"])

    def _receive(self) -> tuple[str, int]:
        self.received.append((request.get_data(), dict(request.headers)))
        return "", 202


@dataclass
class Rig:
    sandbox: PagerDutySandbox
    url: str
    ca_file: str
    bridge: _Bridge


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    tls = local_tls(tmp_path_factory.mktemp("tls"))
    bridge = _Bridge()
    with serve(bridge) as bridge_served:
        sandbox = PagerDutySandbox(
            webhook_url=bridge_served.url + "/webhooks/pagerduty", webhook_secret=SECRET
        )
        with serve(sandbox, ssl_context=tls.server_context) as pd_served:
            yield Rig(sandbox, pd_served.url, tls.ca_file, bridge)


@pytest.fixture
def pd(served: Rig) -> Rig:
    served.sandbox.reset()
    served.bridge.received.clear()
    return served


def enqueue(rig: Rig, body: Any) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(rig.url + "/v2/enqueue", data=data, verify=rig.ca_file, timeout=5)


def trigger(key: str = "zendesk:1", **payload: Any) -> dict[str, Any]:
    fields = {"summary": "Checkout fails", "source": "bridge", "severity": "critical", **payload}
    return {"routing_key": KEY, "event_action": "trigger", "dedup_key": key, "payload": fields}


def test_accepted_event_matches_the_documented_202(pd: Rig) -> None:
    answer = enqueue(pd, trigger())
    documented = json.loads((FIXTURES / "events_v2_202_response.openapi_example.json").read_text())
    assert answer.status_code == 202
    assert answer.json() == {**documented, "dedup_key": "zendesk:1"}


def test_trigger_without_dedup_key_gets_a_generated_one(pd: Rig) -> None:
    body = trigger()
    del body["dedup_key"]
    first, second = enqueue(pd, body).json(), enqueue(pd, body).json()
    assert first["dedup_key"] != second["dedup_key"]
    assert len(pd.sandbox.incidents) == 2


def test_the_documented_openapi_example_is_accepted(pd: Rig) -> None:
    example = json.loads((FIXTURES / "events_v2_trigger_request.openapi_example.json").read_text())
    assert enqueue(pd, example).status_code == 202


def test_short_routing_key_gives_the_recorded_400(pd: Rig) -> None:
    answer = enqueue(pd, {**trigger(), "routing_key": "short"})
    recorded = json.loads((FIXTURES / "events_v2_400_response.alertmanager_test.json").read_text())
    assert answer.status_code == 400 and answer.json() == recorded


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (trigger(summary=""), "'payload.summary' is missing"),
        (trigger(source=None), "'payload.source' is missing"),
        (trigger(severity=None), "'payload.severity' is missing"),
        (trigger(severity="fatal"), "'payload.severity' is invalid"),
        (trigger(summary="x" * 1025), "'payload.summary' is too long"),
        (trigger(key="k" * 256), "'dedup_key'"),
        ({"routing_key": KEY, "event_action": "resolve"}, "'dedup_key' is missing"),
        ({"routing_key": KEY, "event_action": "explode", "dedup_key": "a"}, "'event_action'"),
    ],
)
def test_invalid_events_are_rejected(pd: Rig, body: dict[str, Any], error: str) -> None:
    answer = enqueue(pd, body)
    assert answer.status_code == 400
    assert answer.json()["status"] == "invalid event"
    assert any(error in e for e in answer.json()["errors"])
    assert pd.sandbox.incidents == []


def test_unparseable_body(pd: Rig) -> None:
    answer = enqueue(pd, b"{nope")
    assert answer.status_code == 400 and answer.json()["errors"] == ["JSON parse error"]


def test_follow_ups_need_the_same_routing_key(pd: Rig) -> None:
    enqueue(pd, trigger())
    other_key = "f" * 32
    enqueue(pd, {"routing_key": other_key, "event_action": "resolve", "dedup_key": "zendesk:1"})
    assert pd.sandbox.open_incident("zendesk:1") is not None and len(pd.sandbox.dropped) == 1


@pytest.mark.parametrize(("status", "retry_after"), [(429, 30), (500, None), (503, None)])
def test_faults_are_injectable(pd: Rig, status: int, retry_after: int | None) -> None:
    pd.sandbox.faults.inject("enqueue", Fault(status=status, retry_after=retry_after))
    answer = enqueue(pd, trigger())
    assert answer.status_code == status
    assert answer.headers.get("Retry-After") == (str(retry_after) if retry_after else None)
    assert enqueue(pd, trigger()).status_code == 202


@pytest.mark.parametrize(
    ("event_type", "status"),
    [("incident.acknowledged", "acknowledged"), ("incident.resolved", "resolved")],
)
def test_responder_actions_send_signed_webhooks(pd: Rig, event_type: str, status: str) -> None:
    sandbox, bridge = pd.sandbox, pd.bridge
    enqueue(pd, trigger("freshdesk:45"))
    incident = sandbox.open_incident("freshdesk:45")
    assert incident is not None
    answer = sandbox.act(incident, event_type, agent="Ben")
    assert answer is not None and answer.status_code == 202

    body, headers = bridge.received[-1]
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Pagerduty-Signature"], f"v1={digest}")
    PagerDutyInbound().verify(CaseInsensitiveDict(headers), body, SECRET, NOW)  # as the bridge
    assert headers["X-Webhook-Id"]
    event = parse(body)
    assert (event.event_type, status_of(body), event.incident_key) == (
        event_type.removeprefix("incident."),
        status,
        "freshdesk:45",
    )
    assert (event.incident_id, event.agent) == (incident.id, "Ben")


def test_annotation_webhook_carries_the_note(pd: Rig) -> None:
    sandbox, bridge = pd.sandbox, pd.bridge
    enqueue(pd, trigger())
    incident = sandbox.open_incident("zendesk:1")
    assert incident is not None
    sandbox.act(incident, "incident.annotated", note="Rolled back the deploy")
    event = parse(bridge.received[-1][0])
    assert (event.event_type, event.note, event.incident_id) == (
        "annotated",
        "Rolled back the deploy",
        incident.id,
    )


def test_webhook_bodies_have_the_recorded_shape(pd: Rig) -> None:
    sandbox, bridge = pd.sandbox, pd.bridge
    enqueue(pd, trigger())
    incident = sandbox.open_incident("zendesk:1")
    assert incident is not None
    sandbox.act(incident, "incident.acknowledged")
    sent = json.loads(bridge.received[-1][0])["event"]
    recorded = json.loads((FIXTURES / "webhook_v3_incident_acknowledged.raw.json").read_bytes())
    assert set(sent) == set(recorded["event"])
    assert set(sent["data"]) == set(recorded["event"]["data"])


def test_page_lists_incidents_and_acts(pd: Rig) -> None:
    sandbox, url, ca_file, bridge = pd.sandbox, pd.url, pd.ca_file, pd.bridge
    enqueue(pd, trigger(summary="Checkout <fails>"))
    page = requests.get(url + "/", verify=ca_file, timeout=5).text
    assert "Checkout &lt;fails&gt;" in page and "zendesk:1" in page
    incident = sandbox.incidents[0]
    form = {"id": incident.id, "event_type": "incident.resolved"}
    answer = requests.post(
        url + "/act", data=form, verify=ca_file, timeout=5, allow_redirects=False
    )
    assert answer.status_code == 303 and incident.status == "resolved"
    assert status_of(bridge.received[-1][0]) == "resolved"


def test_plain_http_clients_are_refused_by_tls(pd: Rig) -> None:
    url = pd.url
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url + "/", timeout=5)  # the sandbox CA is not trusted by default
