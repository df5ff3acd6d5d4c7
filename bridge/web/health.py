"""Liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from bridge.runtime import runtime
from bridge.store import db
from bridge.web.outage import outage_log

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Response:
    checks: dict[str, str] = {}
    context = runtime()
    # Loaded and validated at start (the app does not start with a broken policy).
    checks["policy"] = "ok"
    try:
        current = db.current_revision(context.db)
        checks["database"] = "ok"
        checks["migrations"] = "ok" if current == db.head_revision() else f"at {current}"
        outage_log().answered(context.clock())
    except SQLAlchemyError as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
        outage_log().failed(exc, context.clock())
    ready = all(value == "ok" for value in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "policy": context.policy.file,
    }
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    return response
