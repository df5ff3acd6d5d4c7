"""The ClickUp stand-in follows the documented API: token auth, the Create Task rules, Get Tasks'
filters, signed ``taskStatusUpdated`` webhooks, the rate-limit headers, and its page."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import request

from sandbox.clickup import ClickUpSandbox
from sandbox.common import SandboxService, serve

TOKEN = "pk_test"


class Receiver(SandboxService):
    """Where the webhooks go: keeps each body and its signature."""

    name = "receiver"

    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[bytes, str]] = []

        @self.app.post("/hook")
        def hook() -> tuple[str, int]:
            self.got.append((request.get_data(), request.headers.get("X-Signature", "")))
            return "", 202


@pytest.fixture(scope="module")
def clickup() -> Iterator[ClickUpSandbox]:
    sandbox = ClickUpSandbox(token=TOKEN)
    with serve(sandbox):
        yield sandbox


@pytest.fixture
def api(clickup: ClickUpSandbox) -> Iterator[requests.Session]:
    clickup.reset()
    session = requests.Session()
    session.headers["Authorization"] = TOKEN
    yield session
    session.close()


def url(clickup: ClickUpSandbox, path: str) -> str:
    return f"{clickup.base_url}/api/v2{path}"


def create(clickup: ClickUpSandbox, api: requests.Session, **body: Any) -> requests.Response:
    return api.post(url(clickup, f"/list/{clickup.list_id}/task"), json=body, timeout=5)


def test_the_token_is_the_whole_authorization_header(
    clickup: ClickUpSandbox, api: requests.Session
) -> None:
    for header in (f"Bearer {TOKEN}", "pk_other", ""):
        answer = requests.get(url(clickup, "/user"), headers={"Authorization": header}, timeout=5)
        assert answer.status_code == 401 and set(answer.json()) == {"err", "ECODE"}
    assert api.get(url(clickup, "/user"), timeout=5).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "  "},
        {"name": "x", "status": "no such status"},
        {"name": "x", "due_date": "2026-03-04"},
        {"name": "x", "assignees": [999]},
        {"name": "x", "priority": 5},
        {"name": "x", "tags": "rca"},
    ],
)
def test_create_task_refuses_what_clickup_refuses(
    clickup: ClickUpSandbox, api: requests.Session, body: dict[str, Any]
) -> None:
    answer = create(clickup, api, **body)
    assert answer.status_code == 400 and "err" in answer.json()
    assert clickup.task_list() == []


def test_a_task_and_the_filters_of_get_tasks(
    clickup: ClickUpSandbox, api: requests.Session
) -> None:
    made = create(
        clickup,
        api,
        name="Root cause",
        markdown_content="**bold** `code`",
        description="ignored: markdown_content wins",
        tags=["Escalation-Bridge"],
        due_date=1772614800000,
        priority=2,
        assignees=[183],
    ).json()
    assert made["status"]["status"] == "to do" and made["due_date"] == "1772614800000"
    assert made["tags"] == [{"name": "escalation-bridge"}]
    assert made["description"] == "bold code" and made["url"].endswith(f"/t/{made['id']}")
    assert "markdown_description" not in made  # only when asked for
    one = url(clickup, f"/task/{made['id']}")
    asked = api.get(one, params={"include_markdown_description": "true"}, timeout=5).json()
    assert asked["markdown_description"] == "**bold** `code`"
    create(clickup, api, name="Other")
    listing = url(clickup, f"/list/{clickup.list_id}/task")
    tagged = api.get(listing, params={"tags[]": "escalation-bridge"}, timeout=5).json()
    assert [t["id"] for t in tagged["tasks"]] == [made["id"]]
    api.put(url(clickup, f"/task/{made['id']}"), json={"status": "complete"}, timeout=5)
    assert len(api.get(listing, timeout=5).json()["tasks"]) == 1  # closed ones left out
    everything = api.get(listing, params={"include_closed": "true"}, timeout=5).json()
    assert len(everything["tasks"]) == 2
    later = api.get(listing, params={"include_closed": "true", "date_created_gt": 2**42}, timeout=5)
    assert later.json()["tasks"] == []
    assert api.get(url(clickup, "/list/1/task"), timeout=5).status_code == 404


def test_status_changes_are_signed_webhooks(clickup: ClickUpSandbox, api: requests.Session) -> None:
    receiver = Receiver()
    with serve(receiver):
        team = url(clickup, f"/team/{clickup.team_id}/webhook")
        body = {
            "endpoint": f"{receiver.base_url}/hook",
            "events": ["taskStatusUpdated"],
            "list_id": int(clickup.list_id),
        }
        created = api.post(team, json=body, timeout=5).json()
        secret = created["webhook"]["secret"]
        assert created["id"] == created["webhook"]["id"]
        assert [w["secret"] for w in api.get(team, timeout=5).json()["webhooks"]] == [secret]
        task = create(clickup, api, name="Root cause").json()
        api.put(url(clickup, f"/task/{task['id']}"), json={"status": "complete"}, timeout=5)
        api.put(url(clickup, f"/task/{task['id']}"), json={"status": "complete"}, timeout=5)
    [(raw, signature)] = receiver.got  # the same status again is no change
    assert signature == hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    event = json.loads(raw)
    assert event["event"] == "taskStatusUpdated" and event["task_id"] == task["id"]
    [item] = event["history_items"]
    assert item["field"] == "status" and item["after"]["type"] == "closed"
    assert item["before"]["status"] == "to do"


def test_over_the_limit_answers_429_with_the_reset_time(
    clickup: ClickUpSandbox, api: requests.Session
) -> None:
    for _ in range(100):
        assert api.get(url(clickup, "/user"), timeout=5).status_code == 200
    limited = api.get(url(clickup, "/user"), timeout=5)
    assert limited.status_code == 429
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert int(limited.headers["X-RateLimit-Reset"]) > 0


def test_the_page_escapes_task_text_and_completes_tasks(
    clickup: ClickUpSandbox, api: requests.Session
) -> None:
    task = create(clickup, api, name="<script>alert(1)</script>").json()
    page = requests.get(clickup.base_url + "/", timeout=5).text
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    requests.post(f"{clickup.base_url}/ui/tasks/{task['id']}/complete", timeout=5)
    [done] = clickup.task_list()
    assert done["status"]["status"] == "complete"
