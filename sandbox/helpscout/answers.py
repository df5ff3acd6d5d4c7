"""How the Help Scout stand-in answers: error bodies, 201 with ``Resource-ID``, JSON bodies."""

from __future__ import annotations

from flask import Response, jsonify, request

from sandbox.helpscout.wire import Json


def answer(status: int, body: Json) -> Response:
    response = jsonify(body)
    response.status_code = status
    if "logRef" in body:
        response.content_type = "application/vnd.error+json"
    return response


def created(resource_id: object, location: str) -> Response:
    """201 with an empty body: the new resource's id in ``Resource-ID`` (H-notes)."""
    response = Response(status=201)
    response.headers["Resource-ID"] = str(resource_id)
    response.headers["Location"] = location
    return response


def body_json() -> Json | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None
