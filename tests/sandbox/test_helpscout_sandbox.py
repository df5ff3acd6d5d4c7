"""The Help Scout sandbox checks requests as Help Scout does, answers its shapes and signs its
webhook events as Help Scout does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from connectors.helpscout.inbound import HelpScoutInbound
from sandbox.helpscout import HelpScoutSandbox
from sandbox.helpscout.wire import signature
from tests.conftest import FrozenClock

NOW = datetime(2026, 3, 2, 9, 0, 3, tzinfo=UTC)


@pytest.fixture
def sandbox() -> HelpScoutSandbox:
    return HelpScoutSandbox(app_id="app", app_secret="secret", clock=FrozenClock(NOW), per_minute=6)


@pytest.fixture
def client(sandbox: HelpScoutSandbox) -> Iterator[FlaskClient]:
    with sandbox.app.test_client() as client:
        yield client


@pytest.fixture
def auth(client: FlaskClient) -> dict[str, str]:
    form = {"grant_type": "client_credentials", "client_id": "app", "client_secret": "secret"}
    answer = client.post("/v2/oauth2/token", data=form)
    assert answer.status_code == 200 and answer.json is not None
    assert answer.json["expires_in"] == 172_800 and answer.json["token_type"] == "bearer"
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


def test_a_wrong_client_secret_gets_no_token(client: FlaskClient) -> None:
    form = {"grant_type": "client_credentials", "client_id": "app", "client_secret": "nope"}
    assert client.post("/v2/oauth2/token", data=form).status_code == 401


def test_a_bad_or_expired_token_is_401(
    client: FlaskClient, sandbox: HelpScoutSandbox, auth: dict[str, str]
) -> None:
    assert client.get("/v2/users/me", headers={"Authorization": "Bearer x"}).status_code == 401
    sandbox.expire_tokens()
    assert client.get("/v2/users/me", headers=auth).status_code == 401


def test_list_needs_documented_parameters(client: FlaskClient, auth: dict[str, str]) -> None:
    bad = [
        {"modifiedSince": "2026-03-02 09:00:00"},
        {"status": "open-ish"},
        {"sortField": "updated"},
        {"page": "0"},
    ]
    for query in bad:
        answer = client.get("/v2/conversations", query_string=query, headers=auth)
        assert answer.status_code == 400, query
        assert answer.content_type == "application/vnd.error+json"


def test_list_is_active_only_unless_asked_and_pages_by_25(
    client: FlaskClient, sandbox: HelpScoutSandbox, auth: dict[str, str]
) -> None:
    sandbox.per_minute = 100
    for n in range(26):
        sandbox.create_conversation(f"n{n}", "x")
    closed = sandbox.create_conversation("done", "x", status="closed")
    active = client.get("/v2/conversations", headers=auth).json
    assert active is not None and active["page"]["totalElements"] == 26
    assert "next" in active["_links"] and len(active["_embedded"]["conversations"]) == 25
    assert "_embedded" not in active["_embedded"]["conversations"][0]  # threads only if embedded
    every = client.get("/v2/conversations?status=all&page=2&embed=threads", headers=auth).json
    assert every is not None and "next" not in every["_links"]
    assert every["page"]["totalElements"] == 27
    # Newest first by default: the closed one (made last) is not on the last page.
    assert int(closed) not in [c["id"] for c in every["_embedded"]["conversations"]]
    assert every["_embedded"]["conversations"][0]["_embedded"]["threads"]


def test_patch_takes_one_documented_operation(
    client: FlaskClient, sandbox: HelpScoutSandbox, auth: dict[str, str]
) -> None:
    sandbox.per_minute = 100
    conversation = sandbox.create_conversation("Hello", "Hi")
    path = f"/v2/conversations/{conversation}"
    refused: list[Any] = [
        [{"op": "replace", "path": "/status", "value": "closed"}],  # a list, not one object
        {"op": "replace", "path": "/mailboxId", "value": 20001},  # mailboxes are moved
        {"op": "replace", "path": "/status", "value": "solved"},
        {"op": "add", "path": "/tags", "value": ["x"]},
    ]
    for body in refused:
        assert client.patch(path, json=body, headers=auth).status_code == 400, body
    ok = {"op": "remove", "path": "/assignTo"}
    assert client.patch(path, json=ok, headers=auth).status_code == 204


def test_notes_and_replies_answer_201_with_the_thread_id(
    client: FlaskClient, sandbox: HelpScoutSandbox, auth: dict[str, str]
) -> None:
    conversation = sandbox.create_conversation("Hello", "Hi")
    base = f"/v2/conversations/{conversation}"
    note = client.post(f"{base}/notes", json={"text": "internal"}, headers=auth)
    assert note.status_code == 201 and note.data == b"" and note.headers["Resource-ID"]
    no_customer = client.post(f"{base}/reply", json={"text": "hi"}, headers=auth)
    assert no_customer.status_code == 400
    empty = client.post(f"{base}/notes", json={"text": " "}, headers=auth)
    assert empty.status_code == 400


def test_writes_count_twice_and_429_says_when_to_retry(
    client: FlaskClient, sandbox: HelpScoutSandbox, auth: dict[str, str]
) -> None:
    conversation = sandbox.create_conversation("Hello", "Hi")
    path = f"/v2/conversations/{conversation}/tags"
    for left in (4, 2, 0):
        answer = client.put(path, json={"tags": ["a"]}, headers=auth)
        assert answer.headers["X-RateLimit-Remaining-Minute"] == str(left)
    refused = client.get(f"/v2/conversations/{conversation}", headers=auth)
    assert refused.status_code == 429 and refused.headers["X-RateLimit-Retry-After"] == "57"


def test_webhooks_need_known_events_and_a_short_secret(
    client: FlaskClient, sandbox: HelpScoutSandbox, auth: dict[str, str]
) -> None:
    sandbox.per_minute = 100
    good = {"url": "https://b.example/webhooks/helpscout", "events": ["convo.tags"], "secret": "s"}
    assert (
        client.post("/v2/webhooks", json={**good, "events": ["x"]}, headers=auth).status_code == 400
    )
    long_secret = {**good, "secret": "s" * 41}
    assert client.post("/v2/webhooks", json=long_secret, headers=auth).status_code == 400
    created = client.post("/v2/webhooks", json=good, headers=auth)
    assert created.status_code == 201 and created.headers["Resource-ID"]
    listed = client.get("/v2/webhooks", headers=auth).json
    assert listed is not None and "secret" not in listed["_embedded"]["webhooks"][0]


def test_events_are_signed_as_the_connector_verifies() -> None:
    body = b'{"id": 1, "mailboxId": 2}'
    HelpScoutInbound().verify({"X-HelpScout-Signature": signature(body, "k")}, body, "k", NOW)


def test_a_ticket_link_opens_the_inbox_page_at_the_conversation(
    client: FlaskClient, sandbox: HelpScoutSandbox
) -> None:
    conversation = sandbox.create_conversation("Hello <b>there</b>", "Hi")
    link = client.get(f"/conversation/{conversation}/340")
    assert link.status_code == 302 and link.headers["Location"].endswith(f"#ticket-{conversation}")
    page = client.get("/").get_data(as_text=True)
    assert f'id="ticket-{conversation}"' in page and "&lt;b&gt;there&lt;/b&gt;" in page
