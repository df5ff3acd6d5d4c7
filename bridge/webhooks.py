"""Inbound endpoints: verify over the raw body, store once in the inbox, answer fast.

Nothing here calls an outside service: the worker processes the inbox. Bad input gets a clear
4xx and leaves no row: 404 integration not configured, 413 too large, 415 wrong content type,
401 bad signature, 400 unparseable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, request
from pydantic import SecretStr
from werkzeug.exceptions import RequestEntityTooLarge

from bridge import MAX_BODY_BYTES, records
from bridge.context import bridge_context
from bridge.inbound import resolve_ticket
from bridge.prometheus import record_rejection
from bridge.signatures import (
    SignatureError,
    verify_basic_password,
    verify_pagerduty,
    verify_slack,
    verify_zendesk,
)
from connectors import freshdesk, pagerduty, zendesk
from connectors import slack_inbound as slack
from connectors.base import WebhookParseError, body_digest

log = logging.getLogger(__name__)
blueprint = Blueprint("webhooks", __name__)

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Parsed:
    kind: str
    ticket_id: str | None
    dedup_key: str


class Rejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _reject(error: Rejected, source: str) -> Response:
    record_rejection(source, error.status)
    log.warning(
        "webhook rejected",
        extra={"source": source, "status": error.status, "reason": error.message},
    )
    response = jsonify({"error": error.message})
    response.status_code = error.status
    return response


def _receive(
    source: str,
    secret: SecretStr | None,
    content_type: str,
    verify: Callable[[str, bytes], None],
    parse: Callable[[bytes], Parsed],
) -> tuple[Parsed, bool]:
    """The shared intake steps; returns what was stored and whether it was new."""
    if secret is None:
        raise Rejected(404, f"{source} is not configured on this bridge")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise Rejected(413, "body larger than 1 MiB")
    if request.mimetype != content_type:
        raise Rejected(415, f"expected {content_type}, got {request.mimetype or 'nothing'}")
    try:
        body = request.get_data()
    except RequestEntityTooLarge:
        raise Rejected(413, "body larger than 1 MiB") from None
    try:
        verify(secret.get_secret_value(), body)
    except SignatureError as exc:
        raise Rejected(401, str(exc)) from None
    try:
        parsed = parse(body)
    except (WebhookParseError, ValueError) as exc:
        raise Rejected(400, str(exc)) from None
    context = bridge_context()
    stored = context.storage.store_inbound(
        source=source,
        dedup_key=parsed.dedup_key[:255],
        kind=parsed.kind[:64],
        ticket_id=parsed.ticket_id,
        body=body,
        received_at=context.clock(),
    )
    return parsed, stored


def _accepted(parsed: Parsed, stored: bool) -> Response:
    response = jsonify(
        {"status": "accepted", "duplicate": not stored, "ticket_id": parsed.ticket_id}
    )
    response.status_code = 202
    return response


# -- help desks ------------------------------------------------------------------------------


def _parse_zendesk(body: bytes) -> Parsed:
    hint = zendesk.parse_webhook(body)
    # Trigger webhooks carry no event id; the invocation id is per delivery, not per event,
    # so a redelivered trigger call falls back to the body, which is identical on retries.
    dedup = hint.event_id or request.headers.get("X-Zendesk-Webhook-Invocation-Id")
    return Parsed(hint.kind, hint.ticket_id, dedup or body_digest(body))


@blueprint.post("/webhooks/zendesk")
def zendesk_webhook() -> Response:
    settings = bridge_context().settings

    def verify(secret: str, body: bytes) -> None:
        verify_zendesk(
            secret,
            request.headers.get("X-Zendesk-Webhook-Signature-Timestamp"),
            request.headers.get("X-Zendesk-Webhook-Signature"),
            body,
            bridge_context().clock(),
        )

    try:
        return _accepted(
            *_receive("zendesk", settings.zendesk_webhook_secret, JSON, verify, _parse_zendesk)
        )
    except Rejected as error:
        return _reject(error, "zendesk")


def _parse_freshdesk(body: bytes) -> Parsed:
    hint = freshdesk.parse_webhook(body)
    return Parsed(hint.kind, hint.ticket_id, hint.event_id or body_digest(body))


@blueprint.post("/webhooks/freshdesk")
def freshdesk_webhook() -> Response:
    settings = bridge_context().settings

    def verify(secret: str, _body: bytes) -> None:
        verify_basic_password(secret, request.headers.get("Authorization"))

    try:
        return _accepted(
            *_receive(
                "freshdesk", settings.freshdesk_webhook_secret, JSON, verify, _parse_freshdesk
            )
        )
    except Rejected as error:
        return _reject(error, "freshdesk")


# -- PagerDuty -------------------------------------------------------------------------------


def _parse_pagerduty(body: bytes) -> Parsed:
    event = pagerduty.parse_webhook(body)
    dedup = request.headers.get("X-Webhook-Id") or event.event_id
    return Parsed(event.event_type, event.incident_key, dedup)


@blueprint.post("/webhooks/pagerduty")
def pagerduty_webhook() -> Response:
    settings = bridge_context().settings

    def verify(secret: str, body: bytes) -> None:
        verify_pagerduty(secret, request.headers.get("X-PagerDuty-Signature"), body)

    try:
        return _accepted(
            *_receive(
                "pagerduty", settings.pagerduty_webhook_secret, JSON, verify, _parse_pagerduty
            )
        )
    except Rejected as error:
        return _reject(error, "pagerduty")


# -- Slack -----------------------------------------------------------------------------------


def _verify_slack(secret: str, body: bytes) -> None:
    verify_slack(
        secret,
        request.headers.get("X-Slack-Request-Timestamp"),
        request.headers.get("X-Slack-Signature"),
        body,
        bridge_context().clock(),
    )


def _parse_slack_action(body: bytes) -> Parsed:
    payload = slack.json_object(slack.form_fields(body).get("payload", ""))
    kind = payload.get("type")
    if not isinstance(kind, str):
        raise ValueError("Slack payload has no type")
    return Parsed(f"slack.{kind}"[:64], None, body_digest(body))


def _parse_slack_command(body: bytes) -> Parsed:
    if not slack.form_fields(body).get("command"):
        raise ValueError("not a Slack slash command: no command field")
    return Parsed("slack.command", None, body_digest(body))


@blueprint.post("/slack/actions")
def slack_actions() -> Response:
    settings = bridge_context().settings
    try:
        _receive("slack", settings.slack_signing_secret, FORM, _verify_slack, _parse_slack_action)
    except Rejected as error:
        return _reject(error, "slack")
    # Slack wants a bare 200 within 3 seconds; the worker does the rest.
    return Response(status=200)


@blueprint.post("/slack/commands")
def slack_commands() -> Response:
    settings = bridge_context().settings
    try:
        _receive("slack", settings.slack_signing_secret, FORM, _verify_slack, _parse_slack_command)
    except Rejected as error:
        return _reject(error, "slack")
    # Slack shows whatever a command answers within 3 s to the person who typed it.
    return jsonify({"response_type": "ephemeral", "text": command_answer(request.get_data())})


def command_answer(body: bytes) -> str:
    """What the person who typed the command sees. Reads only the database."""
    context = bridge_context()
    try:
        command = slack.parse_command(body)
        desks = [d for d in ("zendesk", "freshdesk") if getattr(context.settings, f"{d}_enabled")]
        source, ticket_id = resolve_ticket(command.ticket, desks)
    except ValueError as error:
        usage = slack.COMMAND_USAGE
        return str(error) if str(error) == usage else f"{error}\n{usage}"
    if command.kind is slack.CommandKind.ESCALATE:
        return (
            f"Escalation of {source}:{ticket_id} requested. The bridge re-reads the ticket "
            "and posts in the tier's channel."
        )
    with context.storage.engine.connect() as connection:
        state = records.load_state(connection, source, ticket_id)
        ticket = records.load_ticket(connection, source, ticket_id)
    if state is None or ticket is None:
        return f"{source}:{ticket_id} is not tracked by the bridge (yet)."
    owner = state.owner or "nobody"
    since = f" since {state.tier_since:%Y-%m-%d %H:%M} UTC" if state.tier_since else ""
    page = "a page is open" if state.page_open else "no page open"
    return (
        f"{source}:{ticket_id} “{ticket.subject}” is at {state.tier}{since}, owner {owner}, "
        f"{page}, status {ticket.status.value}."
    )
