"""Inbound endpoints, one per provider endpoint in the registry: verify over the raw body, store
once in the inbox, answer fast.

Nothing here calls an outside service: the worker processes the inbox. Bad input gets a clear
4xx and leaves no row: 404 provider not configured, 413 too large, 415 wrong content type,
401 bad signature, 400 unparseable. An authentic request with nothing to act on (an event too
old, a mistyped slash command) is answered like a stored one and leaves no row either. When the
database does not answer within ``db.REQUEST_BUSY_MS`` (locked, down), 503 with ``Retry-After``
(see ``outage``), except to Slack, which gets its 200 with a "try again" answer for the person.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import cast

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from bridge.runtime import runtime
from bridge.store import db, inbox
from bridge.store.tables import DEDUP_KEY_MAX, KIND_MAX
from bridge.web import outage
from bridge.web.prometheus import record_rejection
from bridge.web.slack import command_answer
from bridge.web.teams import done
from connectors.base import (
    STORED_ID_MAX,
    Endpoint,
    NotStored,
    Receipt,
    Reply,
    SignatureError,
    WebhookParseError,
    body_digest,
)
from connectors.provider import ProviderSettings
from connectors.registry import PROVIDERS
from connectors.salesforce.inbound import ACK, CONTENT_TYPE
from connectors.slack.messages import build_command_answer

log = logging.getLogger(__name__)
blueprint = Blueprint("intake", __name__)

MAX_BODY_BYTES = 1024 * 1024  # Flask refuses larger bodies with 413 before they are read


class Rejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _reject(error: Rejected, source: str, reply: Reply) -> Response:
    record_rejection(source, error.status)
    log.warning(
        "webhook rejected",
        extra={"source": source, "status": error.status, "reason": error.message},
    )
    if reply is Reply.PAGE:
        return done(error.status, error.message)
    response = jsonify({"error": error.message})
    response.status_code = error.status
    return response


def _receive(provider: str, endpoint: Endpoint) -> tuple[Receipt, bool]:
    """The shared intake steps; returns what was stored and whether it was new."""
    state = runtime()
    settings = state.settings.providers.get(provider)
    secret = settings.inbound_secret if settings is not None else None
    if settings is None or secret is None:
        raise Rejected(404, f"{provider} is not configured on this bridge")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise Rejected(413, "body larger than 1 MiB")
    content_type = endpoint.inbound.content_type
    if request.mimetype != content_type:
        raise Rejected(415, f"expected {content_type}, got {request.mimetype or 'nothing'}")
    try:
        body = request.get_data()
    except RequestEntityTooLarge:
        raise Rejected(413, "body larger than 1 MiB") from None
    # Werkzeug's headers are already case-insensitive; copying them cost more than the HMAC.
    headers = cast(Mapping[str, str], request.headers)
    try:
        endpoint.inbound.verify(headers, body, secret.get_secret_value(), state.clock())
    except SignatureError as exc:
        raise Rejected(401, str(exc)) from None
    try:
        receipt = endpoint.inbound.receipt(headers, body)
    except (WebhookParseError, ValueError) as exc:
        raise Rejected(400, str(exc)) from None
    now = state.clock()
    _check_age(provider, receipt, settings, now)
    with db.writing(state.db) as connection:
        stored = inbox.store(
            connection,
            source=provider,
            dedup_key=_dedup_key(receipt, now),
            kind=_storable(receipt.kind[:KIND_MAX], "event type"),
            ticket_id=receipt.ticket_id and _storable(receipt.ticket_id, "ticket id"),
            body=body,
            received_at=now,
        )
    outage.outage_log().answered(state.clock())
    return receipt, stored


# Slack shows a command's answer to the person who typed it; for a click it wants a 200 within
# 3 s too (anything else shows them a generic error), so the answer says what happened.
TRY_AGAIN = (
    "The escalation bridge could not record this: its database is not answering. "
    "Nothing was done; please try again in a minute."
)


def _unavailable(error: SQLAlchemyError, reply: Reply) -> Response:
    response = outage.unavailable(error, runtime().clock())
    if reply in (Reply.EMPTY, Reply.COMMAND):
        answer = {"response_type": "ephemeral", "replace_original": False, "text": TRY_AGAIN}
        return jsonify(answer)
    if reply is Reply.PAGE:
        page = done(503, TRY_AGAIN)
        page.headers["Retry-After"] = response.headers["Retry-After"]
        return page
    return response


def _fits(text: str, limit: int) -> bool:
    """Storable as is on every database: PostgreSQL refuses text longer than its ``varchar(n)``,
    NUL characters and lone surrogates, where SQLite takes them all (so tests would pass)."""
    return len(text) <= limit and text.isprintable()


def _storable(text: str, what: str, limit: int = STORED_ID_MAX) -> str:
    if not _fits(text, limit):
        raise Rejected(400, f"the {what} is longer than {limit} characters or unprintable")
    return text


def _dedup_key(receipt: Receipt, now: datetime) -> str:
    key = receipt.dedup_key
    if receipt.dedup_for is not None:
        # The same body within one window is a duplicate; in the next it is news again.
        key += f"@{int(now.timestamp() // receipt.dedup_for.total_seconds())}"
    if _fits(key, DEDUP_KEY_MAX):
        return key
    return body_digest(key.encode("utf-8", "surrogatepass"))  # one-to-one, never a cut


def _check_age(provider: str, receipt: Receipt, settings: ProviderSettings, now: datetime) -> None:
    max_age = settings.event_max_age
    if max_age is None or receipt.occurred_at is None or now - receipt.occurred_at <= max_age:
        return
    log.warning(
        "event too old: ignored",
        extra={
            "source": provider,
            "kind": receipt.kind[:KIND_MAX],
            "event": receipt.dedup_key[:DEDUP_KEY_MAX],
            "occurred_at": receipt.occurred_at.isoformat(),
        },
    )
    minutes = int(max_age.total_seconds() // 60)
    raise NotStored(f"event older than {minutes} minutes: ignored (a replay, or held back)")


def _answer(reply: Reply, receipt: Receipt, stored: bool) -> Response:
    if reply is Reply.EMPTY:
        # Slack wants a bare 200 within 3 seconds; the worker does the rest.
        return Response(status=200)
    if reply is Reply.PAGE:
        return done(200, "Done: the bridge has your request and acts on it within seconds.")
    if reply is Reply.SOAP_ACK:
        # Salesforce sends an Outbound Message again until it reads this acknowledgement.
        return Response(ACK, status=200, mimetype=CONTENT_TYPE)
    if reply is Reply.COMMAND:
        # Slack shows whatever a command answers within 3 s to the person who typed it.
        return jsonify(build_command_answer(command_answer(request.get_data())))
    # What jsonify writes (sorted, compact, a newline), without its per-request lookups.
    text = json.dumps(
        {"status": "accepted", "duplicate": not stored, "ticket_id": receipt.ticket_id},
        separators=(",", ":"),
        sort_keys=True,
    )
    return Response(text + "\n", status=202, mimetype="application/json")


def _not_stored(reply: Reply, reason: str) -> Response:
    if reply is Reply.COMMAND:
        return jsonify({"response_type": "ephemeral", "text": command_answer(request.get_data())})
    if reply is Reply.EMPTY:
        return Response(status=200)
    if reply is Reply.PAGE:
        return done(200, reason)
    if reply is Reply.SOAP_ACK:
        return Response(ACK, status=200, mimetype=CONTENT_TYPE)
    response = jsonify({"status": "ignored", "reason": reason})
    response.status_code = 202
    return response


def _view(provider: str, endpoint: Endpoint) -> Callable[[], Response]:
    def view() -> Response:
        try:
            receipt, stored = _receive(provider, endpoint)
        except Rejected as error:
            return _reject(error, provider, endpoint.reply)
        except NotStored as skipped:
            return _not_stored(endpoint.reply, str(skipped))
        except outage.OUTAGE_ERRORS as error:
            return _unavailable(error, endpoint.reply)
        return _answer(endpoint.reply, receipt, stored)

    return view


for _spec in PROVIDERS:
    for _endpoint in _spec.endpoints:
        blueprint.add_url_rule(
            _endpoint.path,
            endpoint=f"{_spec.name}:{_endpoint.path}",
            view_func=_view(_spec.name, _endpoint),
            methods=["POST"],
        )
