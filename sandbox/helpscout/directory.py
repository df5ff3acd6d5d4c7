"""The Help Scout stand-in's directory and account routes: customers, users, mailboxes with their
custom fields, and webhooks (FACTS.md H-customer, H-webhooks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import jsonify, request

from sandbox.helpscout.answers import answer, body_json, created
from sandbox.helpscout.state import BRIDGE_USER_ID
from sandbox.helpscout.wire import SECRET_MAX, WEBHOOK_EVENTS, error, hal_page

if TYPE_CHECKING:
    from sandbox.helpscout.routes import HelpScoutSandbox


def register_directory(sb: HelpScoutSandbox) -> None:
    app = sb.app

    @app.get("/v2/customers/<customer_id>")
    def customer(customer_id: str) -> Any:
        if (stop := sb.enter("customers.show")) is not None:
            return stop
        found = sb.customers.get(customer_id)
        return jsonify(found) if found else answer(404, error("Resource not found"))

    @app.get("/v2/users/me")
    def me() -> Any:
        if (stop := sb.enter("users.me")) is not None:
            return stop
        return jsonify(sb.users[BRIDGE_USER_ID])

    @app.get("/v2/users")
    def users() -> Any:
        if (stop := sb.enter("users.list")) is not None:
            return stop
        email = request.args.get("email")
        with sb.lock:
            rows = [u for u in sb.users.values() if email in (None, u["email"])]
        return jsonify(hal_page("users", rows, 1, f"{sb.request_base_url()}/v2/users", ""))

    @app.get("/v2/mailboxes")
    def mailboxes() -> Any:
        if (stop := sb.enter("mailboxes.list")) is not None:
            return stop
        with sb.lock:
            rows = list(sb.mailboxes.values())
        return jsonify(hal_page("mailboxes", rows, 1, f"{sb.request_base_url()}/v2/mailboxes", ""))

    @app.get("/v2/mailboxes/<mailbox_id>/fields")
    def mailbox_fields(mailbox_id: str) -> Any:
        if (stop := sb.enter("ticket_fields.list")) is not None:
            return stop
        if mailbox_id not in sb.mailboxes:
            return answer(404, error("Resource not found"))
        base = f"{sb.request_base_url()}/v2/mailboxes/{mailbox_id}/fields"
        return jsonify(hal_page("fields", list(sb.fields), 1, base, ""))

    @app.get("/v2/webhooks")
    def list_webhooks() -> Any:
        if (stop := sb.enter("webhooks.list")) is not None:
            return stop
        with sb.lock:
            rows = [{k: v for k, v in h.items() if k != "secret"} for h in sb.webhooks]
        return jsonify(hal_page("webhooks", rows, 1, f"{sb.request_base_url()}/v2/webhooks", ""))

    @app.post("/v2/webhooks")
    def create_webhook() -> Any:
        if (stop := sb.enter("webhooks.create")) is not None:
            return stop
        body = body_json() or {}
        events, secret = body.get("events"), body.get("secret")
        problems = []
        if not isinstance(body.get("url"), str) or not body["url"]:
            problems.append(("url", "is required"))
        if not isinstance(events, list) or not events or not set(events) <= WEBHOOK_EVENTS:
            problems.append(("events", "must be a list of known events"))
        if not isinstance(secret, str) or not secret or len(secret) > SECRET_MAX:
            problems.append(("secret", f"is required, at most {SECRET_MAX} characters"))
        if body.get("payloadVersion", "V2") != "V2":
            problems.append(("payloadVersion", "only V2"))
        if problems:
            return answer(400, error("Bad request", *problems))
        with sb.lock:
            hook_id = len(sb.webhooks) + 10
            sb.webhooks.append({"id": hook_id, "state": "enabled", **body})
        return created(hook_id, f"/v2/webhooks/{hook_id}")
