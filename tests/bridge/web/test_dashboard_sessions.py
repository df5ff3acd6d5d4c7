"""Dashboard sessions: an independent signing key, server-side sessions that logout and expiry
end, and a throttle on failed logins and bearer attempts."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient

from tests.bridge.web.test_dashboard import REMOTE, TOKEN, _app
from tests.conftest import FrozenClock

OTHER = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture
def app(database_url: str, clock: FrozenClock) -> Iterator[Flask]:
    app = _app(database_url, clock, TOKEN)
    yield app
    app.extensions["bridge"].db.dispose()


def _csrf(client: FlaskClient, environ: dict[str, str] = REMOTE) -> str:
    page = client.get("/login", environ_base=environ).text
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _login(client: FlaskClient, token: str = TOKEN, environ: dict[str, str] = REMOTE) -> int:
    data = {"token": token, "csrf": _csrf(client, environ)}
    return client.post("/login", data=data, environ_base=environ).status_code


def _home(client: FlaskClient, environ: dict[str, str] = REMOTE) -> int:
    return client.get("/", environ_base=environ).status_code


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _with_cookie(app: Flask, value: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("session", value)
    return client


def test_a_cookie_signed_with_the_token_derived_key_is_refused(app: Flask) -> None:
    # What main signed sessions with: one HMAC of the admin token, so a cookie let anyone try
    # tokens offline, and anyone who knew the token could forge a session.
    old_key = hmac.new(TOKEN.encode(), b"bridge session key", hashlib.sha256).hexdigest()
    old_mark = hmac.new(TOKEN.encode(), b"bridge dashboard login", hashlib.sha256).hexdigest()
    forger = Flask("forger")
    forger.secret_key = old_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    forged = serializer.dumps({"auth": old_mark})
    assert _home(_with_cookie(app, str(forged))) == 302


def test_the_cookie_holds_a_random_session_id_only(app: Flask) -> None:
    client = app.test_client()
    assert _login(client) == 302 and _home(client) == 200
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    content = serializer.loads(_cookie(client))
    assert set(content) <= {"sid", "csrf", "_permanent"}
    assert app.secret_key != hmac.new(TOKEN.encode(), b"bridge session key", "sha256").hexdigest()


def test_logout_revokes_the_session_on_the_server(app: Flask) -> None:
    client = app.test_client()
    assert _login(client) == 302
    stolen = _cookie(client)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/", environ_base=REMOTE).text)
    assert csrf
    assert client.post("/logout", data={"csrf": csrf.group(1)}, environ_base=REMOTE).status_code
    assert _home(_with_cookie(app, stolen)) == 302


def test_sessions_expire_after_twelve_hours(app: Flask, clock: FrozenClock) -> None:
    client = app.test_client()
    assert _login(client) == 302
    clock.advance(hours=11, minutes=59)
    assert _home(client) == 200
    clock.advance(minutes=2)
    assert _home(client) == 302


def test_session_hours_are_configurable(database_url: str, clock: FrozenClock) -> None:
    app = _app(database_url, clock, TOKEN, BRIDGE_SESSION_HOURS="1")
    client = app.test_client()
    assert _login(client) == 302
    clock.advance(minutes=61)
    assert _home(client) == 302
    app.extensions["bridge"].db.dispose()


def test_the_generated_key_is_shared_and_a_new_token_ends_sessions(
    app: Flask, database_url: str, clock: FrozenClock
) -> None:
    client = app.test_client()
    assert _login(client) == 302
    # Another process on the same database: the same key, so the session holds there too.
    same = _app(database_url, clock, TOKEN)
    assert same.secret_key == app.secret_key
    assert _home(_with_cookie(same, _cookie(client))) == 200
    rotated = _app(database_url, clock, TOKEN[::-1])
    assert _home(_with_cookie(rotated, _cookie(client))) == 302
    for other in (same, rotated):
        other.extensions["bridge"].db.dispose()


def test_a_configured_secret_key_signs_the_sessions(database_url: str, clock: FrozenClock) -> None:
    key = "configured-session-key-0123456789abcdef"
    app = _app(database_url, clock, TOKEN, BRIDGE_SECRET_KEY=key)
    assert app.secret_key == key
    app.extensions["bridge"].db.dispose()


def test_failed_logins_are_throttled_per_address(app: Flask, clock: FrozenClock) -> None:
    client = app.test_client()
    for _ in range(5):
        assert _login(client, "wrong-token") == 200
    response = client.post(
        "/login", data={"token": TOKEN, "csrf": _csrf(client)}, environ_base=REMOTE
    )
    assert response.status_code == 429  # even the right token: guessing must stop
    assert response.headers["Retry-After"] == "60"
    assert _login(app.test_client(), environ=OTHER) == 302  # another address is not locked out
    clock.advance(seconds=61)
    assert _login(client) == 302


def test_bearer_attempts_are_throttled(app: Flask, clock: FrozenClock) -> None:
    client = app.test_client()

    def get(token: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return client.get("/", headers=headers, environ_base=REMOTE).status_code

    assert [get(f"guess-{n}") for n in range(5)] == [401] * 5
    assert get(TOKEN) == 429
    clock.advance(minutes=1, seconds=1)
    assert get(TOKEN) == 200


def test_cookies_are_secure_whenever_a_token_is_set(app: Flask) -> None:
    # Plain http from loopback (a local run) too: browsers keep Secure cookies for localhost.
    client = app.test_client()
    local = {"REMOTE_ADDR": "127.0.0.1"}
    data = {"token": TOKEN, "csrf": _csrf(client, local)}
    response = client.post("/login", data=data, environ_base=local)
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
