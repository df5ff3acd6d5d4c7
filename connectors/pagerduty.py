"""PagerDuty: pure Events API v2 builders, a thin sender over ``pagerduty.EventsApiV2Client``,
and a pure parser (plus signature check) for V3 webhooks.

Events API v2: https://developer.pagerduty.com/docs/events-API-v2/trigger-events/
V3 webhooks: https://developer.pagerduty.com/docs/webhooks/v3-overview/
"""

from __future__ import annotations

import hashlib
import json
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Any

import httpx2
import pagerduty

from connectors.http import (
    AuthError,
    ConnectorError,
    PermanentError,
    RetryableError,
    error_for_status,
)
from policies.model import Decision, Severity, Ticket

DEFAULT_EVENTS_URL = "https://events.pagerduty.com"
DEDUP_KEY_MAX = 255
SUMMARY_MAX = 1024
DEFAULT_SOURCE = "escalation-bridge"
CLIENT_NAME = "Escalation bridge"
# PagerDuty asks for "a backoff of a few minutes" and sends no Retry-After on 429.
RATE_LIMIT_BACKOFF_SECONDS = 60.0
DEFAULT_TIMEOUT_SECONDS = 15

SEVERITY = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "info",
}


class EventAction(StrEnum):
    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


def dedup_key(source: str, ticket_id: str) -> str:
    """``{desk}:{ticket_id}``: one alert per ticket, so a repeated trigger is harmless."""
    key = f"{source}:{ticket_id}"
    if len(key) <= DEDUP_KEY_MAX:
        return key
    # Deterministic and still unique for an absurdly long id; never cut (cuts could collide).
    return f"{source}:sha256:{hashlib.sha256(ticket_id.encode()).hexdigest()}"


def build_event(action: EventAction, key: str) -> dict[str, Any]:
    """An acknowledge or resolve event body (without ``routing_key``: the sender adds it)."""
    return {"event_action": action.value, "dedup_key": key}


def build_trigger(
    ticket: Ticket, decision: Decision, *, source: str = DEFAULT_SOURCE
) -> dict[str, Any]:
    """The trigger event for a paging decision (without ``routing_key``)."""
    customer = ticket.requester.name if ticket.requester else ""
    company = ticket.organization.name if ticket.organization else ""
    who = " / ".join(part for part in (customer, company) if part)
    summary = (
        f"[{decision.severity.value}] {decision.tier} escalation: {ticket.source.value} "
        f"#{ticket.id} {ticket.subject}" + (f" ({who})" if who else "")
    )
    details = {
        "ticket": {
            "source": ticket.source.value,
            "id": ticket.id,
            "url": ticket.url,
            "subject": ticket.subject,
            "status": ticket.status.value,
            "priority": ticket.priority.value if ticket.priority else None,
        },
        "customer": {"name": customer, "organization": company},
        "tier": str(decision.tier),
        "reason": decision.reason.text,
        "rule": decision.rule,
        "inputs": {key: _jsonable(value) for key, value in decision.reason.inputs.items()},
    }
    event: dict[str, Any] = {
        "event_action": EventAction.TRIGGER.value,
        "dedup_key": dedup_key(ticket.source.value, ticket.id),
        "payload": {
            "summary": _truncate(summary, SUMMARY_MAX),
            "source": source,
            "severity": SEVERITY[decision.severity],
            "component": ticket.source.value,
            "group": decision.route.name,
            "class": decision.rule,
            "custom_details": details,
        },
        "client": CLIENT_NAME,
    }
    if ticket.url:
        event["links"] = [{"href": ticket.url, "text": f"{ticket.source.value} #{ticket.id}"}]
    return event


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class PagerDutyEvents:
    """Sends events through the official client, with its blocking retries turned down.

    The client retries a 429 forever with growing sleeps unless told otherwise; a value of 0
    means "forever" for 429, so one retry is the minimum. 5xx and network errors are not
    retried here: the outbox retries with its own backoff.
    """

    def __init__(
        self,
        routing_keys: Callable[[str], str | None],
        *,
        base_url: str = DEFAULT_EVENTS_URL,
        ca_file: str | None = None,
        timeout: int = DEFAULT_TIMEOUT_SECONDS,
        rate_limit_sleep: float = 0.5,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        """``routing_keys`` maps the NAME of a variable (``Route.pagerduty_routing_key_env``)
        to its value, e.g. ``os.environ.get`` or a dict's ``get``."""
        if not base_url.startswith("https://"):
            # The client raises UrlError on first use; say so at startup instead.
            raise ValueError(f"PagerDuty Events URL must use https://, got {base_url!r}")
        self._routing_keys = routing_keys
        self._base_url = base_url
        self._verify: ssl.SSLContext | bool = (
            ssl.create_default_context(cafile=ca_file) if ca_file else True
        )
        self._timeout = timeout
        self._rate_limit_sleep = rate_limit_sleep
        self._transport = transport
        self._clients: dict[str, pagerduty.EventsApiV2Client] = {}

    def trigger(self, routing_key_env: str, event: Mapping[str, Any]) -> str:
        """Send a ``build_trigger`` event; returns the dedup_key PagerDuty answered with."""
        properties = {k: v for k, v in event.items() if k not in ("event_action", "dedup_key")}
        return self._send(routing_key_env, EventAction.TRIGGER, event.get("dedup_key"), properties)

    def acknowledge(self, routing_key_env: str, key: str) -> str:
        return self._send(routing_key_env, EventAction.ACKNOWLEDGE, key, {})

    def resolve(self, routing_key_env: str, key: str) -> str:
        return self._send(routing_key_env, EventAction.RESOLVE, key, {})

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _client(self, routing_key_env: str) -> pagerduty.EventsApiV2Client:
        routing_key = self._routing_keys(routing_key_env)
        if not routing_key:
            raise AuthError(f"PagerDuty routing key variable {routing_key_env} is not set")
        client = self._clients.get(routing_key)
        if client is None:
            kwargs: dict[str, Any] = {"verify": self._verify}
            if self._transport is not None:
                kwargs["transport"] = self._transport
            client = pagerduty.EventsApiV2Client(routing_key, base_url=self._base_url, **kwargs)
            client.retry = {429: 1}
            client.max_http_attempts = 2
            client.max_network_attempts = 0
            client.sleep_timer = self._rate_limit_sleep
            client.sleep_timer_base = 1
            client.timeout = self._timeout
            self._clients[routing_key] = client
        return client

    def _send(
        self,
        routing_key_env: str,
        action: EventAction,
        key: str | None,
        properties: Mapping[str, Any],
    ) -> str:
        client = self._client(routing_key_env)
        try:
            return str(client.send_event(action.value, dedup_key=key, **properties))
        except pagerduty.HttpError as exc:
            raise _http_error(exc, routing_key_env) from exc
        except pagerduty.Error as exc:
            raise RetryableError(f"PagerDuty Events API unreachable: {exc}") from exc


def _http_error(exc: pagerduty.HttpError, routing_key_env: str) -> ConnectorError:
    response = exc.response
    if response is None:
        return RetryableError(f"PagerDuty Events API: {exc}")
    status = response.status_code
    detail = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        detail = "; ".join(map(str, errors)) if isinstance(errors, list) else ""
        detail = detail or str(body.get("message", ""))
    error = error_for_status(
        status,
        response.headers,
        service="PagerDuty Events API",
        detail=detail,
        credential_hint=routing_key_env,
    )
    if error is None:  # a 2xx the client still rejected, e.g. a body without dedup_key
        return PermanentError(f"PagerDuty Events API: {exc}", status=status)
    if status == 429 and error.retry_after is None:
        error.retry_after = RATE_LIMIT_BACKOFF_SECONDS
    return error


# ---- V3 webhooks (pure) ----


@dataclass(frozen=True)
class PagerDutyEvent:
    """One V3 webhook delivery, reduced to what the bridge acts on."""

    event_id: str
    event_type: str  # e.g. incident.acknowledged, incident.annotated, pagey.ping
    occurred_at: datetime | None
    incident_id: str | None
    incident_key: str | None  # our dedup_key for incidents we triggered
    status: str | None
    agent_id: str | None
    agent_summary: str | None
    note: str | None  # incident.annotated: the note's content
    html_url: str | None


def parse_webhook(body: bytes) -> PagerDutyEvent:
    """Parse a V3 webhook body (verify its signature first); ValueError on anything else."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"webhook body is not JSON: {exc}") from None
    event = document.get("event") if isinstance(document, dict) else None
    if not isinstance(event, dict) or not event.get("id") or not event.get("event_type"):
        raise ValueError("webhook body has no event with id and event_type")
    data = event.get("data")
    if not isinstance(data, dict):
        raise ValueError("webhook event has no data object")
    agent = event.get("agent")
    if not isinstance(agent, dict):
        agent = {}  # null when PagerDuty itself acted, e.g. an automation
    # incident.annotated carries an incident_note whose incident is a reference inside it.
    is_note = data.get("type") == "incident_note"
    incident = data.get("incident") if is_note else data
    if not isinstance(incident, dict) or incident.get("type") not in (
        "incident",
        "incident_reference",
    ):
        incident = {}
    return PagerDutyEvent(
        event_id=str(event["id"]),
        event_type=str(event["event_type"]),
        occurred_at=_timestamp(event.get("occurred_at")),
        incident_id=_text(incident.get("id")),
        incident_key=_text(incident.get("incident_key")),
        status=_text(incident.get("status")),
        agent_id=_text(agent.get("id")),
        agent_summary=_text(agent.get("summary")),
        note=_text(data.get("content")) if is_note else None,
        html_url=_text(incident.get("html_url")),
    )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
