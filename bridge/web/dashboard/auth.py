"""Who may see the dashboard: ``BRIDGE_ADMIN_TOKEN`` as a bearer token or through a login form
that opens a server-side session; without a token, only when opted in (``BRIDGE_DASHBOARD_OPEN``)
and only for loopback clients naming a trusted host. CSRF tokens for every form.

Sessions are signed with ``BRIDGE_SECRET_KEY`` or a random key generated once and kept in the
database: nothing in the cookie derives from the admin token, so the token cannot be guessed
offline from a cookie. The cookie holds a random session id; the server keeps its hash, its
expiry and whether it was logged out, and the token in use at login (a new token ends every
session). Failed logins and bearer attempts are throttled per client address (``throttle``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from ipaddress import ip_address

from flask import (
    Flask,
    Request,
    abort,
    current_app,
    g,
    has_request_context,
    request,
    session,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from bridge.runtime import runtime
from bridge.store import db, web_auth
from bridge.web.throttle import check_secret

SESSION_KEY_NAME = "dashboard session key"


def admin_token(app: Flask | None = None) -> str | None:
    token = runtime(app).settings.admin_token
    value = token.get_secret_value() if token is not None else ""
    return value or None


def _digest(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def token_mark(token: str) -> str:
    """Which admin token a session was opened with; kept in the database, never in the cookie."""
    return _digest(str(current_app.secret_key), "admin token:" + token)


def is_loopback(address: str | None) -> bool:
    try:
        parsed = ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    mapped = getattr(parsed, "ipv4_mapped", None)
    return (mapped or parsed).is_loopback


# Machine endpoints never use a session; opening one (a signed-cookie serializer per request)
# was a tenth of a webhook's cost.
SESSIONLESS = ("/webhooks/", "/slack/", "/healthz", "/readyz", "/metrics")


class DashboardSessionInterface(SecureCookieSessionInterface):
    """Secure cookies, except for plain http on loopback (a local run has no TLS)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(SESSIONLESS):
            return None  # Flask then uses a null session, which refuses writes
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        # With a token the cookie is a credential: only over TLS (browsers treat http://localhost
        # as secure, so a local run still works). Without one it only carries the CSRF token.
        if admin_token(app) is not None:
            return True
        local = has_request_context() and request.scheme == "http"
        return not (local and is_loopback(request.remote_addr))


def install(app: Flask) -> None:
    state = runtime(app)
    if not app.secret_key:
        configured = state.settings.secret_key
        if configured is not None:
            app.secret_key = configured.get_secret_value()
        else:
            # At start (migrations need the database then too), so waiting is fine.
            with db.writing(state.db, busy_ms=db.WORKER_BUSY_MS) as connection:
                app.secret_key = web_auth.secret(
                    connection, SESSION_KEY_NAME, secrets.token_urlsafe(48), state.clock()
                )
    app.permanent_session_lifetime = timedelta(hours=state.settings.session_hours)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.session_interface = DashboardSessionInterface()


# Set by a reverse proxy: a request carrying one came through it, so its loopback address says
# nothing about who sent it.
PROXY_HEADERS = (
    "Forwarded",
    "X-Forwarded-For",
    "X-Forwarded-Host",
    "X-Forwarded-Proto",
    "X-Real-IP",
)


def host_name(host: str) -> str:
    """The name of a Host header without its port: ``[::1]:8000`` -> ``::1``."""
    if host.startswith("["):
        return host[1:].partition("]")[0].lower()
    name, colon, port = host.rpartition(":")
    return (name if colon and port.isdigit() and ":" not in name else host).lower()


def open_refusal() -> str | None:
    """Why a request may not see the dashboard without a token, or None when it may."""
    settings = runtime().settings
    if not settings.dashboard_open:
        return (
            "BRIDGE_ADMIN_TOKEN is not set: set it (or BRIDGE_DASHBOARD_OPEN=1 for a local run "
            "on this machine)."
        )
    if any(name in request.headers for name in PROXY_HEADERS):
        return "This request came through a proxy: set BRIDGE_ADMIN_TOKEN to serve the dashboard."
    if not is_loopback(request.remote_addr):
        return "BRIDGE_ADMIN_TOKEN is not set: the dashboard is served to this machine only."
    if host_name(request.host) not in settings.trusted_hosts:
        # A rebound DNS name (evil.example -> 127.0.0.1) arrives with its own Host header.
        return (
            "Unknown host name: open the dashboard as http://localhost or add the name to "
            "BRIDGE_TRUSTED_HOSTS."
        )
    return None


def authenticate() -> str | None:
    """How this request is allowed in ("bearer", "session", "loopback"), or None."""
    token = admin_token()
    if token is None:
        return "loopback" if open_refusal() is None else None
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return "bearer" if check_secret(given.strip(), token) else None
    sid = session.get("sid")
    if not isinstance(sid, str) or not sid:
        return None
    state = runtime()
    with db.reading(state.db) as connection:
        active = web_auth.session_active(
            connection, _session_hash(sid), token_mark(token), state.clock()
        )
    return "session" if active else None


def start_session(token: str) -> None:
    """Logged in: a new random session id in the cookie, its hash and expiry on the server."""
    state = runtime()
    sid = secrets.token_urlsafe(32)
    now = state.clock()
    expires = now + current_app.permanent_session_lifetime
    with db.writing(state.db) as connection:
        web_auth.open_session(connection, _session_hash(sid), token_mark(token), now, expires)
    session.clear()
    session["sid"] = sid
    session.permanent = True


def end_session() -> None:
    """Logged out: the session id stops working on the server, whoever holds the cookie."""
    sid = session.get("sid")
    if isinstance(sid, str) and sid:
        state = runtime()
        with db.writing(state.db) as connection:
            web_auth.revoke(connection, _session_hash(sid), state.clock())
    session.clear()


def _session_hash(sid: str) -> str:
    # Only a hash on the server: a copy of the table does not hold usable session ids.
    return hashlib.sha256(sid.encode()).hexdigest()


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def check_csrf() -> None:
    """Forms posted with ambient credentials (cookie, loopback) must carry the session's token."""
    if g.get("auth") == "bearer":
        return
    expected = str(session.get("csrf", ""))
    given = request.form.get("csrf", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(400, "missing or wrong CSRF token; reload the page and try again")
