"""The PagerDuty stand-in's HTTP surface: Events API v2 at ``/v2/enqueue`` (checked like PagerDuty
checks events), a page of the incidents with a responder's buttons, and the signed V3 webhooks
PagerDuty sends. The official client only speaks https, so tests serve this over TLS with
``sandbox.tls.local_tls``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import requests
from flask import Response, jsonify, redirect, render_template_string, request

from sandbox.common import SandboxService
from sandbox.pagerduty.state import Incident, PagerDutyState
from sandbox.pagerduty.wire import (
    EVENT_BYTES_MAX,
    SERVICE_NAME,
    accepted,
    event_errors,
    invalid_event,
    new_dedup_key,
    unrecognized,
    webhook_body,
    webhook_headers,
)


class PagerDutySandbox(PagerDutyState, SandboxService):
    name = "pagerduty"

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        webhook_secret: str = "sandbox-webhook-secret",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        SandboxService.__init__(self)  # first: the state shares its lock
        PagerDutyState.__init__(
            self, webhook_url=webhook_url, webhook_secret=webhook_secret, clock=clock
        )
        self.app.add_url_rule("/v2/enqueue", view_func=self._enqueue, methods=["POST"])
        self.app.add_url_rule("/", view_func=self._page)
        self.app.add_url_rule("/act", view_func=self._act, methods=["POST"])

    def reset(self) -> None:
        """Forget incidents, calls and queued faults (a served sandbox reused across tests)."""
        with self.lock:
            super().reset()
            self.calls.clear()
        self.faults.clear()

    # ---- Events API v2 ----

    def _enqueue(self) -> Response | tuple[Response, int]:
        fault = self.hit("enqueue")
        if fault is not None:
            return fault
        try:
            event = json.loads(request.get_data())
        except (UnicodeDecodeError, json.JSONDecodeError):
            event = None
        if not isinstance(event, dict):
            return jsonify(unrecognized()), 400
        errors = event_errors(event)
        if len(request.get_data()) > EVENT_BYTES_MAX:
            errors.append("Event is larger than 512 KB")
        if errors:
            return jsonify(invalid_event(errors)), 400
        key = event.get("dedup_key") or new_dedup_key()
        changed = self.apply(event, key)
        if changed is not None and self.webhook_url:
            # Delivered before answering, unlike PagerDuty, so that tests see it at once.
            incident, event_type = changed
            body = webhook_body(
                incident,
                event_type,
                SERVICE_NAME,
                agent_type="service_reference",
                occurred_at=self.clock(),
            )
            self.send_webhook(self.webhook_url, body)
        return jsonify(accepted(key)), 202

    # ---- V3 webhooks ----

    def act(
        self,
        incident: Incident,
        event_type: str,
        *,
        agent: str | None = "Sandbox Responder",
        note: str = "",
        trimmed: bool = False,
    ) -> requests.Response | None:
        """What a responder does in PagerDuty (``agent`` None: PagerDuty itself, e.g. an
        auto-resolution): change the incident, then send the webhook."""
        self.respond(incident, event_type, agent or "PagerDuty", note)
        if not self.webhook_url:
            return None
        body = webhook_body(
            incident, event_type, agent, note, trimmed=trimmed, occurred_at=self.clock()
        )
        return self.send_webhook(self.webhook_url, body)

    def send_webhook(self, url: str, body: bytes) -> requests.Response:
        headers = webhook_headers(self.webhook_secret, body)
        return requests.post(url, data=body, headers=headers, timeout=10)

    # ---- the demo page ----

    def _page(self) -> str:
        with self.lock:
            incidents = list(self.incidents)
        return render_template_string(_PAGE, incidents=incidents, bridge=self.webhook_url)

    def _act(self) -> Response:
        with self.lock:
            found = [i for i in self.incidents if i.id == request.form.get("id")]
        if not found:
            return Response("no such incident", status=404)
        self.act(found[0], request.form["event_type"], note=request.form.get("note", ""))
        return redirect("/", code=303)  # type: ignore[return-value]


_PAGE = """<!doctype html><title>PagerDuty sandbox</title>
<style>body{font:14px sans-serif;margin:2em} td,th{border:1px solid #ccc;padding:.3em}</style>
<h1>PagerDuty sandbox</h1><p>Webhooks go to: {{ bridge or "(no bridge URL configured)" }}</p>
<table><tr><th>#</th><th>status</th><th>dedup_key</th><th>summary</th><th>log</th><th></th></tr>
{% for i in incidents %}<tr><td>{{ i.number }}</td><td>{{ i.status }}</td>
<td>{{ i.dedup_key }}</td><td>{{ i.summary }}</td><td>{{ i.log | join("; ") }}</td><td>
{% for kind in ["incident.acknowledged", "incident.annotated", "incident.resolved"] %}
<form method="post" action="/act" style="display:inline">
<input type="hidden" name="id" value="{{ i.id }}">
<input type="hidden" name="event_type" value="{{ kind }}">
{% if kind == "incident.annotated" %}<input name="note" placeholder="note">{% endif %}
<button>{{ kind.split(".")[1] }}</button></form>{% endfor %}</td></tr>
{% else %}<tr><td colspan="6">No incidents.</td></tr>{% endfor %}</table>"""
