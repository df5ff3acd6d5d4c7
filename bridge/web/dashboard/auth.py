"""Who may see the dashboard: ``BRIDGE_ADMIN_TOKEN`` as a bearer token or through a login form
that sets a session cookie; without a token, loopback clients only. CSRF tokens for every form.

The session is signed with a key derived from the admin token (HMAC), so every worker process
derives the same key and changing the token logs everyone out. Without a token the key is random
per process: only loopback clients are served then, and a login is never needed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from ipaddress import ip_address

from flask import Flask, Request, abort, g, has_request_context, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from bridge.runtime import runtime


def admin_token(app: Flask | None = None) -> str | None:
    token = runtime(app).settings.admin_token
    value = token.get_secret_value() if token is not None else ""
    return value or None


def _derive(token: str, purpose: bytes) -> str:
    return hmac.new(token.encode(), purpose, hashlib.sha256).hexdigest()


def login_mark(token: str) -> str:
    """What the session holds once logged in: not the token itself."""
    return _derive(token, b"bridge dashboard login")


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
        local = has_request_context() and request.scheme == "http"
        return not (local and is_loopback(request.remote_addr))


def install(app: Flask) -> None:
    token = admin_token(app)
    if not app.secret_key:
        app.secret_key = _derive(token, b"bridge session key") if token else secrets.token_hex(32)
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
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return "bearer"
    if hmac.compare_digest(str(session.get("auth", "")).encode(), login_mark(token).encode()):
        return "session"
    return None


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
