"""The Freshdesk sandbox speaks the recorded wire shapes and calls webhooks like Freshdesk."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from flask import request

from connectors.freshdesk.inbound import FreshdeskInbound
from sandbox.common import SandboxService, serve
from sandbox.freshdesk import FreshdeskSandbox


class Receiver(SandboxService):
    name = "receiver"

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[str | None, bytes]] = []

        @self.app.post("/webhooks/freshdesk")
        def receive() -> tuple[str, int]:
            credentials = request.authorization
            self.received.append(
                (credentials.password if credentials else None, request.get_data())
            )
            return "", 202


@pytest.fixture(scope="module")
def sandbox() -> Iterator[FreshdeskSandbox]:
    service = FreshdeskSandbox()
    with serve(service):
        yield service


def test_webhook_uses_basic_auth_and_the_automation_shape(sandbox: FreshdeskSandbox) -> None:
    receiver = Receiver()
    ticket = sandbox.create_ticket("Help", priority=4, status=3)
    with serve(receiver) as served:
        answer = sandbox.deliver_webhook(f"{served.url}/webhooks/freshdesk", ticket, "s3cret")
    assert answer.status_code == 202
    ((password, body),) = receiver.received
    assert password == "s3cret"
    inner = json.loads(body)["freshdesk_webhook"]
    assert (inner["ticket_status"], inner["ticket_priority"]) == ("Pending", "Urgent")
    assert FreshdeskInbound().parse(body).ticket_id == str(ticket)


def test_api_key_auth_and_link_pagination(sandbox: FreshdeskSandbox) -> None:
    for i in range(3):
        sandbox.create_ticket(f"t{i}")
    url = f"{sandbox.base_url}/api/v2/tickets"
    assert requests.get(url, auth=("wrong", "X"), timeout=5).status_code == 401
    first = requests.get(url, params={"per_page": 2}, auth=(sandbox.api_key, "X"), timeout=5)
    assert len(first.json()) == 2
    next_url = first.links["next"]["url"]
    assert next_url.startswith(sandbox.base_url) and "page=2" in next_url
    second = requests.get(next_url, auth=(sandbox.api_key, "X"), timeout=5)
    assert second.json() and "next" not in second.links


def test_notes_and_replies_shapes(sandbox: FreshdeskSandbox) -> None:
    ticket = sandbox.create_ticket("Help")
    base = f"{sandbox.base_url}/api/v2/tickets/{ticket}"
    key = (sandbox.api_key, "X")
    note = requests.post(f"{base}/notes", json={"body": "<p>inside</p>"}, auth=key, timeout=5)
    reply = requests.post(f"{base}/reply", json={"body": "<p>hi</p>"}, auth=key, timeout=5)
    assert (note.status_code, note.json()["private"], note.json()["body_text"]) == (
        201,
        True,
        "inside",
    )
    assert (reply.json()["private"], reply.json()["source"]) == (False, 0)
    assert requests.post(f"{base}/notes", json={}, auth=key, timeout=5).status_code == 400
    page = requests.get(f"{sandbox.base_url}/", timeout=5).text
    assert "inside" in page and "hi" in page


def test_page_beyond_the_cap_is_rejected(sandbox: FreshdeskSandbox) -> None:
    answer = requests.get(
        f"{sandbox.base_url}/api/v2/tickets",
        params={"page": 301},
        auth=(sandbox.api_key, "X"),
        timeout=5,
    )
    assert answer.status_code == 400


def test_groups_and_agents_wire_shapes(sandbox: FreshdeskSandbox) -> None:
    sandbox.reset()
    key = (sandbox.api_key, "X")
    groups = requests.get(f"{sandbox.base_url}/api/v2/groups", auth=key, timeout=5).json()
    assert {"frontline", "senior-support", "customer-success"} <= {g["name"] for g in groups}
    assert set(groups[0]) >= {"id", "name", "description", "agent_ids"}
    agents = requests.get(
        f"{sandbox.base_url}/api/v2/agents",
        params={"email": "lead@example.com"},
        auth=key,
        timeout=5,
    ).json()
    assert [(a["id"], a["contact"]["email"]) for a in agents] == [
        (sandbox.lead_agent_id, "lead@example.com")
    ]
    me = requests.get(f"{sandbox.base_url}/api/v2/agents/me", auth=key, timeout=5).json()
    assert me["id"] == sandbox.agent_id and me["contact"]["name"] == "Escalation Bridge"


def test_update_with_unknown_group_or_agent_is_a_validation_error(
    sandbox: FreshdeskSandbox,
) -> None:
    sandbox.reset()
    ticket = sandbox.create_ticket("Help")
    answer = requests.put(
        f"{sandbox.base_url}/api/v2/tickets/{ticket}",
        json={"group_id": 7, "responder_id": 8},
        auth=(sandbox.api_key, "X"),
        timeout=5,
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["description"] == "Validation failed"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("group_id", "invalid_value"),
        ("responder_id", "invalid_value"),
    ]
    assert sandbox.tickets[ticket]["group_id"] is None
