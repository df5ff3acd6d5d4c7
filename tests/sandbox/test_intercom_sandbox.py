"""The Intercom sandbox checks requests as Intercom does, answers its shapes and signs its
webhook notifications as Intercom does."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from connectors.intercom.inbound import IntercomInbound
from sandbox.intercom import IntercomSandbox
from sandbox.intercom.state import BRIDGE_ADMIN_ID
from sandbox.intercom.wire import signature
from tests.conftest import FrozenClock

NOW = datetime(2026, 3, 2, 9, 0, 3, tzinfo=UTC)


@pytest.fixture
def sandbox() -> IntercomSandbox:
    return IntercomSandbox(token="t0k3n", clock=FrozenClock(NOW))


@pytest.fixture
def client(sandbox: IntercomSandbox) -> Iterator[FlaskClient]:
    with sandbox.app.test_client() as client:
        yield client


def auth(**extra: str) -> dict[str, str]:
    return {"Authorization": "Bearer t0k3n", "Intercom-Version": "2.11", **extra}


def test_a_bad_token_is_401_without_rate_headers(client: FlaskClient) -> None:
    response = client.get("/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json is not None and response.json["type"] == "error.list"
    assert "X-RateLimit-Remaining" not in response.headers


def test_rate_headers_count_down_in_a_10_second_window(
    sandbox: IntercomSandbox, client: FlaskClient
) -> None:
    sandbox.window_limit = 2
    first, second, third = (client.get("/teams", headers=auth()) for _ in range(3))
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert [r.headers["X-RateLimit-Remaining"] for r in (first, second)] == ["1", "0"]
    assert third.status_code == 429
    assert third.headers["X-RateLimit-Reset"] == str(int(NOW.timestamp()) + 7)
    assert third.json is not None and third.json["errors"][0]["code"] == "rate_limit_exceeded"
    assert "Retry-After" not in third.headers


def search(client: FlaskClient, query: dict[str, Any], **pagination: Any) -> Any:
    body = {"query": query, "pagination": {"per_page": 2, **pagination}}
    response = client.post("/conversations/search", json=body, headers=auth())
    assert response.status_code == 200, response.json
    return response.json


def test_search_is_inclusive_pages_by_cursor_and_carries_no_parts(
    sandbox: IntercomSandbox, client: FlaskClient
) -> None:
    made = [sandbox.create_conversation(f"n{i}") for i in range(3)]
    since = {"field": "updated_at", "operator": ">", "value": int(NOW.timestamp())}
    first = search(client, since)
    assert first["total_count"] == 3 and len(first["conversations"]) == 2
    assert "conversation_parts" not in first["conversations"][0]
    after = first["pages"]["next"]["starting_after"]
    base64.b64decode(after)  # an opaque cursor
    second = search(client, since, starting_after=after)
    assert "next" not in second["pages"]
    ids = [c["id"] for c in first["conversations"] + second["conversations"]]
    assert sorted(ids) == sorted(made)
    both = {"operator": "AND", "value": [since, {"field": "id", "operator": "=", "value": made[0]}]}
    assert [c["id"] for c in search(client, both)["conversations"]] == [made[0]]
    assert client.post("/conversations/search", json={}, headers=auth()).status_code == 400


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"message_type": "note", "type": "admin", "admin_id": BRIDGE_ADMIN_ID, "body": "x"}, 200),
        ({"message_type": "note", "type": "admin", "admin_id": "1", "body": "x"}, 400),
        ({"message_type": "note", "type": "admin", "admin_id": BRIDGE_ADMIN_ID}, 400),
        ({"message_type": "quick_reply", "type": "admin", "admin_id": BRIDGE_ADMIN_ID}, 400),
        ({"message_type": "comment", "type": "user", "admin_id": BRIDGE_ADMIN_ID}, 400),
    ],
)
def test_replies_are_checked(
    sandbox: IntercomSandbox, client: FlaskClient, body: dict[str, str], status: int
) -> None:
    conversation = sandbox.create_conversation("Hi")
    response = client.post(f"/conversations/{conversation}/reply", json=body, headers=auth())
    assert response.status_code == status


def test_assignments_by_kind_and_unknown_assignees(
    sandbox: IntercomSandbox, client: FlaskClient
) -> None:
    conversation = sandbox.create_conversation("Route me")
    team = next(iter(sandbox.teams))
    path = f"/conversations/{conversation}/parts"
    base = {"message_type": "assignment", "admin_id": BRIDGE_ADMIN_ID}
    ok = client.post(path, json={**base, "type": "team", "assignee_id": team}, headers=auth())
    assert ok.status_code == 200 and ok.json is not None
    assert ok.json["team_assignee_id"] == team
    assert ok.json["conversation_parts"]["conversation_parts"][-1]["part_type"] == "assignment"
    unknown = {**base, "type": "admin", "assignee_id": "424242"}
    assert client.post(path, json=unknown, headers=auth()).status_code == 404
    snooze = {"message_type": "snoozed", "admin_id": BRIDGE_ADMIN_ID}
    assert client.post(path, json=snooze, headers=auth()).status_code == 400


def test_a_customer_reply_reopens_and_a_missing_conversation_is_404(
    sandbox: IntercomSandbox, client: FlaskClient
) -> None:
    conversation = sandbox.create_conversation("Snooze me", state="snoozed")
    sandbox.add_customer_reply(conversation, "Back again")
    assert sandbox.conversations[conversation]["state"] == "open"
    assert client.get("/conversations/999999", headers=auth()).status_code == 404


def test_notifications_are_signed_as_intercom_signs_them() -> None:
    body = b'{"type": "notification_event"}'
    assert signature(body, "s3cret").startswith("sha1=") and len(signature(body, "s3cret")) == 45
    IntercomInbound().verify({"X-Hub-Signature": signature(body, "s3cret")}, body, "s3cret", NOW)


def test_the_inbox_page_shows_each_conversation_with_its_parts_escaped(
    sandbox: IntercomSandbox, client: FlaskClient
) -> None:
    conversation = sandbox.create_conversation("<script>alert(1)</script> checkout down")
    sandbox.add_customer_reply(conversation, "Still down")
    sandbox.admin_post(conversation, "note", "<p>Looking</p>", BRIDGE_ADMIN_ID)
    page = client.get("/")
    assert page.status_code == 200
    assert "Still down" in page.text and "Looking" in page.text
    assert "<script>alert(1)</script>" not in page.text
