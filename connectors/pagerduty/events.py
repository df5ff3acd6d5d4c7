"""PagerDuty Events API v2: a pure trigger builder and a thin sender over the official client
(``pagerduty.EventsApiV2Client``).

Events API v2: https://developer.pagerduty.com/docs/events-API-v2/trigger-events/
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

import httpx2
import pagerduty

from connectors.actions import PageTrigger
from connectors.base import AuthError, ConnectorError, PermanentError, RetryableError
from connectors.http import error_for_status
from policies.model import Severity

DEFAULT_EVENTS_URL = "https://events.pagerduty.com"
SUMMARY_MAX = 1024
# "PagerDuty limits the size of each event to 512 KB" (Events API v2 overview). A ticket's subject
# or a rule's inputs can be any length and multibyte (each character up to 12 bytes once escaped
# as JSON), so every string in custom_details is cut, and the whole body checked, well below it.
EVENT_BYTES_MAX = 512 * 1024
EVENT_BYTES_BUDGET = 64 * 1024
DETAIL_STRING_MAX = 1024
DETAIL_ITEMS_MAX = 50
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


def build_trigger(
    page: PageTrigger,
    *,
    source: str = DEFAULT_SOURCE,
    timestamp: datetime | None = None,
    client_url: str | None = None,
) -> dict[str, Any]:
    """The trigger event for a page (without ``routing_key``: the sender adds it).

    ``timestamp`` is when the bridge decided to page; ``client_url`` the bridge's own page of
    the ticket (both optional fields of the Events API's trigger)."""
    ticket = page.ticket
    who = " / ".join(part for part in (ticket.customer_name, ticket.customer_org) if part)
    summary = (
        f"[{page.severity.value}] {page.tier} escalation: {ticket.source} "
        f"#{ticket.ticket_id} {ticket.subject}" + (f" ({who})" if who else "")
    )
    if page.tickets:  # an outage storm: one page for the group, its first ticket below
        summary = f"[{page.severity.value}] {page.tier} {page.reason}"
    details = {
        "ticket": {
            "source": ticket.source,
            "id": ticket.ticket_id,
            "url": ticket.url,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
        },
        "customer": {"name": ticket.customer_name, "organization": ticket.customer_org},
        "tier": str(page.tier),
        "reason": page.reason,
        "rule": page.rule,
        "inputs": {
            _cap(str(key)): _flat(value)
            for key, value in list(page.inputs.items())[:DETAIL_ITEMS_MAX]
        },
    }
    if page.tickets:
        details["tickets"] = list(page.tickets)
    event: dict[str, Any] = {
        "event_action": EventAction.TRIGGER.value,
        "dedup_key": page.dedup_key,
        "payload": {
            "summary": _truncate(summary, SUMMARY_MAX),
            "source": source,
            "severity": SEVERITY[page.severity],
            "component": ticket.source,
            "group": page.route,
            "class": page.rule,
            "custom_details": _capped(details),
        },
        "client": CLIENT_NAME,
    }
    if timestamp is not None:
        event["payload"]["timestamp"] = timestamp.isoformat()
    if client_url:
        event["client_url"] = client_url
    if ticket.url:
        event["links"] = [{"href": ticket.url, "text": f"{ticket.source} #{ticket.ticket_id}"}]
    if event_bytes(event) > EVENT_BYTES_BUDGET:
        # Many long inputs: the ticket and the reason stay, the inputs go.
        event["payload"]["custom_details"]["inputs"] = {"omitted": "too large for PagerDuty"}
    return event


def event_bytes(event: Mapping[str, Any]) -> int:
    """The size of the body as the client sends it (JSON, non-ASCII escaped)."""
    return len(json.dumps(event).encode())


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cap(text: str) -> str:
    return _truncate(text, DETAIL_STRING_MAX)


def _capped(value: Any) -> Any:
    """Every string in a nested detail cut to ``DETAIL_STRING_MAX`` characters."""
    if isinstance(value, str):
        return _cap(value)
    if isinstance(value, dict):
        return {_cap(str(k)): _capped(v) for k, v in value.items()}
    return value


def _flat(value: Any) -> Any:
    """Custom details show one level: nested values as text."""
    if value is None or isinstance(value, str | int | float | bool):
        return _capped(value)
    return _cap(str(value))


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

    def routing_key(self, routing_key_env: str) -> str | None:
        """The key the variable holds (for ``bridge doctor``'s checks; never shown)."""
        return self._routing_keys(routing_key_env)

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
