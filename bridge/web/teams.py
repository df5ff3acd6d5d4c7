"""The confirmation page behind a Teams card's buttons: ``GET /teams/actions?link=TOKEN``.

Opening a link never acts (Teams and mail scanners fetch links to preview them): it shows the
ticket and the request with a form. The form posts to the same path, where intake verifies the
link, the CSRF token (bound to this page's cookie) and stores the request like a Slack click.
Reads the database only; every text from the ticket is HTML-escaped.
"""

from __future__ import annotations

import secrets
from html import escape

from flask import Blueprint, Response, request

from bridge.runtime import runtime
from bridge.store import db
from bridge.store.tickets import load_ticket
from connectors.base import RESTRICTED_REQUESTS, SignatureError
from connectors.teams.inbound import CSRF_COOKIE, NAME_MAX
from connectors.teams.links import LinkExpired, csrf_token, verify
from connectors.teams.notifier import ACTIONS_PATH

blueprint = Blueprint("teams", __name__)

TITLES = {
    "acknowledge": "Acknowledge",
    "take_ownership": "Take ownership of",
    "escalate": "Escalate",
    "resolve_page": "Resolve the page of",
    "publish_statuspage": "Publish on Statuspage the outage of",
}
NAME_COOKIE = "bridge_teams_name"
RESTRICTED_HERE = (
    "On this bridge only some people may take ownership, escalate, resolve or publish, and a "
    "Teams link cannot tell who opens it: do it in Slack. Acknowledge works from Teams."
)


def page(title: str, body: str, status: int = 200) -> Response:
    html = (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        f"<title>{escape(title)}</title><style>body{{font-family:sans-serif;max-width:36rem;"
        "margin:2rem auto;padding:0 1rem}button{font-size:1.1rem;padding:.4rem 1.2rem}"
        "input{font-size:1rem;padding:.3rem;width:100%}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    response = Response(html, status=status, mimetype="text/html")
    # The page holds a one-use form: never cached, never framed by another site.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blueprint.get(ACTIONS_PATH)
def confirm() -> Response:
    state = runtime()
    settings = state.settings.providers.get("teams")
    secret = settings.inbound_secret if settings is not None else None
    if secret is None:
        return page("Not available", "<p>Teams is not configured on this bridge.</p>", 404)
    token = request.args.get("link", "")
    try:
        link = verify(token, secret.get_secret_value(), state.clock())
    except LinkExpired as error:
        return page("Link expired", f"<p>{escape(str(error))}.</p>", 410)
    except SignatureError:
        return page("Not a valid link", "<p>This link was not made by this bridge.</p>", 401)
    if state.settings.people_restricted and link.kind in RESTRICTED_REQUESTS:
        # A link cannot tell who opens it; the worker would refuse the request as well.
        return page("Not from Teams", f"<p>{RESTRICTED_HERE}</p>", 403)
    source, _, ticket_id = link.ticket.partition(":")
    with db.reading(state.db) as connection:
        ticket = load_ticket(connection, source, ticket_id)
    subject = f"“{escape(ticket.subject)}”" if ticket else ""
    nonce = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    check = csrf_token(secret.get_secret_value(), nonce, token)
    name = escape(request.cookies.get(NAME_COOKIE, "")[:NAME_MAX])
    what = TITLES.get(link.kind.value, link.kind.value)
    form = (
        f"<p>{escape(what)} <b>{escape(link.ticket)}</b> {subject}?</p>"
        f'<form method="post" action="{ACTIONS_PATH}">'
        f'<input type="hidden" name="link" value="{escape(token)}">'
        f'<input type="hidden" name="csrf" value="{check}">'
        f"<p><label>Your name (shown on the ticket and in the channel)<br>"
        f'<input name="name" required maxlength="{NAME_MAX}" value="{name}"></label></p>'
        f"<p><button>Confirm</button></p></form>"
    )
    response = page("Confirm", form)
    secure = request.is_secure
    response.set_cookie(
        CSRF_COOKIE, nonce, httponly=True, samesite="Strict", secure=secure, path=ACTIONS_PATH
    )
    return response


def done(status: int, message: str) -> Response:
    """What the browser sees after posting the form (intake's answer for ``Reply.PAGE``)."""
    if status >= 400:
        return page("Not done", f"<p>{escape(message)}</p>", status)
    response = page("Done", f"<p>{escape(message)}</p><p>You can close this tab.</p>", status)
    name = " ".join(request.form.get("name", "").split())[:NAME_MAX]
    if name:
        # Remembered for the next confirmation on this browser; not a credential.
        response.set_cookie(
            NAME_COOKIE, name, samesite="Strict", secure=request.is_secure, path=ACTIONS_PATH
        )
    return response
