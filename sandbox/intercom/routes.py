"""The Intercom stand-in's HTTP surface: the REST calls a client makes (checked like Intercom
checks them), the overview page, rate-limit headers, and the signed webhook notifications."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
from flask import Response, jsonify, request

from sandbox.common import SandboxService
from sandbox.desk_html import ticket_page
from sandbox.intercom.search import search_page
from sandbox.intercom.state import BRIDGE_ADMIN_ID, IntercomState
from sandbox.intercom.tickets import IntercomTickets, register_tickets
from sandbox.intercom.wire import (
    MANAGE_TYPES,
    RATE_PER_MINUTE,
    REPLY_TYPES,
    SIGNATURE_HEADER,
    WINDOW_SECONDS,
    Json,
    error_list,
    notification,
    signature,
    unix,
)

APP_ID = "sandbox1"


class IntercomSandbox(IntercomTickets, SandboxService):
    name = "intercom"

    def __init__(
        self,
        *,
        token: str = "sandbox-intercom-token",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        per_minute: int = RATE_PER_MINUTE,
    ) -> None:
        SandboxService.__init__(self)  # first: the state shares its lock
        self.window_limit = max(1, per_minute * WINDOW_SECONDS // 60)
        self._window, self._used = -1, 0
        self._limit_lock = threading.Lock()
        IntercomState.__init__(self, token=token, clock=clock)
        _register(self)
        register_tickets(self)
        self.app.after_request(self._limit_headers)

    def reset(self) -> None:
        """Forget every conversation, fault and count (a served sandbox is reused in tests)."""
        self.calls.clear()
        self.faults.clear()
        with self._limit_lock:
            self._used = 0
        super().reset()

    def deliver_webhook(
        self,
        url: str,
        conversation_id: str,
        secret: str,
        *,
        topic: str = "conversation.user.replied",
        timeout: float = 5.0,
    ) -> requests.Response:
        """POST a notification signed as Intercom signs it (``X-Hub-Signature: sha1=…``); a
        ``ticket.`` topic carries the ticket of that id."""
        ticket = topic.startswith("ticket.")
        item = self.ticket_view(conversation_id) if ticket else self.view(conversation_id)
        body = json.dumps(notification(topic, item, APP_ID, unix(self.clock()))).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(body, secret)}
        return requests.post(url, data=body, headers=headers, timeout=timeout)

    def _enter(self, endpoint: str) -> Response | None:
        """Count the call, apply a fault, check the token and the 10-second window."""
        fault = self.hit(endpoint)
        if fault is not None:
            return fault
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _answer(401, error_list("unauthorized", "Access Token Invalid"))
        window = unix(self.clock()) // WINDOW_SECONDS
        with self._limit_lock:
            if window != self._window:
                self._window, self._used = window, 0
            self._used += 1
            over = self._used > self.window_limit
            request.environ["sandbox.ratelimit"] = {
                "X-RateLimit-Limit": str(self.window_limit),
                "X-RateLimit-Remaining": str(max(0, self.window_limit - self._used)),
                "X-RateLimit-Reset": str((window + 1) * WINDOW_SECONDS),
            }
        if over:
            message = f"Exceeded rate limit of {self.window_limit} in 10_seconds"
            return _answer(429, error_list("rate_limit_exceeded", message))
        return None

    def _limit_headers(self, response: Response) -> Response:
        response.headers.update(request.environ.get("sandbox.ratelimit", {}))
        return response

    def _find(self, conversation_id: str) -> Response | None:
        if conversation_id in self.conversations:
            return None
        return _answer(404, error_list("not_found", "Resource Not Found"))

    def _admin_check(self, body: Json) -> Response | None:
        if str(body.get("admin_id") or "") not in self.admins:
            return _answer(400, error_list("parameter_invalid", "admin_id not found"))
        return None


def _answer(status: int, body: Json) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _json() -> Json:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _register(sb: IntercomSandbox) -> None:
    app = sb.app

    @app.get("/")
    def index() -> str:
        with sb.lock:
            rows = [
                (
                    {
                        **c,
                        "subject": c["title"] or "",
                        "status": c["state"],
                        "group": sb.teams.get(c["team_assignee_id"] or "", {}).get("name"),
                        "assignee": c["admin_assignee_id"],
                        "tags": [t["name"] for t in c["tags"]["tags"]],
                    },
                    [
                        # The opening message (``source``) has no part type or time of its own.
                        {
                            "author": f"{c['source']['author']['type']} "
                            f"{c['source']['author']['id']}",
                            "public": True,
                            "text": c["source"]["body"] or "",
                            "created_at": c["created_at"],
                        },
                        *(
                            {
                                "author": f"{p['author']['type']} {p['author']['id']}",
                                "public": p["part_type"] == "comment",
                                "text": p["body"] or p["part_type"],
                                "created_at": p["created_at"],
                            }
                            for p in sb.parts[i]
                        ),
                    ],
                )
                for i, c in sorted(sb.conversations.items(), key=lambda kv: int(kv[0]))
            ]
        return ticket_page("Intercom sandbox", rows)

    @app.get("/me")
    def me() -> Any:
        if (stop := sb._enter("me")) is not None:
            return stop
        return jsonify({**sb.admins[BRIDGE_ADMIN_ID], "app": {"type": "app", "id_code": APP_ID}})

    @app.post("/conversations/search")
    def search() -> Any:
        if (stop := sb._enter("conversations.search")) is not None:
            return stop
        body = _json()
        if not isinstance(body.get("query"), dict):
            return _answer(400, error_list("parameter_invalid", "query is required"))
        with sb.lock:
            rows = [sb.view(i, with_parts=False) for i in sb.conversations]
        return jsonify(search_page(rows, body["query"], body.get("pagination") or {}))

    @app.get("/conversations/<conversation_id>")
    def show(conversation_id: str) -> Any:
        if (stop := sb._enter("tickets.show") or sb._find(conversation_id)) is not None:
            return stop
        return jsonify(sb.view(conversation_id))

    @app.post("/conversations/<conversation_id>/reply")
    def reply(conversation_id: str) -> Any:
        if (stop := sb._enter("conversations.reply") or sb._find(conversation_id)) is not None:
            return stop
        body = _json()
        if body.get("type") != "admin" or body.get("message_type") not in REPLY_TYPES:
            message = "message_type must be comment or note, type admin"
            return _answer(400, error_list("parameter_invalid", message))
        if (stop := sb._admin_check(body)) is not None:
            return stop
        if not str(body.get("body") or "").strip():
            return _answer(400, error_list("parameter_not_found", "body is required"))
        kind = str(body["message_type"])
        return jsonify(sb.admin_post(conversation_id, kind, str(body["body"]), body["admin_id"]))

    @app.post("/conversations/<conversation_id>/parts")
    def manage(conversation_id: str) -> Any:
        if (stop := sb._enter("conversations.manage") or sb._find(conversation_id)) is not None:
            return stop
        body = _json()
        kind = body.get("message_type")
        if kind not in MANAGE_TYPES:
            return _answer(400, error_list("parameter_invalid", "unknown message_type"))
        if (stop := sb._admin_check(body)) is not None:
            return stop
        admin_id = str(body["admin_id"])
        if kind == "assignment":
            assignee, assignee_type = str(body.get("assignee_id") or ""), body.get("type")
            known = sb.teams if assignee_type == "team" else sb.admins
            if assignee != "0" and assignee not in known:
                return _answer(404, error_list("not_found", f"{assignee_type} not found"))
            sb.assign(conversation_id, str(assignee_type), assignee, admin_id)
        elif kind == "snoozed":
            if not isinstance(body.get("snoozed_until"), int):
                return _answer(400, error_list("parameter_not_found", "snoozed_until is required"))
            sb.set_state(conversation_id, "snoozed", by=admin_id)
            sb.conversations[conversation_id]["snoozed_until"] = body["snoozed_until"]
        else:
            sb.set_state(conversation_id, "open" if kind == "open" else "closed", by=admin_id)
        return jsonify(sb.view(conversation_id))

    @app.post("/conversations/<conversation_id>/tags")
    def attach(conversation_id: str) -> Any:
        if (stop := sb._enter("conversations.tag") or sb._find(conversation_id)) is not None:
            return stop
        body = _json()
        if (stop := sb._admin_check(body)) is not None:
            return stop
        tag = sb.attach(conversation_id, str(body.get("id") or ""))
        if tag is None:
            return _answer(404, error_list("not_found", "Tag Not Found"))
        return jsonify(tag)

    @app.delete("/conversations/<conversation_id>/tags/<tag_id>")
    def detach(conversation_id: str, tag_id: str) -> Any:
        if (stop := sb._enter("conversations.untag") or sb._find(conversation_id)) is not None:
            return stop
        if (stop := sb._admin_check(_json())) is not None:
            return stop
        tag = sb.detach(conversation_id, tag_id)
        if tag is None:
            return _answer(404, error_list("not_found", "Tag Not Found"))
        return jsonify(tag)

    @app.get("/tags")
    def list_tags() -> Any:
        if (stop := sb._enter("tags.list")) is not None:
            return stop
        with sb.lock:
            return jsonify({"type": "list", "data": list(sb.tags.values())})

    @app.post("/tags")
    def create_tag() -> Any:
        if (stop := sb._enter("tags.create")) is not None:
            return stop
        name = str(_json().get("name") or "").strip()
        if not name:
            return _answer(400, error_list("parameter_not_found", "name is required"))
        return jsonify(sb.tag_named(name))

    @app.get("/teams")
    def teams() -> Any:
        if (stop := sb._enter("teams.list")) is not None:
            return stop
        with sb.lock:
            return jsonify({"type": "team.list", "teams": list(sb.teams.values())})

    @app.get("/admins")
    def admins() -> Any:
        if (stop := sb._enter("admins.list")) is not None:
            return stop
        with sb.lock:
            return jsonify({"type": "admin.list", "admins": list(sb.admins.values())})

    @app.get("/contacts/<contact_id>")
    def contact(contact_id: str) -> Any:
        if (stop := sb._enter("contacts.show")) is not None:
            return stop
        found = sb.contacts.get(contact_id)
        return jsonify(found) if found else _answer(404, error_list("not_found", "User Not Found"))

    @app.get("/companies/<company_id>")
    def company(company_id: str) -> Any:
        if (stop := sb._enter("companies.show")) is not None:
            return stop
        found = sb.companies.get(company_id)
        if not found:
            return _answer(404, error_list("company_not_found", "Company Not Found"))
        return jsonify(found)

    @app.get("/data_attributes")
    def data_attributes() -> Any:
        if (stop := sb._enter("ticket_fields.list")) is not None:
            return stop
        model = request.args.get("model")
        with sb.lock:
            rows = [a for a in sb.attributes if model in (None, a["model"])]
        return jsonify({"type": "list", "data": rows})
