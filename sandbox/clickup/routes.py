"""The ClickUp API v2 stand-in: token auth, the per-minute rate limit, the routes the bridge
uses, signed ``taskStatusUpdated`` webhooks, and a page where a person completes a task."""

from __future__ import annotations

import hmac
import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

import requests
from flask import Response, jsonify, redirect, request

from sandbox.clickup import wire
from sandbox.clickup.page import tasks_page
from sandbox.clickup.state import BOT_USER, LIST_ID, TEAM_ID, ClickUpState, Invalid, Webhook
from sandbox.common import Fault, SandboxService

PERSON = {"id": 183, "username": "Ana Ruiz", "email": "ana@example.com"}


class ClickUpSandbox(SandboxService):
    name = "clickup"

    def __init__(
        self,
        *,
        token: str = "pk_sandbox_clickup_token",
        webhook_secret: str = "sandbox-clickup-webhook-secret",
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.token = token
        self.webhook_secret = webhook_secret
        # The webhook ``bridge setup clickup`` would have made, once the bridge's URL is known.
        self.webhook_url: str | None = None
        self._preset_id = str(uuid.uuid4())
        self._clock = clock
        self._recent: deque[float] = deque()
        self.state = ClickUpState(clock=clock)
        self.delivered: list[tuple[str, int]] = []  # (endpoint, HTTP status) of each webhook
        self._routes()

    # ---- test helpers ----

    list_id = LIST_ID
    team_id = TEAM_ID

    def reset(self) -> None:
        self.state.seed()
        self.webhook_url = None
        with self.lock:
            self.calls.clear()
            self._recent.clear()
            self.delivered.clear()
        self.faults.clear()

    def lose_answer(self, endpoint: str, status: int = 504, times: int = 1) -> None:
        """The request is carried out, then its answer is lost (a gateway timeout after the
        work was done): what a retry must not repeat."""
        self.faults.inject(f"{endpoint}:answer", Fault(status=status), times)

    def task_list(self) -> list[dict[str, Any]]:
        return self.state.find(LIST_ID, {"include_closed": ["true"]})

    def complete(self, task_id: str, status: str = "complete") -> None:
        """What a person does in ClickUp: move the task to a finished status."""
        self._move(task_id, status, PERSON)

    # ---- webhooks ----

    def hooks(self) -> list[Webhook]:
        hooks = list(self.state.webhooks)
        if self.webhook_url:
            hooks.insert(
                0,
                Webhook(
                    self._preset_id,
                    self.webhook_url,
                    ["taskStatusUpdated"],
                    LIST_ID,
                    self.webhook_secret,
                ),
            )
        return hooks

    def _move(self, task_id: str, status: str, user: dict[str, Any]) -> None:
        changed = self.state.set_status(task_id, status, user)
        if changed is None:
            return
        before, after = changed
        for hook in self.hooks():
            if "taskStatusUpdated" not in hook.events and "*" not in hook.events:
                continue
            if hook.list_id not in (None, LIST_ID):
                continue
            body = wire.status_changed(
                webhook_id=hook.id,
                task_id=task_id,
                history_id=self.state.history_id(),
                list_id=LIST_ID,
                date_ms=int(self._clock() * 1000),
                before=before,
                after=after,
                user=dict(user),
            )
            self.send_webhook(hook, body)

    def send_webhook(self, hook: Webhook, body: bytes) -> int:
        headers = {
            "Content-Type": "application/json",
            "X-Signature": wire.signature(hook.secret, body),
        }
        try:
            status = requests.post(
                hook.endpoint, data=body, headers=headers, timeout=10
            ).status_code
        except requests.RequestException:
            status = 0  # ClickUp retries later; the sandbox only records the failure
        with self.lock:
            self.delivered.append((hook.endpoint, status))
        return status

    # ---- request checks ----

    def _enter(self, endpoint: str) -> Response | None:
        """Auth first, then the per-minute limit (with X-RateLimit-* headers), then faults."""
        header = request.headers.get("Authorization", "")
        if not hmac.compare_digest(header.encode(), self.token.encode()):
            return _error(401, wire.NOT_AUTHENTICATED)
        now = self._clock()
        with self.lock:
            while self._recent and self._recent[0] <= now - 60:
                self._recent.popleft()
            reset = int((self._recent[0] if self._recent else now) + 60)
            if len(self._recent) >= wire.RATE_LIMIT:
                response = _error(429, wire.RATE_LIMITED)
                response.headers["X-RateLimit-Limit"] = str(wire.RATE_LIMIT)
                response.headers["X-RateLimit-Remaining"] = "0"
                response.headers["X-RateLimit-Reset"] = str(reset)
                return response
            self._recent.append(now)
        return self.hit(endpoint)

    def _routes(self) -> None:
        app = self.app

        def api(endpoint: str, view: Callable[..., Any]) -> Callable[..., Response]:
            def wrapped(**kwargs: Any) -> Response:
                refused = self._enter(endpoint)
                if refused is not None:
                    return refused
                try:
                    answer = jsonify(view(**kwargs))
                except Invalid as error:
                    return _error(error.status, error.error)
                lost = self.faults.take(f"{endpoint}:answer")
                return _error(lost.status, wire.GATEWAY_TIMEOUT) if lost and lost.status else answer

            wrapped.__name__ = endpoint
            return wrapped

        def json_body() -> dict[str, Any]:
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError:
                raise Invalid(400, wire.INVALID_FIELD) from None
            if not isinstance(body, dict):
                raise Invalid(400, wire.INVALID_FIELD)
            return body

        def public(task: dict[str, Any]) -> dict[str, Any]:
            """A task as the API answers: Markdown only with include_markdown_description."""
            if request.args.get("include_markdown_description") == "true":
                return task
            return {k: v for k, v in task.items() if k != "markdown_description"}

        def create_task(list_id: str) -> dict[str, Any]:
            return public(self.state.create_task(list_id, json_body()))

        def get_tasks(list_id: str) -> dict[str, Any]:
            found = self.state.find(list_id, request.args.to_dict(flat=False))
            page = int(request.args.get("page", "0") or 0)
            chunk = [public(t) for t in found[page * 100 : (page + 1) * 100]]
            return {"tasks": chunk, "last_page": (page + 1) * 100 >= len(found)}

        def update_task(task_id: str) -> dict[str, Any]:
            body = json_body()
            if "status" in body:
                self._move(task_id, str(body["status"]), BOT_USER)
            return public(self.state.task(task_id))

        def create_webhook(team_id: str) -> dict[str, Any]:
            hook = self.state.add_webhook(team_id, json_body())
            return {"id": hook.id, "webhook": hook.as_json()}

        def get_webhooks(team_id: str) -> dict[str, Any]:
            if team_id != TEAM_ID:
                raise Invalid(404, wire.NOT_FOUND)
            return {"webhooks": [h.as_json() for h in self.hooks()]}

        def members(list_id: str) -> dict[str, Any]:
            self.state.check_list(list_id)
            return {"members": self.state.members()}

        routes: list[tuple[str, str, str, Callable[..., Any]]] = [
            ("POST", "/api/v2/list/<list_id>/task", "createTask", create_task),
            ("GET", "/api/v2/list/<list_id>/task", "getTasks", get_tasks),
            (
                "GET",
                "/api/v2/task/<task_id>",
                "getTask",
                lambda task_id: public(self.state.task(task_id)),
            ),
            ("PUT", "/api/v2/task/<task_id>", "updateTask", update_task),
            (
                "GET",
                "/api/v2/list/<list_id>",
                "getList",
                lambda list_id: self.state.list_json(list_id),
            ),
            ("GET", "/api/v2/list/<list_id>/member", "getListMembers", members),
            ("GET", "/api/v2/user", "getAuthorizedUser", lambda: {"user": dict(BOT_USER)}),
            (
                "GET",
                "/api/v2/team",
                "getAuthorizedTeams",
                lambda: {"teams": [{"id": TEAM_ID, "name": "Sandbox"}]},
            ),
            ("POST", "/api/v2/team/<team_id>/webhook", "createWebhook", create_webhook),
            ("GET", "/api/v2/team/<team_id>/webhook", "getWebhooks", get_webhooks),
        ]
        for method, path, name, view in routes:
            app.add_url_rule(path, name, api(name, view), methods=[method])

        @app.get("/")
        def page() -> str:
            return tasks_page(self.task_list(), [h.endpoint for h in self.hooks()])

        @app.post("/ui/tasks/<task_id>/complete")
        def complete(task_id: str) -> Response:
            try:
                self.complete(task_id)
            except Invalid as error:
                return _error(error.status, error.error)
            return redirect("/", code=303)  # type: ignore[return-value]


def _error(status: int, error: tuple[str, str]) -> Response:
    response = jsonify(wire.error_body(error))
    response.status_code = status
    return response
