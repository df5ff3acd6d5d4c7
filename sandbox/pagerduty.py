"""A PagerDuty stand-in: Events API v2 at ``/v2/enqueue`` and signed V3 webhooks to the bridge.

Validation messages follow the one real 400 body we have ("Length of 'routing_key' is incorrect
(should be 32 characters)"); the wording of the others is our guess in the same style. The
pagerduty client only speaks https, so tests serve this over TLS with ``local_tls``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import ssl
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from flask import Response, jsonify, redirect, render_template_string, request

from connectors.actions import INCIDENT_KEY_MAX as DEDUP_KEY_MAX
from connectors.pagerduty.events import SUMMARY_MAX
from sandbox.common import SandboxService

ROUTING_KEY_LENGTH = 32
SEVERITIES = ("critical", "error", "warning", "info")
ACTIONS = ("trigger", "acknowledge", "resolve")
_HTML_BASE = "https://sandbox.pagerduty.local"
_API_BASE = "https://api.sandbox.pagerduty.local"


@dataclass
class Incident:
    id: str
    number: int
    dedup_key: str
    routing_key: str
    summary: str
    severity: str
    source: str
    created_at: datetime
    status: str = "triggered"  # triggered | acknowledged | resolved
    custom_details: dict[str, Any] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LocalTLS:
    server_context: ssl.SSLContext  # for serve(..., ssl_context=...)
    ca_file: str  # PEM of the CA, for the client (verify=/ca_file=, SSL_CERT_FILE)


def local_tls(directory: Path) -> LocalTLS:
    """A throwaway CA and a 127.0.0.1/localhost certificate; the CA PEM is written to
    ``directory``."""
    import trustme  # a test-only dependency: import it only when TLS is asked for

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = directory / "sandbox-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return LocalTLS(server_context=context, ca_file=str(ca_file))


class PagerDutySandbox(SandboxService):
    name = "pagerduty"

    def __init__(
        self, *, webhook_url: str | None = None, webhook_secret: str = "sandbox-webhook-secret"
    ) -> None:
        super().__init__()
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.incidents: list[Incident] = []
        self.dropped: list[dict[str, Any]] = []  # ack/resolve events that matched no open alert
        self.app.add_url_rule("/v2/enqueue", view_func=self._enqueue, methods=["POST"])
        self.app.add_url_rule("/", view_func=self._page)
        self.app.add_url_rule("/act", view_func=self._act, methods=["POST"])

    # ---- test helpers ----

    def open_incident(self, key: str) -> Incident | None:
        with self.lock:
            return next((i for i in self.incidents if i.dedup_key == key and _is_open(i)), None)

    def reset(self) -> None:
        """Forget incidents, calls and queued faults (a served sandbox reused across tests)."""
        with self.lock:
            self.incidents.clear()
            self.dropped.clear()
            self.calls.clear()
        self.faults.clear()

    def incidents_for(self, key: str) -> list[Incident]:
        with self.lock:
            return [i for i in self.incidents if i.dedup_key == key]

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
            body = {
                "status": "Unrecognized object",
                "message": "Event object format is unrecognized",
                "errors": ["JSON parse error"],
            }
            return jsonify(body), 400
        errors = _event_errors(event)
        if errors:
            body = {"status": "invalid event", "message": "Event object is invalid"}
            return jsonify({**body, "errors": errors}), 400
        key = event.get("dedup_key") or uuid.uuid4().hex
        changed = self._apply(event, key)
        if changed is not None and self.webhook_url:
            # Delivered before answering, unlike PagerDuty, so that tests see it at once.
            incident, event_type = changed
            self.send_webhook(self.webhook_url, webhook_body(incident, event_type, None))
        return jsonify(status="success", message="Event processed", dedup_key=key), 202

    def _apply(self, event: dict[str, Any], key: str) -> tuple[Incident, str] | None:
        """Apply an event; returns the incident and webhook event type if its status changed."""
        action, routing_key = event["event_action"], event["routing_key"]
        with self.lock:
            # Follow-up events apply only to an open alert opened with the same routing key.
            current = next(
                (
                    i
                    for i in self.incidents
                    if i.dedup_key == key and _is_open(i) and i.routing_key == routing_key
                ),
                None,
            )
            if action == "trigger":
                if current is None:
                    return self._open(event, key), "incident.triggered"
                current.log.append("trigger: added to the open alert")
                return None
            if current is None:
                self.dropped.append(event)
                return None
            status = "acknowledged" if action == "acknowledge" else "resolved"
            current.log.append(f"{action} via Events API")
            if current.status == status:
                return None
            current.status = status
            return current, f"incident.{status}"

    def _open(self, event: dict[str, Any], key: str) -> Incident:
        payload = event["payload"]
        incident = Incident(
            id="Q" + secrets.token_hex(6).upper(),
            number=len(self.incidents) + 1,
            dedup_key=key,
            routing_key=event["routing_key"],
            summary=payload["summary"],
            severity=payload["severity"],
            source=payload["source"],
            created_at=datetime.now(UTC),
            custom_details=payload.get("custom_details") or {},
            links=event.get("links") or [],
            log=["trigger: opened"],
        )
        self.incidents.append(incident)
        return incident

    # ---- V3 webhooks ----

    def act(
        self,
        incident: Incident,
        event_type: str,
        *,
        agent: str = "Sandbox Responder",
        note: str = "",
    ) -> requests.Response | None:
        """What a responder does in PagerDuty: change the incident, then send the webhook."""
        with self.lock:
            if event_type == "incident.acknowledged" and _is_open(incident):
                incident.status = "acknowledged"
            elif event_type == "incident.resolved":
                incident.status = "resolved"
            incident.log.append(f"{event_type} by {agent}" + (f": {note}" if note else ""))
        if not self.webhook_url:
            return None
        return self.send_webhook(self.webhook_url, webhook_body(incident, event_type, agent, note))

    def send_webhook(self, url: str, body: bytes) -> requests.Response:
        signature = "v1=" + hmac.new(self.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "PagerDuty-Webhook/V3.0",
            "X-Webhook-Id": str(uuid.uuid4()),
            "X-PagerDuty-Signature": signature,
        }
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


def _is_open(incident: Incident) -> bool:
    return incident.status != "resolved"


def _event_errors(event: dict[str, Any]) -> list[str]:
    errors = []
    if len(str(event.get("routing_key") or "")) != ROUTING_KEY_LENGTH:
        errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
    action = event.get("event_action")
    if action not in ACTIONS:
        errors.append("'event_action' is missing or invalid")
    key = event.get("dedup_key")
    if key is not None and (not isinstance(key, str) or len(key) > DEDUP_KEY_MAX):
        errors.append(f"Length of 'dedup_key' is incorrect (should be at most {DEDUP_KEY_MAX})")
    if action in ("acknowledge", "resolve") and not key:
        errors.append("'dedup_key' is missing or blank")
    if action == "trigger":
        payload = event.get("payload")
        payload = payload if isinstance(payload, dict) else {}
        for name in ("summary", "source", "severity"):
            if not str(payload.get(name) or "").strip():
                errors.append(f"'payload.{name}' is missing or blank")
        if len(str(payload.get("summary") or "")) > SUMMARY_MAX:
            errors.append(f"Length of 'payload.summary' is too long (max {SUMMARY_MAX})")
        if payload.get("severity") and payload["severity"] not in SEVERITIES:
            errors.append("'payload.severity' is invalid (expected critical|error|warning|info)")
    return errors


def webhook_body(incident: Incident, event_type: str, agent: str | None, note: str = "") -> bytes:
    """A V3 webhook body shaped like the recorded deliveries (one event, no batching).

    ``agent`` None is a change made through the Events API, which names no user."""
    agent_ref: dict[str, str] | None = None
    if agent is not None:
        agent_id = "P" + hashlib.sha256(agent.encode()).hexdigest()[:6].upper()
        agent_ref = {
            "html_url": f"{_HTML_BASE}/users/{agent_id}",
            "id": agent_id,
            "self": f"{_API_BASE}/users/{agent_id}",
            "summary": agent,
            "type": "user_reference",
        }
    reference = {
        "html_url": f"{_HTML_BASE}/incidents/{incident.id}",
        "id": incident.id,
        "self": f"{_API_BASE}/incidents/{incident.id}",
        "summary": incident.summary,
    }
    data: dict[str, Any]
    if event_type == "incident.annotated":
        data = {
            "incident": {**reference, "type": "incident_reference"},
            "id": "N" + secrets.token_hex(3).upper(),
            "content": note,
            "trimmed": False,
            "type": "incident_note",
        }
    else:
        data = {
            "id": incident.id,
            "type": "incident",
            "self": reference["self"],
            "html_url": reference["html_url"],
            "number": incident.number,
            "status": incident.status,
            "incident_key": incident.dedup_key,
            "created_at": incident.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "title": incident.summary,
            "service": {
                "id": "PSANDBX",
                "summary": "Escalation bridge",
                "type": "service_reference",
            },
            "assignees": [agent_ref] if agent_ref and incident.status != "resolved" else [],
            "escalation_policy": {
                "id": "PESCPOL",
                "summary": "Support on-call",
                "type": "escalation_policy_reference",
            },
            "teams": [],
            "priority": None,
            "urgency": "high" if incident.severity in ("critical", "error") else "low",
            "conference_bridge": None,
            "resolve_reason": None,
            "incident_type": {"name": "incident_default"},
        }
    occurred = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    event = {
        "id": secrets.token_hex(13).upper(),
        "event_type": event_type,
        "resource_type": "incident",
        "occurred_at": occurred,
        "agent": agent_ref,
        "client": None,
        "data": data,
    }
    return json.dumps({"event": event}, separators=(",", ":")).encode()


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
