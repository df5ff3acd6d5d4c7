"""The HTTP routes of the Freshdesk sandbox (its state lives in sandbox.freshdesk)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, jsonify, request

from sandbox.desk_html import ticket_page
from sandbox.freshdesk import PRIORITY_LABELS, STATUS_LABELS, error_response

if TYPE_CHECKING:
    from sandbox.freshdesk import FreshdeskSandbox


def register(sb: FreshdeskSandbox) -> None:
    app = sb.app

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
            return error_response(
                400,
                "invalid_value",
                f"page: It should be less than or equal to {sb.max_pages}",
            )
        since = request.args.get("updated_since", "1970-01-01T00:00:00Z")
        with sb.lock:
            rows = sorted(
                (t for t in sb.tickets.values() if t["updated_at"] >= since),
                key=lambda t: (t["updated_at"], t["id"]),
            )
            rows = [dict(t) for t in rows]
        args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
        return sb._page(rows, "/api/v2/tickets", args)

    @app.get("/api/v2/tickets/<int:ticket_id>")
    def show_ticket(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.show") or sb._find(ticket_id)) is not None:
            return stop
        with sb.lock:
            body = dict(sb.tickets[ticket_id])
            include = set(request.args.get("include", "").split(","))
            if "requester" in include:
                contact = sb.contacts.get(body["requester_id"], {})
                body["requester"] = {
                    k: contact.get(k) for k in ("id", "name", "email", "mobile", "phone")
                }
            if "stats" in include:
                body["stats"] = {
                    "agent_responded_at": None,
                    "requester_responded_at": None,
                    "first_responded_at": None,
                    "status_updated_at": body["updated_at"],
                    "reopened_at": None,
                    "resolved_at": None,
                    "closed_at": None,
                    "pending_since": None,
                }
        return jsonify(body)

    @app.put("/api/v2/tickets/<int:ticket_id>")
    def update_ticket(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.update") or sb._find(ticket_id)) is not None:
            return stop
        fields = request.get_json(silent=True) or {}
        allowed = {"status", "priority", "group_id", "responder_id", "tags", "custom_fields"}
        if unknown := set(fields) - allowed:
            return jsonify(
                {
                    "description": "Validation failed",
                    "errors": [
                        {
                            "field": f,
                            "message": "Unexpected/invalid field in request",
                            "code": "invalid_field",
                        }
                        for f in sorted(unknown)
                    ],
                }
            ), 400
        if (invalid := _unknown_assignment(sb, fields)) is not None:
            return invalid
        sb.change(ticket_id, **fields)
        return jsonify(sb.tickets[ticket_id])

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
            return jsonify(
                {
                    "description": "Validation failed",
                    "errors": [
                        {
                            "field": "body",
                            "message": "It should not be blank",
                            "code": "missing_field",
                        }
                    ],
                }
            ), 400
        private = bool(fields.get("private", True)) if kind == "notes" else False
        with sb.lock:
            item_id = sb._conversation(
                ticket_id,
                sb.agent_id,
                str(fields["body"]),
                private=private,
                incoming=False,
                source=2 if kind == "notes" else 0,
            )
            item = next(c for c in sb.conversations[ticket_id] if c["id"] == item_id)
        if endpoint in sb.lost:
            sb.lost.discard(endpoint)
            return error_response(503, "service_unavailable", "Service unavailable")
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
        return jsonify(item) if item else error_response(404, "not_found", f"{kind} not found")

    @app.get("/api/v2/agents/me")
    def me() -> Any:
        return sb._enter("agents.me") or jsonify(sb.agents[sb.agent_id])

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


def _unknown_assignment(
    sb: FreshdeskSandbox, fields: dict[str, Any]
) -> tuple[Response, int] | None:
    """Freshdesk answers a group or agent it does not know with a 400 validation error."""
    errors = [
        {
            "field": field,
            "message": f"There is no {kind} matching the given {field}",
            "code": "invalid_value",
        }
        for field, kind, known in (
            ("group_id", "group", sb.groups),
            ("responder_id", "agent", sb.agents),
        )
        if fields.get(field) is not None and fields[field] not in known
    ]
    if not errors:
        return None
    return jsonify({"description": "Validation failed", "errors": errors}), 400
