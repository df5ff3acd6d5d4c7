"""The dashboard: metrics against targets, charts, active escalations, dead letters and a page
per ticket explaining every decision. Server-rendered, no JavaScript, behind the admin token."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Flask, Response
from flask.blueprints import BlueprintSetupState

from bridge.metrics import duration
from bridge.web.dashboard import auth, views

blueprint = Blueprint(
    "dashboard",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/dashboard/static",
)
views.register(blueprint)
blueprint.before_request(views.guard)


@blueprint.record_once
def _setup(state: BlueprintSetupState) -> None:
    app = cast(Flask, state.app)
    auth.install(app)
    app.jinja_env.globals.update(
        csrf_token=auth.csrf_token, relative=views.relative, owner=views.owner
    )
    app.jinja_env.filters["duration"] = duration


# No script at all, styles from our own static folder, forms only back to this site.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@blueprint.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response
