"""The Help Scout stand-in's HTTP surface: the Mailbox API 2.0 calls a client makes (checked as
Help Scout checks them), the client-credentials token, the per-minute limit with writes counted
twice, the inbox page, and webhook events signed as Help Scout signs them."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
from flask import Response, jsonify, request

from sandbox.common import SandboxService
from sandbox.helpscout.answers import answer, body_json, created
from sandbox.helpscout.directory import register_directory
from sandbox.helpscout.state import BRIDGE_USER_ID, HelpScoutState
from sandbox.helpscout.views import register_views
from sandbox.helpscout.wire import (
    EVENT_HEADER,
    LIST_STATUSES,
    PATCH_OPS,
    RATE_PER_MINUTE,
    SIGNATURE_HEADER,
    SORT_FIELDS,
    STATUSES,
    TOKEN_SECONDS,
    WRITE_METHODS,
    error,
    hal_page,
    parse_since,
    signature,
)

APP_ID = "sandbox-helpscout-app-id"
APP_SECRET = "sandbox-helpscout-app-secret"


class HelpScoutSandbox(HelpScoutState, SandboxService):
    name = "helpscout"

    def __init__(
        self,
        *,
        app_id: str = APP_ID,
        app_secret: str = APP_SECRET,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        per_minute: int = RATE_PER_MINUTE,
    ) -> None:
        SandboxService.__init__(self)  # first: the state shares its lock
        self.app_id, self.app_secret = app_id, app_secret
        self.per_minute = per_minute
        self.tokens: dict[str, datetime] = {}  # token -> when it expires
        self._minute, self._used = -1, 0
        self._limit_lock = threading.Lock()
        HelpScoutState.__init__(self, clock=clock)
        _register(self)
        register_directory(self)
        register_views(self)
        self.app.after_request(self._limit_headers)

    def reset(self) -> None:
        """Forget every conversation, fault, count and token (a served sandbox is reused)."""
        self.calls.clear()
        self.faults.clear()
        with self._limit_lock:
            self._used = 0
        self.tokens = {}
        super().reset()

    def deliver_webhook(
        self,
        url: str,
        conversation_id: str,
        secret: str,
        *,
        event: str = "convo.customer.reply.created",
        timeout: float = 5.0,
    ) -> requests.Response:
        """POST a V2 event as Help Scout does: the conversation, signed with the secret."""
        body = json.dumps(self.view(conversation_id, base=self.base_url)).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(body, secret),
            EVENT_HEADER: event,
        }
        return requests.post(url, data=body, headers=headers, timeout=timeout)

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (as after two days)."""
        self.tokens = {}

    def enter(self, endpoint: str) -> Response | None:
        """Count the call, apply a fault, check the token and the minute's budget."""
        fault = self.hit(endpoint)
        if fault is not None:
            return fault
        auth = request.headers.get("Authorization", "")
        expires = self.tokens.get(auth.removeprefix("Bearer "))
        if not auth.startswith("Bearer ") or expires is None or expires <= self.clock():
            return answer(401, error("Unauthorized: invalid or expired token"))
        cost = 2 if request.method in WRITE_METHODS else 1
        minute = int(self.clock().timestamp()) // 60
        with self._limit_lock:
            if minute != self._minute:
                self._minute, self._used = minute, 0
            over = self._used + cost > self.per_minute
            if not over:
                self._used += cost
            headers = {
                "X-RateLimit-Limit-Minute": str(self.per_minute),
                "X-RateLimit-Remaining-Minute": str(max(0, self.per_minute - self._used)),
            }
            if over:
                headers["X-RateLimit-Retry-After"] = str(60 - int(self.clock().timestamp()) % 60)
            request.environ["sandbox.ratelimit"] = headers
        if over:
            return answer(429, error("Too many requests"))
        return None

    def _limit_headers(self, response: Response) -> Response:
        response.headers.update(request.environ.get("sandbox.ratelimit", {}))
        return response

    def find(self, conversation_id: str) -> Response | None:
        if conversation_id in self.conversations:
            return None
        return answer(404, error("Resource not found"))

    def issue_token(self, form: dict[str, Any]) -> Response:
        if form.get("grant_type") != "client_credentials":
            return answer(400, {"error": "unsupported_grant_type"})
        if (form.get("client_id"), form.get("client_secret")) != (self.app_id, self.app_secret):
            return answer(401, {"error": "invalid_client"})
        token = secrets.token_hex(16)
        self.tokens[token] = datetime.fromtimestamp(
            self.clock().timestamp() + TOKEN_SECONDS, tz=UTC
        )
        return jsonify({"token_type": "bearer", "access_token": token, "expires_in": TOKEN_SECONDS})


def _register(sb: HelpScoutSandbox) -> None:
    app = sb.app

    @app.post("/v2/oauth2/token")
    def token() -> Any:
        # The token endpoint takes form, JSON or query parameters (H-token).
        form = request.form.to_dict() or body_json() or request.args.to_dict()
        return sb.issue_token(form)

    @app.get("/v2/conversations")
    def list_conversations() -> Any:
        if (stop := sb.enter("conversations.list")) is not None:
            return stop
        args = request.args
        status = args.get("status", "active")
        since_text = args.get("modifiedSince")
        since = parse_since(since_text) if since_text else None
        bad: list[tuple[str, str]] = []
        if status not in LIST_STATUSES:
            bad.append(("status", "not a status"))
        if since_text and since is None:
            bad.append(("modifiedSince", "must be yyyy-MM-dd'T'HH:mm:ss'Z'"))
        if args.get("sortField", "createdAt") not in SORT_FIELDS:
            bad.append(("sortField", "not a sort field"))
        if args.get("sortOrder", "desc") not in ("asc", "desc"):
            bad.append(("sortOrder", "asc or desc"))
        page_text = args.get("page", "1")
        if not page_text.isdigit() or int(page_text) < 1:
            bad.append(("page", "must be a positive number"))
        if bad:
            return answer(400, error("Bad request", *bad))
        with sb.lock:
            ids = [
                i
                for i, c in sb.conversations.items()
                if (
                    status == "all"
                    or c["status"] == status
                    or (status == "open" and c["status"] == "active")
                )
                and (since is None or sb.modified[i] >= since)
            ]
            key = args.get("sortField", "createdAt")
            ids.sort(
                key=lambda i: sb.modified[i] if key == "modifiedAt" else int(i),
                reverse=args.get("sortOrder", "desc") == "desc",
            )
            embed = args.get("embed") == "threads"
            rows = [sb.view(i, base=sb.request_base_url(), threads=embed) for i in ids]
        query = "".join(f"{k}={v}&" for k, v in args.items() if k != "page")
        base = f"{sb.request_base_url()}/v2/conversations"
        return jsonify(hal_page("conversations", rows, int(page_text), base, query))

    @app.get("/v2/conversations/<conversation_id>")
    def show(conversation_id: str) -> Any:
        if (stop := sb.enter("tickets.show") or sb.find(conversation_id)) is not None:
            return stop
        embed = request.args.get("embed") == "threads"
        return jsonify(sb.view(conversation_id, base=sb.request_base_url(), threads=embed))

    @app.patch("/v2/conversations/<conversation_id>")
    def patch(conversation_id: str) -> Any:
        if (stop := sb.enter("conversations.update") or sb.find(conversation_id)) is not None:
            return stop
        body = body_json()
        if body is None:
            # One operation object, not a list of them (H-update).
            return answer(400, error("Bad request", ("", "expected one JSON patch operation")))
        op, path, value = body.get("op"), str(body.get("path") or ""), body.get("value")
        if op not in PATCH_OPS.get(path, ()):
            return answer(400, error("Bad request", ("op", f"{op!r} is not allowed on {path!r}")))
        if path == "/status":
            if value not in STATUSES:
                return answer(400, error("Bad request", ("value", "not a status")))
            sb.set_status(conversation_id, str(value), by=BRIDGE_USER_ID)
        elif path == "/assignTo" and op == "remove":
            sb.assign(conversation_id, None, by=BRIDGE_USER_ID)
        elif path == "/assignTo":
            if isinstance(value, bool) or not isinstance(value, int) or str(value) not in sb.users:
                return answer(400, error("Bad request", ("value", "not a user id")))
            sb.assign(conversation_id, str(value), by=BRIDGE_USER_ID)
        elif path == "/mailboxId":
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or str(value) not in sb.mailboxes
            ):
                return answer(400, error("Bad request", ("value", "not a mailbox id")))
            sb.move(conversation_id, str(value), by=BRIDGE_USER_ID)
        elif path == "/subject" and isinstance(value, str):
            with sb.lock:
                sb.conversations[conversation_id]["subject"] = value
        else:
            return answer(400, error("Bad request", ("value", "not supported by the stand-in")))
        return Response(status=204)

    @app.put("/v2/conversations/<conversation_id>/tags")
    def put_tags(conversation_id: str) -> Any:
        if (stop := sb.enter("conversations.tags") or sb.find(conversation_id)) is not None:
            return stop
        tags = (body_json() or {}).get("tags")
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            return answer(400, error("Bad request", ("tags", "must be a list of tag names")))
        sb.set_tags(conversation_id, tags)
        return Response(status=204)

    @app.put("/v2/conversations/<conversation_id>/fields")
    def put_fields(conversation_id: str) -> Any:
        if (stop := sb.enter("conversations.fields") or sb.find(conversation_id)) is not None:
            return stop
        fields = (body_json() or {}).get("fields")
        known = {f["id"]: f for f in sb.fields}
        if not isinstance(fields, list) or not all(
            isinstance(f, dict) and f.get("id") in known for f in fields
        ):
            return answer(400, error("Bad request", ("fields", "unknown field id")))
        for entry in fields:
            sb.set_field(conversation_id, known[entry["id"]]["name"], entry.get("value"))
        return Response(status=204)

    @app.post("/v2/conversations/<conversation_id>/notes")
    def note(conversation_id: str) -> Any:
        if (stop := sb.enter("conversations.notes") or sb.find(conversation_id)) is not None:
            return stop
        text = (body_json() or {}).get("text")
        if not isinstance(text, str) or not text.strip():
            return answer(400, error("Bad request", ("text", "may not be empty")))
        thread_id = sb.user_thread(conversation_id, "note", text, BRIDGE_USER_ID)
        return created(thread_id, f"/v2/conversations/{conversation_id}/threads/{thread_id}")

    @app.post("/v2/conversations/<conversation_id>/reply")
    def reply(conversation_id: str) -> Any:
        if (stop := sb.enter("conversations.reply") or sb.find(conversation_id)) is not None:
            return stop
        body = body_json() or {}
        text, customer = body.get("text"), body.get("customer")
        if not isinstance(text, str) or not text.strip():
            return answer(400, error("Bad request", ("text", "may not be empty")))
        customer_id = customer.get("id") if isinstance(customer, dict) else None
        if customer_id is None or str(customer_id) not in sb.customers:
            return answer(400, error("Bad request", ("customer", "a customer id is required")))
        thread_id = sb.user_thread(conversation_id, "reply", text, BRIDGE_USER_ID)
        return created(thread_id, f"/v2/conversations/{conversation_id}/threads/{thread_id}")
