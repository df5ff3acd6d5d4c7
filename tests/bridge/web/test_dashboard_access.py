"""Who reaches the dashboard without a token (opt-in, loopback, trusted Host, no proxy) and
where a login may send the browser next."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.bridge.web.test_dashboard import REMOTE, TOKEN, _app
from tests.conftest import FrozenClock

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def open_app(database_url: str, clock: FrozenClock) -> Iterator[Flask]:
    app = _app(database_url, clock, None, BRIDGE_DASHBOARD_OPEN="1")
    yield app
    app.extensions["bridge"].db.dispose()


def test_without_a_token_the_dashboard_needs_the_opt_in(
    database_url: str, clock: FrozenClock
) -> None:
    app = _app(database_url, clock, None)
    response = app.test_client().get("/", environ_base=LOCAL)
    assert response.status_code == 403
    assert "BRIDGE_DASHBOARD_OPEN" in response.text
    app.extensions["bridge"].db.dispose()


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost", 200),
        ("localhost:8000", 200),
        ("127.0.0.1:8000", 200),
        ("[::1]:8000", 200),
        ("evil.example", 403),  # DNS rebinding: evil.example resolves to 127.0.0.1
        ("evil.example:8000", 403),
        ("localhost.evil.example", 403),
    ],
)
def test_open_dashboard_only_for_trusted_host_names(
    open_app: Flask, host: str, status: int
) -> None:
    response = open_app.test_client().get("/", headers={"Host": host}, environ_base=LOCAL)
    assert response.status_code == status


def test_trusted_hosts_are_configurable(database_url: str, clock: FrozenClock) -> None:
    app = _app(
        database_url, clock, None, BRIDGE_DASHBOARD_OPEN="1", BRIDGE_TRUSTED_HOSTS="bridge.lan"
    )
    client = app.test_client()
    assert client.get("/", headers={"Host": "bridge.lan"}, environ_base=LOCAL).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}, environ_base=LOCAL).status_code == 403
    app.extensions["bridge"].db.dispose()


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.9"},
        {"X-Forwarded-Proto": "https"},
        {"X-Forwarded-Host": "bridge.example.com"},
        {"Forwarded": "for=203.0.113.9;proto=https"},
        {"X-Real-IP": "203.0.113.9"},
    ],
)
def test_open_dashboard_is_closed_behind_a_proxy(open_app: Flask, header: dict[str, str]) -> None:
    # A TLS proxy on the same host connects from 127.0.0.1 on behalf of anyone.
    response = open_app.test_client().get("/", headers=header, environ_base=LOCAL)
    assert response.status_code == 403
    assert "proxy" in response.text


def _login_to(app: Flask, target: str) -> str:
    client = app.test_client()
    page = client.get("/login", environ_base=REMOTE)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"token": TOKEN, "csrf": csrf.group(1)},
        environ_base=REMOTE,
    )
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/tickets/zendesk/42", "/tickets/zendesk/42"),
        ("/?days=7&team=Tier 2", "/?days=7&team=Tier+2"),
        ("/", "/"),
        ("/\t/evil.example", "/"),  # browsers drop the tab: //evil.example
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\r\n/Set-Cookie: x=1", "/"),
        ("https://evil.example/", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("/tickets/zendesk/42/../../..//evil.example", "/"),
        ("/tickets/../../evil.example", "/"),
        ("/tickets/zendesk/.", "/"),
        ("/logout", "/"),  # routed, but not a page to land on
        ("/nowhere", "/"),
        ("", "/"),
    ],
)
def test_next_only_leads_to_a_dashboard_page(
    database_url: str, clock: FrozenClock, target: str, location: str
) -> None:
    app = _app(database_url, clock, TOKEN)
    assert _login_to(app, target) == location
    app.extensions["bridge"].db.dispose()
