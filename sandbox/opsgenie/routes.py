"""The Opsgenie stand-in's HTTP surface: the Alert API v2 (create, acknowledge, close, add
note, Get Request Status), ``GET /v2/account``, a page of the alerts with a responder's
buttons, and the Webhook integration's calls to the bridge."""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Iterable
from typing import Any

import requests
from flask import Response, jsonify, redirect, render_template_string, request

from sandbox.common import SandboxService
from sandbox.opsgenie import wire
from sandbox.opsgenie.state import OpsgenieState

SECRET_HEADER = "X-Bridge-Webhook-Secret"  # a custom header of the Webhook integration


class OpsgenieSandbox(OpsgenieState, SandboxService):
    name = "opsgenie"

    def __init__(
        self,
        *,
        api_keys: Iterable[str],
        webhook_url: str | None = None,
        webhook_secret: str = "sandbox-opsgenie-webhook-secret",
        clock: Callable[[], float] = time.time,
    ) -> None:
        SandboxService.__init__(self)  # first: the state shares its lock
        OpsgenieState.__init__(self, clock=clock)
        self.api_keys = frozenset(api_keys)
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.throttled: list[float | None] = []  # calls to answer 429, with their period
        app = self.app
        app.add_url_rule("/v2/alerts", view_func=self._create, methods=["POST"])
        app.add_url_rule(
            "/v2/alerts/<identifier>/<action>", view_func=self._action, methods=["POST"]
        )
        app.add_url_rule("/v2/alerts/requests/<request_id>", view_func=self._request_status)
        app.add_url_rule("/v2/account", view_func=self._account)
        app.add_url_rule("/", view_func=self._page)
        app.add_url_rule("/act", view_func=self._act, methods=["POST"])

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.calls.clear()
            self.throttled.clear()
        self.faults.clear()

    def rate_limit(self, period: float | None = None, times: int = 1) -> None:
        """The next ``times`` calls are throttled: 429 with the rate-limit headers Opsgenie's
        OAS lists (``X-RateLimit-Period-In-Sec`` only when ``period`` is given)."""
        with self.lock:
            self.throttled.extend([period] * times)

    # ---- Alert API v2 ----

    def _enter(self, endpoint: str) -> Response | None:
        fault = self.hit(endpoint)
        if fault is not None:
            return fault
        with self.lock:
            throttled = bool(self.throttled)
            period = self.throttled.pop(0) if throttled else None
        if throttled:
            response = _json(wire.too_many(), 429)
            response.headers.update(wire.throttle_headers(period))
            return response
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        known = any(hmac.compare_digest(key.encode(), k.encode()) for k in self.api_keys)
        if scheme != "GenieKey" or not known:
            return _json(wire.unauthenticated(), 401)
        return None

    def _create(self) -> Response:
        refused = self._enter("create")
        if refused is not None:
            return refused
        body = _body()
        if body is None:
            return _json(wire.error("Invalid JSON body"), 400)
        errors = wire.create_errors(body)
        if errors:
            return _json(wire.unprocessable(errors), 422)
        request_id = wire.request_id()
        alert, new = self.create(body, request_id)
        if new:
            self._notify(alert, "Create", body)
        return _json(wire.accepted(request_id), 202)

    def _action(self, identifier: str, action: str) -> Response:
        refused = self._enter(action)
        if refused is not None:
            return refused
        if action not in ("acknowledge", "close", "notes"):
            return _json(wire.error("Could not find handler"), 404)
        kind = request.args.get("identifierType", "id")
        if kind not in wire.IDENTIFIER_TYPES:
            return _json(wire.unprocessable({"identifierType": "Invalid identifierType"}), 422)
        body = _body()
        if body is None:
            return _json(wire.error("Invalid JSON body"), 400)
        errors = wire.action_errors(body, note_required=action == "notes")
        if errors:
            return _json(wire.unprocessable(errors), 422)
        request_id = wire.request_id()
        alert = self.act(identifier, kind, action, body, request_id)
        if alert is not None:
            self._notify(
                alert, {"acknowledge": "Acknowledge", "close": "Close"}.get(action, "AddNote"), body
            )
        return _json(wire.accepted(request_id), 202)

    def _request_status(self, request_id: str) -> Response:
        refused = self._enter("request_status")
        if refused is not None:
            return refused
        with self.lock:
            found = self.requests.get(request_id)
        if found is None:
            return _json(wire.error("Request not found. It might not be processed, yet."), 404)
        return _json({"data": found, "took": 0.004, "requestId": wire.request_id()}, 200)

    def _account(self) -> Response:
        refused = self._enter("account")
        if refused is not None:
            return refused
        data = {"name": "sandbox", "userCount": 3, "plan": {"name": "Standard"}}
        return _json({"data": data, "took": 0.002, "requestId": wire.request_id()}, 200)

    # ---- the Webhook integration ----

    def _notify(self, alert: dict[str, Any], action: str, body: dict[str, Any]) -> None:
        """An API request's webhook: the request's ``user`` and ``source`` name who did it."""
        user = str(body.get("user") or "System")
        source = {"name": str(body.get("source") or ""), "type": "API"}
        self.send(alert, action, user=user, source=source, note=str(body.get("note") or ""))

    def responder(
        self, alert: dict[str, Any], action: str, *, who: str = "oncall@example.com", note: str = ""
    ) -> requests.Response | None:
        """What a responder does in Opsgenie's web app: change the alert, then the webhook."""
        self.respond(alert, action, who, note)
        return self.send(alert, action, user=who, source={"name": "", "type": "web"}, note=note)

    def send(
        self, alert: dict[str, Any], action: str, *, user: str, source: dict[str, str], note: str
    ) -> requests.Response | None:
        if not self.webhook_url:
            return None
        with self.lock:
            body = wire.webhook_body(alert, action, user=user, source=source, note=note)
        headers = {"Content-Type": "application/json", SECRET_HEADER: self.webhook_secret}
        # Delivered before answering, unlike Opsgenie, so that tests see it at once.
        return requests.post(self.webhook_url, data=body, headers=headers, timeout=10)

    # ---- the demo page ----

    def _page(self) -> str:
        with self.lock:
            alerts = [dict(a) for a in reversed(self.alerts)]
        return render_template_string(_PAGE, alerts=alerts, bridge=self.webhook_url)

    def _act(self) -> Response:
        with self.lock:
            found = [a for a in self.alerts if a["id"] == request.form.get("id")]
        action = request.form.get("action", "")
        if not found or action not in ("Acknowledge", "Close", "AddNote"):
            return Response("no such alert or action", status=404)
        self.responder(found[0], action, note=request.form.get("note", ""))
        return redirect("/", code=303)  # type: ignore[return-value]


def _json(body: dict[str, Any], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _body() -> dict[str, Any] | None:
    try:
        found = json.loads(request.get_data() or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return found if isinstance(found, dict) else None


_PAGE = """<!doctype html><title>Opsgenie sandbox</title>
<style>body{font:14px sans-serif;margin:2em} td,th{border:1px solid #ccc;padding:.3em}
.P1{color:#b00} .P2{color:#c60}</style>
<h1>Opsgenie sandbox: alerts</h1><p>Webhook integration posts to:
{{ bridge or "(no bridge URL configured)" }}</p>
<table><tr><th>#</th><th>priority</th><th>status</th><th>alias</th><th>message</th>
<th>count</th><th>log</th><th></th></tr>
{% for a in alerts %}<tr><td>{{ a.tinyId }}</td><td class="{{ a.priority }}">{{ a.priority }}</td>
<td>{{ a.status }}{% if a.acknowledged %}, acked{% endif %}</td><td>{{ a.alias }}</td>
<td>{{ a.message }}</td><td>{{ a.count }}</td><td>{{ a.log | join("; ") }}</td><td>
{% for action in ["Acknowledge", "AddNote", "Close"] %}
<form method="post" action="/act" style="display:inline">
<input type="hidden" name="id" value="{{ a.id }}">
<input type="hidden" name="action" value="{{ action }}">
{% if action == "AddNote" %}<input name="note" placeholder="note">{% endif %}
<button>{{ action }}</button></form>{% endfor %}</td></tr>
{% else %}<tr><td colspan="8">No alerts.</td></tr>{% endfor %}</table>"""
