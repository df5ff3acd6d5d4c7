"""The Zendesk sandbox speaks the recorded wire shapes and signs webhooks like Zendesk."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import request

from connectors.zendesk.inbound import ZendeskInbound
from sandbox.common import SandboxService, serve
from sandbox.seed import SEEDED_GROUPS
from sandbox.zendesk import ZendeskSandbox, sign

SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="


class Receiver(SandboxService):
    name = "receiver"

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[dict[str, str], bytes]] = []

        @self.app.post("/webhooks/zendesk")
        def receive() -> tuple[str, int]:
            self.received.append((dict(request.headers), request.get_data()))
            return "", 202


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ZendeskSandbox]:
    service = ZendeskSandbox()
    with serve(service):
        yield service


def auth(sandbox: ZendeskSandbox) -> tuple[str, str]:
    return (f"{sandbox.email}/token", sandbox.token)


def test_signature_matches_the_documented_vector() -> None:
    body = b'{"ticket_id":"35436","status":"open"}'
    assert sign(SECRET, "2023-09-18T23:38:13Z", body) == (
        "KBEbS1MSleygONC9S8Et5/ZYoYoBb6GQ0rvj3lvV71I="
    )


def test_webhook_delivery_is_signed_over_timestamp_and_raw_body(sandbox: ZendeskSandbox) -> None:
    receiver = Receiver()
    with serve(receiver) as served:
        ticket = sandbox.create_ticket("Help")
        answer = sandbox.deliver_webhook(
            f"{served.url}/webhooks/zendesk", {"ticket_id": str(ticket)}, SECRET
        )
    assert answer.status_code == 202
    ((headers, body),) = receiver.received
    timestamp = headers["X-Zendesk-Webhook-Signature-Timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", timestamp)
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    ).decode()
    assert headers["X-Zendesk-Webhook-Signature"] == expected
    assert headers["X-Zendesk-Webhook-Invocation-Id"]
    assert ZendeskInbound().parse(body).ticket_id == str(ticket)


def test_bad_credentials_get_401_and_calls_are_counted(sandbox: ZendeskSandbox) -> None:
    ticket = sandbox.create_ticket("Help")
    url = f"{sandbox.base_url}/api/v2/tickets/{ticket}.json"
    before = sandbox.calls["tickets.show"]
    assert requests.get(url, auth=("x/token", "nope"), timeout=5).status_code == 401
    body: dict[str, Any] = requests.get(url, auth=auth(sandbox), timeout=5).json()
    assert body["ticket"]["url"] == url and body["ticket"]["status"] == "new"
    assert sandbox.calls["tickets.show"] == before + 2


def test_comment_pages_link_back_to_the_sandbox(sandbox: ZendeskSandbox) -> None:
    ticket = sandbox.create_ticket("Help")
    for i in range(3):
        sandbox.add_customer_comment(ticket, f"ping {i}")
    url = f"{sandbox.base_url}/api/v2/tickets/{ticket}/comments.json?page[size]=2"
    page = requests.get(url, auth=auth(sandbox), timeout=5).json()
    assert page["meta"]["has_more"] and page["links"]["next"].startswith(sandbox.base_url)
    rest = requests.get(page["links"]["next"], auth=auth(sandbox), timeout=5).json()
    assert [c["body"] for c in page["comments"] + rest["comments"]] == [
        "Help",
        "ping 0",
        "ping 1",
        "ping 2",
    ]
    assert not rest["meta"]["has_more"]


def test_injected_429_carries_retry_after(sandbox: ZendeskSandbox) -> None:
    from sandbox.common import Fault

    sandbox.faults.inject("incremental.tickets", Fault(status=429, retry_after=7))
    answer = requests.get(
        f"{sandbox.base_url}/api/v2/incremental/tickets/cursor.json",
        params={"start_time": 0},
        auth=auth(sandbox),
        timeout=5,
    )
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"


def test_html_overview_lists_tickets_and_comments(sandbox: ZendeskSandbox) -> None:
    ticket = sandbox.create_ticket("Printer <on fire>")
    sandbox.add_customer_comment(ticket, "smoke")
    page = requests.get(f"{sandbox.base_url}/", timeout=5)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Printer &lt;on fire&gt;" in page.text and "smoke" in page.text


def test_groups_are_seeded_and_offset_paged(sandbox: ZendeskSandbox) -> None:
    sandbox.reset()
    sandbox.group_page_size = 5
    first = requests.get(f"{sandbox.base_url}/api/v2/groups.json", auth=auth(sandbox), timeout=5)
    page = first.json()
    assert page["count"] == len(SEEDED_GROUPS) and len(page["groups"]) == 5
    assert set(page["groups"][0]) >= {
        "id",
        "name",
        "description",
        "default",
        "deleted",
        "created_at",
        "updated_at",
        "url",
    }
    rest = requests.get(page["next_page"], auth=auth(sandbox), timeout=5).json()
    names = {g["name"] for g in page["groups"] + rest["groups"]}
    assert {"frontline", "senior-support", "engineering-support"} <= names
    assert rest["next_page"] is None and rest["previous_page"].startswith(sandbox.base_url)


def test_user_search_by_email_and_unknown_assignment_is_422(sandbox: ZendeskSandbox) -> None:
    sandbox.reset()
    found = requests.get(
        f"{sandbox.base_url}/api/v2/users/search.json",
        params={"query": "email:LEAD@example.com"},
        auth=auth(sandbox),
        timeout=5,
    ).json()
    assert [u["id"] for u in found["users"]] == [sandbox.lead_agent_id]
    assert found["users"][0]["role"] == "agent"
    ticket = sandbox.create_ticket("Help")
    answer = requests.put(
        f"{sandbox.base_url}/api/v2/tickets/{ticket}.json",
        json={"ticket": {"group_id": 77, "assignee_id": sandbox.tickets[ticket]["requester_id"]}},
        auth=auth(sandbox),
        timeout=5,
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "RecordInvalid" and set(body["details"]) == {"group", "assignee"}
    assert sandbox.tickets[ticket]["group_id"] is None
