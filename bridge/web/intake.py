"""Inbound endpoints, one per provider endpoint in the registry: verify over the raw body, store
once in the inbox, answer fast.

Nothing here calls an outside service: the worker processes the inbox. Bad input gets a clear
4xx and leaves no row: 404 provider not configured, 413 too large, 415 wrong content type,
401 bad signature, 400 unparseable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import cast

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from bridge.runtime import runtime
from bridge.store import inbox
from bridge.web.prometheus import record_rejection
from bridge.web.slack import command_answer
from bridge.web.teams import done
from connectors.base import Endpoint, Receipt, Reply, SignatureError, WebhookParseError
from connectors.registry import PROVIDERS

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
    if secret is None:
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
    stored = inbox.store_now(
        state.db,
        source=provider,
        dedup_key=receipt.dedup_key[:255],
        kind=receipt.kind[:64],
        ticket_id=receipt.ticket_id,
        body=body,
        received_at=state.clock(),
    )
    return receipt, stored


def _answer(reply: Reply, receipt: Receipt, stored: bool) -> Response:
    if reply is Reply.EMPTY:
        # Slack wants a bare 200 within 3 seconds; the worker does the rest.
        return Response(status=200)
    if reply is Reply.PAGE:
        return done(200, "Done: the bridge has your request and acts on it within seconds.")
    if reply is Reply.COMMAND:
        # Slack shows whatever a command answers within 3 s to the person who typed it.
        return jsonify({"response_type": "ephemeral", "text": command_answer(request.get_data())})
    # What jsonify writes (sorted, compact, a newline), without its per-request lookups.
    text = json.dumps(
        {"status": "accepted", "duplicate": not stored, "ticket_id": receipt.ticket_id},
        separators=(",", ":"),
        sort_keys=True,
    )
    return Response(text + "\n", status=202, mimetype="application/json")


def _view(provider: str, endpoint: Endpoint) -> Callable[[], Response]:
    def view() -> Response:
        try:
            receipt, stored = _receive(provider, endpoint)
        except Rejected as error:
            return _reject(error, provider, endpoint.reply)
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
