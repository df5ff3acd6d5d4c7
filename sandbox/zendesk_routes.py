"""The HTTP routes of the Zendesk sandbox (its state lives in sandbox.zendesk)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Response, jsonify, request

from sandbox.desk_html import ticket_page
from sandbox.zendesk import decode_cursor, encode_cursor, error_response

if TYPE_CHECKING:
    from sandbox.zendesk import ZendeskSandbox


def register(sb: ZendeskSandbox) -> None:
    app = sb.app

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
        with sb.lock:
            return jsonify({"ticket": sb._ticket_json(ticket_id)})

    @app.put("/api/v2/tickets/<int:ticket_id>.json")
    def update_ticket(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.update") or sb._missing(ticket_id)) is not None:
            return stop
        fields = dict((request.get_json(silent=True) or {}).get("ticket") or {})
        if (invalid := _invalid_assignment(sb, fields)) is not None:
            return invalid
        with sb.lock:
            events, ticket = [], sb.tickets[ticket_id]
            comment = fields.pop("comment", None)
            if isinstance(comment, dict):
                comment_id = sb._comment(
                    ticket_id,
                    sb.bridge_user_id,
                    str(comment.get("body", "")),
                    public=bool(comment.get("public", True)),
                )
                events.append({**sb.comments[ticket_id][-1], "id": comment_id})
            tags = set(ticket["tags"]) | set(fields.pop("additional_tags", None) or [])
            ticket["tags"] = sorted(tags - set(fields.pop("remove_tags", None) or []))
            for key in ("group_id", "assignee_id", "priority", "status", "tags"):
                if key in fields:
                    events.append(
                        {
                            "id": next(sb.ids),
                            "type": "Change",
                            "field_name": key,
                            "value": fields[key],
                            "previous_value": ticket.get(key),
                        }
                    )
                    ticket[key] = fields[key]
            sb._touch(ticket_id)
            body = {
                "ticket": sb._ticket_json(ticket_id),
                "audit": {
                    "id": next(sb.ids),
                    "ticket_id": ticket_id,
                    "author_id": sb.bridge_user_id,
                    "created_at": ticket["updated_at"],
                    "events": events,
                },
            }
        if "tickets.update" in sb.lost:
            sb.lost.discard("tickets.update")
            return error_response(503, "ServiceUnavailable")
        return jsonify(body)

    @app.get("/api/v2/tickets/<int:ticket_id>/comments.json")
    def list_comments(ticket_id: int) -> Any:
        if (stop := sb._enter("tickets.comments") or sb._missing(ticket_id)) is not None:
            return stop
        size = int(request.args.get("page[size]", 100))
        start = max(0, decode_cursor(request.args.get("page[after]", encode_cursor(0))))
        with sb.lock:
            rows = sb.comments[ticket_id][start : start + size]
            more = start + size < len(sb.comments[ticket_id])
        after = encode_cursor(start + size)
        base = f"{sb.request_base_url()}/api/v2/tickets/{ticket_id}/comments.json"
        return jsonify(
            {
                "comments": rows,
                "meta": {"has_more": more, "after_cursor": after, "before_cursor": None},
                "links": {
                    "prev": None,
                    "next": f"{base}?page%5Bafter%5D={after}&page%5Bsize%5D={size}"
                    if more
                    else None,
                },
            }
        )

    @app.get("/api/v2/users/<int:user_id>.json")
    def show_user(user_id: int) -> Any:
        if (stop := sb._enter("users.show")) is not None:
            return stop
        user = sb.users.get(user_id)
        return (
            jsonify({"user": user}) if user else error_response(404, "RecordNotFound", "Not found")
        )

    @app.get("/api/v2/users/search.json")
    def search_users() -> Any:
        if (stop := sb._enter("users.search")) is not None:
            return stop
        query = request.args.get("query", "").strip().casefold()
        field, _, value = query.partition(":")
        with sb.lock:
            if field == "email":
                rows = [u for u in sb.users.values() if str(u["email"]).casefold() == value]
            else:
                rows = [
                    u
                    for u in sb.users.values()
                    if query in str(u["name"]).casefold() or query in str(u["email"]).casefold()
                ]
        return jsonify(
            {"users": rows, "next_page": None, "previous_page": None, "count": len(rows)}
        )

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
        rows = groups[(page - 1) * size : page * size]
        more = page * size < len(groups)
        return jsonify(
            {
                "groups": rows,
                "next_page": f"{base}?page={page + 1}&per_page={size}" if more else None,
                "previous_page": f"{base}?page={page - 1}&per_page={size}" if page > 1 else None,
                "count": len(groups),
            }
        )

    @app.get("/api/v2/users/me.json")
    def me() -> Any:
        return sb._enter("users.me") or jsonify({"user": sb.users[sb.bridge_user_id]})

    @app.get("/api/v2/organizations/<int:org_id>.json")
    def show_org(org_id: int) -> Any:
        if (stop := sb._enter("organizations.show")) is not None:
            return stop
        org = sb.orgs.get(org_id)
        return (
            jsonify({"organization": org})
            if org
            else error_response(404, "RecordNotFound", "Not found")
        )

    @app.get("/api/v2/incremental/tickets/cursor.json")
    def incremental() -> Any:
        if (stop := sb._enter("incremental.tickets")) is not None:
            return stop
        size = min(sb.export_page_size, int(request.args.get("per_page", 1000)))
        with sb.lock:
            if "cursor" in request.args:
                after = decode_cursor(request.args["cursor"])
                if after < 0:
                    return error_response(400, "InvalidCursor", "cursor is not valid")
                order = sorted((s, i) for i, s in sb.changed.items() if s > after)
            else:
                since = int(request.args.get("start_time", 0))
                order = sorted(
                    (s, i)
                    for i, s in sb.changed.items()
                    if datetime.fromisoformat(
                        sb.tickets[i]["updated_at"].replace("Z", "+00:00")
                    ).timestamp()
                    >= since
                )
                after = order[0][0] - 1 if order else max(sb.changed.values(), default=0)
            page = order[:size]
            last = page[-1][0] if page else after
            rows = [
                {**sb._ticket_json(i), "generated_timestamp": int(sb.clock().timestamp())}
                for _, i in page
            ]
        cursor = encode_cursor(last)
        url = f"{sb.request_base_url()}/api/v2/incremental/tickets/cursor.json?cursor={cursor}"
        return jsonify(
            {
                "tickets": rows,
                "after_url": url,
                "after_cursor": cursor,
                "before_url": None,
                "before_cursor": None,
                "end_of_stream": len(order) <= size,
            }
        )

    @app.route("/api/v2/webhooks", methods=["GET", "POST"])
    def webhooks() -> Any:
        if (stop := sb._enter(f"webhooks.{request.method.lower()}")) is not None:
            return stop
        if request.method == "GET":
            return jsonify(
                {
                    "webhooks": list(sb.webhooks.values()),
                    "meta": {"has_more": False},
                    "links": {"next": None},
                }
            )
        hook = dict((request.get_json(silent=True) or {}).get("webhook") or {})
        hook.update(id=f"01SANDBOX{len(sb.webhooks):017d}", secret=secrets.token_urlsafe(24))
        sb.webhooks[hook["id"]] = hook
        return jsonify({"webhook": {k: v for k, v in hook.items() if k != "secret"}}), 201

    @app.get("/api/v2/webhooks/<hook_id>/signing_secret")
    def signing_secret(hook_id: str) -> Any:
        if (stop := sb._enter("webhooks.secret")) is not None:
            return stop
        hook = sb.webhooks.get(hook_id)
        if hook is None:
            return error_response(404, "RecordNotFound", "Not found")
        return jsonify({"signing_secret": {"algorithm": "SHA256", "secret": hook["secret"]}})

    @app.route("/api/v2/triggers.json", methods=["GET", "POST"])
    def triggers() -> Any:
        if (stop := sb._enter(f"triggers.{request.method.lower()}")) is not None:
            return stop
        if request.method == "GET":
            return jsonify(
                {
                    "triggers": list(sb.triggers.values()),
                    "next_page": None,
                    "count": len(sb.triggers),
                }
            )
        trigger = dict((request.get_json(silent=True) or {}).get("trigger") or {})
        trigger["id"] = next(sb.ids)
        sb.triggers[trigger["id"]] = trigger
        return jsonify({"trigger": trigger}), 201


def _invalid_assignment(sb: ZendeskSandbox, fields: dict[str, Any]) -> Response | None:
    """Zendesk refuses a group or assignee it does not know (422 RecordInvalid)."""
    details: dict[str, list[dict[str, str]]] = {}
    group = sb.groups.get(fields.get("group_id") or 0)
    if fields.get("group_id") is not None and (group is None or group["deleted"]):
        details["group"] = [{"description": "Group: is invalid", "error": "InvalidValue"}]
    assignee = sb.users.get(fields.get("assignee_id") or 0, {})
    if fields.get("assignee_id") is not None and assignee.get("role") not in ("agent", "admin"):
        details["assignee"] = [{"description": "Assignee: is invalid", "error": "InvalidValue"}]
    if not details:
        return None
    response = jsonify(
        {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    )
    response.status_code = 422
    return response
