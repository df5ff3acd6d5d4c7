"""The Freshdesk stand-in's HTTP surface: the API v2 calls a client makes (checked like Freshdesk
checks them), the overview page, and the automation webhooks Freshdesk sends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Response, jsonify, request

from sandbox.common import SandboxService
from sandbox.desk_html import ticket_page
from sandbox.freshdesk.automations import register_automations
from sandbox.freshdesk.limits import RateLimits
from sandbox.freshdesk.state import FreshdeskState
from sandbox.freshdesk.wire import (
    LIST_PAGES_MAX,
    NOT_LOGGED_IN,
    PER_PAGE_DEFAULT,
    PER_PAGE_MAX,
    PRIORITY_LABELS,
    STATUS_LABELS,
    UPDATABLE_FIELDS,
    Json,
    error_body,
    field_error,
    next_link,
    validation_failed,
    webhook_body,
)


class FreshdeskSandbox(FreshdeskState, SandboxService):
    name = "freshdesk"

    def __init__(
        self,
        *,
        api_key: str = "sandbox-key",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_pages: int = LIST_PAGES_MAX,
        plan: str = "enterprise",
    ) -> None:
        SandboxService.__init__(self)  # first: the state shares its lock
        self.limits = RateLimits(plan, clock)
        FreshdeskState.__init__(self, api_key=api_key, clock=clock, max_pages=max_pages)
        _register(self)
        self.app.before_request(self._limit)
        self.app.after_request(self._limit_headers)

    def reset(self) -> None:
        """Forget every ticket, contact, fault and count (a served sandbox is reused in tests)."""
        self.calls.clear()
        self.faults.clear()
        self.limits.reset()
        super().reset()

    def _limit(self) -> Response | None:
        if not request.path.startswith("/api/"):
            return None
        headers, wait = self.limits.spend(request.method, request.path)
        request.environ["sandbox.ratelimit"] = headers
        if wait is None:
            return None
        response = _answer(429, {"code": "rate_limited", "message": "API rate limit exceeded"})
        response.headers["Retry-After"] = str(max(1, round(wait)))
        return response

    def _limit_headers(self, response: Response) -> Response:
        response.headers.update(request.environ.get("sandbox.ratelimit", {}))
        return response

    def deliver_webhook(
        self,
        url: str,
        ticket_id: int,
        secret: str,
        *,
        event: str = "{ticket_action:updated}",
        timeout: float = 5.0,
    ) -> requests.Response:
        """POST an automation body with HTTP Basic (the secret as password), as Freshdesk does."""
        ticket_url = f"{self.base_url}/a/tickets/{ticket_id}"
        body = webhook_body(self.tickets[ticket_id], ticket_url, event)
        return requests.post(url, json=body, auth=("freshdesk", secret), timeout=timeout)

    def _enter(self, endpoint: str) -> Response | None:
        fault = self.hit(endpoint)
        if fault is not None:
            return fault
        auth = request.authorization
        if auth is None or auth.username != self.api_key:
            return _answer(401, error_body("invalid_credentials", NOT_LOGGED_IN))
        return None

    def _find(self, ticket_id: int) -> Response | None:
        if ticket_id in self.tickets:
            return None
        return _answer(404, error_body("not_found", "Ticket not found"))

    def _page(self, rows: list[Json], path: str, args: dict[str, Any]) -> Response:
        per_page = min(PER_PAGE_MAX, int(request.args.get("per_page", PER_PAGE_DEFAULT)))
        page = int(request.args.get("page", 1))
        response = jsonify(rows[(page - 1) * per_page : page * per_page])
        if page * per_page < len(rows):
            query = urlencode({**args, "per_page": per_page, "page": page + 1})
            response.headers["Link"] = next_link(f"{self.request_base_url()}{path}?{query}")
        return response


def _answer(status: int, body: Json) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _register(sb: FreshdeskSandbox) -> None:
    app = sb.app
    register_automations(app, sb)

    @app.get("/")
    def index() -> str:
        with sb.lock:
            rows = [
                (
                    {
                        **t,
                        "status": STATUS_LABELS.get(t["status"], t["status"]),
                        "priority": PRIORITY_LABELS.get(t["priority"]),
                        "group": sb.groups.get(t["group_id"], {}).get("name", t["group_id"]),
                        "assignee": t["responder_id"],
                    },
                    [
                        {
                            "author": "customer" if c["incoming"] else f"agent {c['user_id']}",
                            "public": not c["private"],
                            "text": c["body_text"],
                            "created_at": c["created_at"],
                        }
                        for c in sb.conversations[i]
                    ],
                )
                for i, t in sorted(sb.tickets.items())
            ]
        return ticket_page("Freshdesk sandbox", rows)

    @app.get("/api/v2/tickets")
    def list_tickets() -> Any:
        if (stop := sb._enter("tickets.list")) is not None:
            return stop
        if int(request.args.get("page", 1)) > sb.max_pages:
            message = f"page: It should be less than or equal to {sb.max_pages}"
            return _answer(400, error_body("invalid_value", message))
        rows = sb.updated_since(request.args.get("updated_since", "1970-01-01T00:00:00Z"))
        args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
        return sb._page(rows, "/api/v2/tickets", args)

    @app.get("/api/v2/tickets/<int:ticket_id>")
    def show_ticket(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.show") or sb._find(ticket_id)) is not None:
            return stop
        include = set(request.args.get("include", "").split(","))
        return jsonify(sb.view_ticket(ticket_id, include))

    @app.put("/api/v2/tickets/<int:ticket_id>")
    def update_ticket(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.update") or sb._find(ticket_id)) is not None:
            return stop
        fields = request.get_json(silent=True) or {}
        if unknown := set(fields) - UPDATABLE_FIELDS:
            message = "Unexpected/invalid field in request"
            errors = [field_error(f, message, "invalid_field") for f in sorted(unknown)]
            return _answer(400, validation_failed(errors))
        if errors := sb.unknown_assignment(fields):
            return _answer(400, validation_failed(errors))
        sb.change(ticket_id, **fields)
        return jsonify(sb.tickets[ticket_id])

    @app.get("/api/v2/ticket_fields")
    def ticket_fields() -> Any:
        if (stop := sb._enter("ticket_fields.list")) is not None:
            return stop
        with sb.lock:
            rows = [dict(field) for field in sb.ticket_fields]
        # Not paginated: "List All Ticket Fields" returns every field in one array.
        return jsonify(rows)

    @app.get("/api/v2/tickets/<int:ticket_id>/conversations")
    def conversations(ticket_id: int) -> Any:
        if (stop := sb._enter("conversations.list") or sb._find(ticket_id)) is not None:
            return stop
        with sb.lock:
            rows = list(sb.conversations[ticket_id])
        return sb._page(rows, f"/api/v2/tickets/{ticket_id}/conversations", {})

    @app.post("/api/v2/tickets/<int:ticket_id>/<any(notes, reply):kind>")
    def post(ticket_id: int, kind: str) -> Any:
        endpoint = f"tickets.{kind}"
        if (stop := sb._enter(endpoint) or sb._find(ticket_id)) is not None:
            return stop
        fields = request.get_json(silent=True) or {}
        if not fields.get("body"):
            errors = [field_error("body", "It should not be blank", "missing_field")]
            return _answer(400, validation_failed(errors))
        note = kind == "notes"
        item = sb.add_agent_post(
            ticket_id,
            str(fields["body"]),
            note=note,
            private=bool(fields.get("private", True)) if note else False,
        )
        if sb.take_lost(endpoint):
            return _answer(503, error_body("service_unavailable", "Service unavailable"))
        return jsonify(item), 201

    @app.get("/api/v2/tickets/<int:ticket_id>/satisfaction_ratings")
    def ratings(ticket_id: int) -> Any:
        if (stop := sb._enter("satisfaction_ratings") or sb._find(ticket_id)) is not None:
            return stop
        return jsonify(sb.ratings.get(ticket_id, []))

    @app.get("/api/v2/<any(contacts, companies):kind>/<int:item_id>")
    def show_party(kind: str, item_id: int) -> Any:
        if (stop := sb._enter(f"{kind}.show")) is not None:
            return stop
        item = (sb.contacts if kind == "contacts" else sb.companies).get(item_id)
        return jsonify(item) if item else _answer(404, error_body("not_found", f"{kind} not found"))

    @app.get("/api/v2/agents/me")
    def me() -> Any:
        return sb._enter("agents.me") or jsonify(sb.agents[sb.agent_id])

    @app.get("/api/v2/agents/<int:agent_id>")
    def show_agent(agent_id: int) -> Any:
        if (stop := sb._enter("agents.show")) is not None:
            return stop
        agent = sb.agents.get(agent_id)
        return jsonify(agent) if agent else _answer(404, error_body("not_found", "agent not found"))

    @app.get("/api/v2/agents")
    def list_agents() -> Any:
        if (stop := sb._enter("agents.list")) is not None:
            return stop
        email = request.args.get("email", "").casefold()
        with sb.lock:
            rows = [
                a
                for _, a in sorted(sb.agents.items())
                if not email or a["contact"]["email"].casefold() == email
            ]
        args = {"email": request.args["email"]} if "email" in request.args else {}
        return sb._page(rows, "/api/v2/agents", args)

    @app.get("/api/v2/groups")
    def list_groups() -> Any:
        if (stop := sb._enter("groups.list")) is not None:
            return stop
        with sb.lock:
            rows = [g for _, g in sorted(sb.groups.items())]
        return sb._page(rows, "/api/v2/groups", {})
