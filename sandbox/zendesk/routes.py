"""The Zendesk stand-in's HTTP surface: the Support API calls a client makes (checked like Zendesk
checks them), the overview page, and the signed webhooks Zendesk sends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
from flask import Response, jsonify, request

from sandbox.common import SandboxService
from sandbox.desk_html import ticket_page
from sandbox.zendesk.jobs import register_jobs
from sandbox.zendesk.search import register_search
from sandbox.zendesk.state import ZendeskState
from sandbox.zendesk.wire import (
    PAGE_MAX,
    UNAUTHENTICATED,
    Json,
    condition_problems,
    cursor_page,
    decode_cursor,
    encode_cursor,
    error_body,
    export_page,
    iso,
    offset_page,
    record_invalid,
    webhook_request,
)


class ZendeskSandbox(ZendeskState, SandboxService):
    name = "zendesk"

    def __init__(
        self,
        *,
        email: str = "bridge@example.com",
        token: str = "sandbox-token",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        SandboxService.__init__(self)  # first: the state shares its lock
        ZendeskState.__init__(self, email=email, token=token, clock=clock)
        _register(self)

    def reset(self) -> None:
        """Forget every ticket, user, fault and count (a served sandbox is reused across tests)."""
        self.calls.clear()
        self.faults.clear()
        super().reset()

    def deliver_webhook(
        self, url: str, payload: Json, secret: str, *, timeout: float = 5.0
    ) -> requests.Response:
        """POST a trigger body to the bridge, signed and headed like Zendesk does."""
        body, headers = webhook_request(payload, secret, iso(self.clock()))
        return requests.post(url, data=body, timeout=timeout, headers=headers)

    def _enter(self, endpoint: str) -> Response | None:
        fault = self.hit(endpoint)
        if fault is not None:
            return fault
        auth = request.authorization
        if auth is None or auth.username != f"{self.email}/token" or auth.password != self.token:
            return _answer(401, error_body(UNAUTHENTICATED))
        return None

    def _missing(self, ticket_id: int) -> Response | None:
        return None if ticket_id in self.tickets else _not_found()


def _answer(status: int, body: Json) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _truthy(value: object) -> bool:
    return value is True or str(value).lower() == "true"


def _not_found() -> Response:
    return _answer(404, error_body("RecordNotFound", "Not found"))


def _register(sb: ZendeskSandbox) -> None:
    app = sb.app
    register_search(app, sb)
    register_jobs(app, sb)

    @app.get("/")
    def index() -> str:
        with sb.lock:
            rows = [
                (
                    {
                        **t,
                        "group": sb.groups.get(t["group_id"], {}).get("name", t["group_id"]),
                        "assignee": t["assignee_id"],
                    },
                    [
                        {
                            "author": sb.users.get(c["author_id"], {}).get("name"),
                            "public": c["public"],
                            "text": c["body"],
                            "created_at": c["created_at"],
                        }
                        for c in sb.comments[i]
                    ],
                )
                for i, t in sorted(sb.tickets.items())
            ]
        return ticket_page("Zendesk sandbox", rows)

    @app.get("/api/v2/tickets/<int:ticket_id>.json")
    def show_ticket(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.show") or sb._missing(ticket_id)) is not None:
            return stop
        return jsonify({"ticket": sb.show_ticket(ticket_id, sb.request_base_url())})

    @app.put("/api/v2/tickets/<int:ticket_id>.json")
    def update_ticket(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.update") or sb._missing(ticket_id)) is not None:
            return stop
        fields = dict((request.get_json(silent=True) or {}).get("ticket") or {})
        if details := sb.invalid_assignment(fields):
            return _answer(422, record_invalid(details))
        with sb.lock:
            audit = sb.update_ticket(ticket_id, fields)
            body = {"ticket": sb.show_ticket(ticket_id, sb.request_base_url()), "audit": audit}
        if sb.take_lost("tickets.update"):
            return _answer(503, error_body("ServiceUnavailable"))
        return jsonify(body)

    @app.route("/api/v2/tickets/<int:ticket_id>/tags.json", methods=["GET", "PUT", "DELETE"])
    @app.route("/api/v2/tickets/<int:ticket_id>/tags", methods=["GET", "PUT", "DELETE"])
    def ticket_tags(ticket_id: int) -> Any:
        endpoint = f"tags.{request.method.lower()}"
        if (stop := sb._enter(endpoint) or sb._missing(ticket_id)) is not None:
            return stop
        if request.method == "GET":
            return jsonify({"tags": list(sb.tickets[ticket_id]["tags"])})
        body = request.get_json(silent=True) or {}
        tags = body.get("tags")
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            return _answer(400, error_body("InvalidValue", "tags must be a list of strings"))
        with sb.lock:
            # OAS tags, Safe Update: with safe_update the change happens only when
            # updated_stamp is the ticket's updated_at; otherwise 409 Conflict.
            stamp = body.get("updated_stamp")
            if _truthy(body.get("safe_update")) and stamp != sb.tickets[ticket_id]["updated_at"]:
                return _answer(409, error_body("UpdateConflict", "ticket changed since"))
            changed = sb.change_tags(ticket_id, tags, add=request.method == "PUT")
        return jsonify({"tags": changed})

    @app.get("/api/v2/tickets/<int:ticket_id>/comments.json")
    def list_comments(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.comments") or sb._missing(ticket_id)) is not None:
            return stop
        size = int(request.args.get("page[size]", 100))
        start = max(0, decode_cursor(request.args.get("page[after]", encode_cursor(0))))
        rows, more = sb.comment_slice(ticket_id, start, size)
        return _cursor_answer("comments", rows, more, start, size, f"tickets/{ticket_id}/comments")

    @app.get("/api/v2/tickets/<int:ticket_id>/audits.json")
    def list_audits(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.audits") or sb._missing(ticket_id)) is not None:
            return stop
        size = min(PAGE_MAX, int(request.args.get("page[size]", PAGE_MAX)))
        start = max(0, decode_cursor(request.args.get("page[after]", encode_cursor(0))))
        rows, more = sb.audit_slice(ticket_id, start, size)
        return _cursor_answer("audits", rows, more, start, size, f"tickets/{ticket_id}/audits")

    @app.get("/api/v2/ticket_fields.json")
    def list_ticket_fields() -> Any:
        if (stop := sb._enter("ticket_fields.list")) is not None:
            return stop
        base = f"{sb.request_base_url()}/api/v2/ticket_fields"
        with sb.lock:
            rows = [{"url": f"{base}/{f['id']}.json", **f} for f in sb.ticket_fields]
        if "page[size]" not in request.args:
            # "If the results are not paginated, every field is returned".
            return jsonify(
                offset_page("ticket_fields", rows, len(rows), next_url=None, previous_url=None)
            )
        size = min(PAGE_MAX, int(request.args["page[size]"]))
        start = max(0, decode_cursor(request.args.get("page[after]", encode_cursor(0))))
        page = rows[start : start + size]
        return _cursor_answer(
            "ticket_fields", page, start + size < len(rows), start, size, "ticket_fields"
        )

    def _cursor_answer(
        key: str, rows: list[Json], more: bool, start: int, size: int, path: str
    ) -> Response:
        after = encode_cursor(start + size)
        next_url = (
            f"{sb.request_base_url()}/api/v2/{path}.json?page%5Bafter%5D={after}"
            f"&page%5Bsize%5D={size}"
        )
        return jsonify(cursor_page(key, rows, more=more, after=after, next_url=next_url))

    @app.get("/api/v2/users/<int:user_id>.json")
    def show_user(user_id: int) -> Any:
        if (stop := sb._enter("users.show")) is not None:
            return stop
        user = sb.users.get(user_id)
        return jsonify({"user": user}) if user else _not_found()

    @app.get("/api/v2/users/search.json")
    def search_users() -> Any:
        if (stop := sb._enter("users.search")) is not None:
            return stop
        rows = sb.search_users(request.args.get("query", "").strip().casefold())
        return jsonify(offset_page("users", rows, len(rows), next_url=None, previous_url=None))

    @app.get("/api/v2/groups.json")
    def list_groups() -> Any:
        if (stop := sb._enter("groups.list")) is not None:
            return stop
        size = min(sb.group_page_size, int(request.args.get("per_page", 100)))
        page = max(1, int(request.args.get("page", 1)))
        base = f"{sb.request_base_url()}/api/v2/groups.json"
        with sb.lock:
            groups = [
                {"url": f"{base.removesuffix('.json')}/{g['id']}.json", **g}
                for _, g in sorted(sb.groups.items())
            ]
        more = page * size < len(groups)
        return jsonify(
            offset_page(
                "groups",
                groups[(page - 1) * size : page * size],
                len(groups),
                next_url=f"{base}?page={page + 1}&per_page={size}" if more else None,
                previous_url=f"{base}?page={page - 1}&per_page={size}" if page > 1 else None,
            )
        )

    @app.get("/api/v2/users/me.json")
    def me() -> Any:
        return sb._enter("users.me") or jsonify({"user": sb.users[sb.bridge_user_id]})

    @app.get("/api/v2/organizations/<int:org_id>.json")
    def show_org(org_id: int) -> Any:
        if (stop := sb._enter("organizations.show")) is not None:
            return stop
        org = sb.orgs.get(org_id)
        return jsonify({"organization": org}) if org else _not_found()

    @app.get("/api/v2/incremental/tickets/cursor.json")
    def incremental() -> Any:
        if (stop := sb._enter("incremental.tickets")) is not None:
            return stop
        if sb.users[sb.bridge_user_id]["role"] != "admin":
            # OAS incremental: "Allowed For: Admins". The body is Zendesk's usual 403 shape.
            return _answer(403, error_body("Forbidden", "You do not have access to this page"))
        size = min(sb.export_page_size, int(request.args.get("per_page", 1000)))
        after = decode_cursor(request.args["cursor"]) if "cursor" in request.args else None
        if after is not None and after < 0:
            return _answer(400, error_body("InvalidCursor", "cursor is not valid"))
        since = int(request.args.get("start_time", 0)) if after is None else 0
        rows, last, end = sb.export_page(
            after=after,
            start_time=since,
            size=size,
            base_url=sb.request_base_url(),
        )
        cursor = encode_cursor(last)
        url = f"{sb.request_base_url()}/api/v2/incremental/tickets/cursor.json?cursor={cursor}"
        return jsonify(export_page(rows, cursor=cursor, after_url=url, end=end))

    @app.route("/api/v2/webhooks", methods=["GET", "POST"])
    def webhooks() -> Any:
        if (stop := sb._enter(f"webhooks.{request.method.lower()}")) is not None:
            return stop
        if request.method == "GET":
            # D-webhooks: cursor pagination (page[size], page[after]), name filter.
            wanted = request.args.get("filter[name_contains]", "").casefold()
            with sb.lock:
                rows = [h for h in sb.webhooks.values() if wanted in h["name"].casefold()]
            shown = [{k: v for k, v in h.items() if k != "secret"} for h in rows]
            size = min(PAGE_MAX, int(request.args.get("page[size]", PAGE_MAX)))
            size = min(size, sb.hook_page_size)
            start = max(0, decode_cursor(request.args.get("page[after]", encode_cursor(0))))
            page, more = shown[start : start + size], start + size < len(shown)
            after = encode_cursor(start + size)
            base = f"{sb.request_base_url()}/api/v2/webhooks"
            next_url = f"{base}?page%5Bafter%5D={after}&page%5Bsize%5D={size}" if more else None
            return jsonify(
                {
                    "webhooks": page,
                    "meta": {"has_more": more, "after_cursor": after if more else None},
                    "links": {"next": next_url, "prev": None},
                }
            )
        spec = dict((request.get_json(silent=True) or {}).get("webhook") or {})
        missing = [k for k in ("name", "endpoint", "http_method", "request_format", "status")
                   if not spec.get(k)]  # fmt: skip
        if missing:
            details = {
                k: [{"description": f"{k} is required", "error": "BlankValue"}] for k in missing
            }
            return _answer(400, {"errors": [{"code": "InvalidInput", "details": details}]})
        hook = sb.add_webhook(spec)
        return jsonify({"webhook": {k: v for k, v in hook.items() if k != "secret"}}), 201

    @app.get("/api/v2/webhooks/<hook_id>/signing_secret")
    def signing_secret(hook_id: str) -> Any:
        if (stop := sb._enter("webhooks.secret")) is not None:
            return stop
        hook = sb.webhooks.get(hook_id)
        if hook is None:
            return _not_found()
        return jsonify({"signing_secret": {"algorithm": "SHA256", "secret": hook["secret"]}})

    @app.route("/api/v2/triggers.json", methods=["GET", "POST"])
    def triggers() -> Any:
        if (stop := sb._enter(f"triggers.{request.method.lower()}")) is not None:
            return stop
        if request.method == "GET":
            # OAS triggers: offset pagination, "a maximum of 100 records per page".
            size = min(sb.trigger_page_size, int(request.args.get("per_page", PAGE_MAX)))
            page = max(1, int(request.args.get("page", 1)))
            base = f"{sb.request_base_url()}/api/v2/triggers.json"
            with sb.lock:
                rows = [t for _, t in sorted(sb.triggers.items())]
            more = page * size < len(rows)
            return jsonify(
                offset_page(
                    "triggers",
                    rows[(page - 1) * size : page * size],
                    len(rows),
                    next_url=f"{base}?page={page + 1}&per_page={size}" if more else None,
                    previous_url=f"{base}?page={page - 1}&per_page={size}" if page > 1 else None,
                )
            )
        spec = dict((request.get_json(silent=True) or {}).get("trigger") or {})
        problems = condition_problems(spec.get("conditions"))
        if not spec.get("title") or not spec.get("actions"):
            problems.append({"description": "Title and actions are required"})
        if problems:
            return _answer(422, record_invalid({"base": problems}))
        trigger = sb.add_trigger(spec)
        return jsonify({"trigger": trigger}), 201
