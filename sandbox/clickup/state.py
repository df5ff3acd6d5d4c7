"""The ClickUp stand-in's data: one workspace, one list with its statuses and members, its
tasks, and the webhooks registered through the API. No Flask here: routes.py serves it."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.clickup import wire

TEAM_ID = "9012345"
LIST_ID = "901200001"
SPACE_ID = "90120"
SEED_STATUSES = (
    ("to do", "open", "#d3d3d3"),
    ("in progress", "custom", "#4194f6"),
    ("review", "custom", "#a875ff"),
    ("complete", "closed", "#6bc950"),
)
SEED_MEMBERS = (
    (183, "Ana Ruiz", "ana@example.com"),
    (184, "Lee Park", "lee@example.com"),
    (185, "Sam Okafor", "sam@example.com"),
)
BOT_USER = {"id": 100, "username": "Escalation bridge", "email": "bridge@example.com"}


class Invalid(ValueError):
    """A request ClickUp would refuse: (HTTP status, error)."""

    def __init__(self, status: int, error: tuple[str, str]) -> None:
        super().__init__(error[0])
        self.status = status
        self.error = error


@dataclass
class Webhook:
    id: str
    endpoint: str
    events: list[str]
    list_id: str | None
    secret: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "userid": BOT_USER["id"],
            "team_id": int(TEAM_ID),
            "endpoint": self.endpoint,
            "client_id": "SANDBOXCLIENT",
            "events": self.events,
            "task_id": None,
            "list_id": self.list_id,
            "folder_id": None,
            "space_id": None,
            "health": {"status": "active", "fail_count": 0},
            "secret": self.secret,
        }


@dataclass
class ClickUpState:
    clock: Callable[[], float]  # seconds since the epoch
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhooks: list[Webhook] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.seed()

    def seed(self) -> None:
        with self.lock:
            self.tasks.clear()
            self.webhooks.clear()
            self._ids = itertools.count(1)
            self._history = itertools.count(2800763136717140000)

    # -- the list -----------------------------------------------------------------------------

    def statuses(self) -> list[dict[str, Any]]:
        return [
            {"id": f"sc{LIST_ID}_{i}", "status": s, "type": t, "orderindex": i, "color": c}
            for i, (s, t, c) in enumerate(SEED_STATUSES)
        ]

    def status(self, name: str) -> dict[str, Any]:
        for status in self.statuses():
            if status["status"] == name.strip().lower():
                return status
        raise Invalid(400, wire.INVALID_STATUS)

    def members(self) -> list[dict[str, Any]]:
        return [{"id": i, "username": n, "email": e} for i, n, e in SEED_MEMBERS]

    def list_json(self, list_id: str) -> dict[str, Any]:
        self.check_list(list_id)
        return {
            "id": LIST_ID,
            "name": "Root-cause follow-ups",
            "space": {"id": SPACE_ID, "name": "Support", "access": True},
            "statuses": self.statuses(),
        }

    def check_list(self, list_id: str) -> None:
        if list_id != LIST_ID:
            raise Invalid(404, wire.NOT_FOUND)

    # -- tasks --------------------------------------------------------------------------------

    def create_task(self, list_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        self.check_list(list_id)
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise Invalid(400, wire.INVALID_NAME)
        status = self.status(str(body["status"])) if body.get("status") else self.statuses()[0]
        members = {m["id"]: m for m in self.members()}
        assignees = body.get("assignees") or []
        if not isinstance(assignees, list) or any(a not in members for a in assignees):
            raise Invalid(400, wire.INVALID_FIELD)
        priority = body.get("priority")
        if priority is not None and priority not in wire.PRIORITIES:
            raise Invalid(400, wire.INVALID_FIELD)
        due = body.get("due_date")
        if due is not None and (not isinstance(due, int) or isinstance(due, bool)):
            raise Invalid(400, wire.INVALID_FIELD)
        tags = body.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise Invalid(400, wire.INVALID_FIELD)
        # markdown_content wins over description when both come (Create Task's definition).
        markdown = body.get("markdown_content")
        plain = body.get("description")
        if not isinstance(markdown, str | None) or not isinstance(plain, str | None):
            raise Invalid(400, wire.INVALID_FIELD)
        now = str(int(self.clock() * 1000))
        with self.lock:
            task_id = f"86{next(self._ids):05x}"
            task = {
                "id": task_id,
                "custom_id": None,
                "name": name,
                "text_content": wire.plain(markdown) if markdown else plain or "",
                "description": wire.plain(markdown) if markdown else plain or "",
                "markdown_description": markdown or plain or "",
                "status": wire.status_object(status),
                "date_created": now,
                "date_updated": now,
                "date_closed": None,
                "creator": dict(BOT_USER),
                "assignees": [members[a] for a in assignees],
                # ClickUp keeps tag names lower-case.
                "tags": [{"name": t.lower()} for t in dict.fromkeys(tags)],
                "priority": _priority(priority),
                "due_date": str(due) if due is not None else None,
                "list": {"id": LIST_ID},
                "url": f"{wire.APP_URL}/t/{task_id}",
            }
            self.tasks[task_id] = task
            return dict(task)

    def task(self, task_id: str) -> dict[str, Any]:
        with self.lock:
            if task_id not in self.tasks:
                raise Invalid(404, wire.NOT_FOUND)
            return dict(self.tasks[task_id])

    def find(self, list_id: str, query: Mapping[str, list[str]]) -> list[dict[str, Any]]:
        """Get Tasks' filters: ``tags[]`` (any), ``include_closed``, ``date_created_gt``."""
        self.check_list(list_id)
        tags = set(query.get("tags[]", []))
        closed = query.get("include_closed", ["false"])[-1] == "true"
        since = int(query.get("date_created_gt", ["0"])[-1] or 0)
        with self.lock:
            found = [
                dict(t)
                for t in self.tasks.values()
                if (closed or t["status"]["type"] != "closed")
                and (not tags or tags & {tag["name"] for tag in t["tags"]})
                and int(t["date_created"]) > since
            ]
        return sorted(found, key=lambda t: int(t["date_created"]), reverse=True)

    def set_status(
        self, task_id: str, name: str, user: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """Move a task to status ``name``; the statuses before and after, None if unchanged."""
        after = self.status(name)
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                raise Invalid(404, wire.NOT_FOUND)
            before = task["status"]
            if before["status"] == after["status"]:
                return None
            now = int(self.clock() * 1000)
            task["status"] = wire.status_object(after)
            task["date_updated"] = str(now)
            task["date_closed"] = str(now) if after["type"] in ("done", "closed") else None
            return before, after

    def history_id(self) -> str:
        with self.lock:
            return str(next(self._history))

    # -- webhooks -------------------------------------------------------------------------------

    def add_webhook(self, team_id: str, body: Mapping[str, Any]) -> Webhook:
        if team_id != TEAM_ID:
            raise Invalid(404, wire.NOT_FOUND)
        endpoint = body.get("endpoint")
        events = body.get("events")
        if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
            raise Invalid(400, wire.INVALID_FIELD)
        if not isinstance(events, list) or not events:
            raise Invalid(400, wire.INVALID_FIELD)
        list_id = body.get("list_id")
        hook = Webhook(
            id=str(uuid.uuid4()),
            endpoint=endpoint,
            events=[str(e) for e in events],
            list_id=str(list_id) if list_id is not None else None,
            secret=uuid.uuid4().hex.upper()[:32],
        )
        with self.lock:
            self.webhooks.append(hook)
        return hook


def _priority(value: object) -> dict[str, str] | None:
    if not isinstance(value, int) or value not in wire.PRIORITIES:
        return None
    name, color = wire.PRIORITIES[value]
    return {"id": str(value), "priority": name, "color": color, "orderindex": str(value)}
