"""The dashboard: who gets in (token, session, loopback), CSRF, escaping, the pages' content."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bridge import create_app
from bridge.store import outbox
from connectors.actions import ChatAlert, NewAction
from connectors.base import TicketKey
from tests.conftest import FrozenClock, make_settings
from tests.support.sample import Rows, decision_row, insert, state_row, ticket_row

TOKEN = "dashboard-token-for-tests-0123456789"
REMOTE = {"REMOTE_ADDR": "203.0.113.9"}
LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


def _app(
    database_url: str, clock: FrozenClock, token: str | None, **overrides: str | None
) -> Flask:
    settings = make_settings(database_url, BRIDGE_ADMIN_TOKEN=token, **overrides)
    return create_app({"TESTING": True, "BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": clock})


@pytest.fixture
def secured(database_url: str, clock: FrozenClock) -> Iterator[Flask]:
    app = _app(database_url, clock, TOKEN)
    now = clock.now
    rows = Rows()
    created = now - timedelta(hours=5)
    rows.tickets.append(
        ticket_row("42", created, organization="acme", next_check_at=now + timedelta(minutes=30))
    )
    rows.tickets[0]["data"]["subject"] = "<script>alert(1)</script> printer on fire"
    rows.states.append(
        state_row(
            "42",
            2,
            now - timedelta(hours=1),
            owner="senior-support",  # what the bridge records: the route's desk group
            history=[(now - timedelta(hours=1), "matrix", "L1", "L2")],
        )
    )
    rows.decisions.append(
        decision_row(
            "42",
            now - timedelta(hours=1),
            "escalate",
            "matrix",
            "L2",
            text="Medium ticket escalated to L2",
            clock={"deadline": "2026-03-02T08:00Z"},
        )
    )
    engine = app.extensions["bridge"].db
    with engine.begin() as connection:
        insert(connection, rows)
        alert = ChatAlert(channel="#support", text="hello")
        outbox.enqueue(
            connection, [NewAction("k1", TicketKey("zendesk", "42"), "slack", alert)], now
        )
        outbox.mark_dead(connection, 1, f"401 from Slack, token {TOKEN}", now)
    yield app
    engine.dispose()


def _login(client: FlaskClient) -> None:
    page = client.get("/login", environ_base=REMOTE)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    response = client.post(
        "/login", data={"token": TOKEN, "csrf": csrf.group(1)}, environ_base=REMOTE
    )
    assert response.status_code == 302


def _csrf(client: FlaskClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/", environ_base=REMOTE).text)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 302),
        ({"Authorization": f"Bearer {TOKEN}"}, 200),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": f"Basic {TOKEN}"}, 401),
    ],
)
def test_token_is_required(secured: Flask, headers: dict[str, str], status: int) -> None:
    response = secured.test_client().get("/", headers=headers, environ_base=REMOTE)
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/login")


def test_login_sets_a_secure_httponly_lax_cookie(secured: Flask) -> None:
    client = secured.test_client()
    page = client.get("/login", environ_base=REMOTE, base_url="https://bridge.example")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    response = client.post(
        "/login?next=//evil.example/",
        data={"token": TOKEN, "csrf": csrf.group(1)},
        environ_base=REMOTE,
        base_url="https://bridge.example",
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert TOKEN not in cookie
    assert response.headers["Location"] == "/"  # no open redirect
    assert (
        client.get("/", environ_base=REMOTE, base_url="https://bridge.example").status_code == 200
    )


def test_wrong_token_and_missing_csrf_are_refused(secured: Flask) -> None:
    client = secured.test_client()
    page = client.get("/login", environ_base=REMOTE)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    wrong = client.post(
        "/login", data={"token": "nope", "csrf": csrf.group(1)}, environ_base=REMOTE
    )
    assert wrong.status_code == 200 and "not right" in wrong.text
    assert client.post("/login", data={"token": TOKEN}, environ_base=REMOTE).status_code == 400


def test_dashboard_shows_metrics_charts_and_escapes(secured: Flask) -> None:
    client = secured.test_client()
    _login(client)
    html = client.get("/", environ_base=REMOTE).text
    assert 'id="metric-escalation_rate"' in html
    assert "100.0 %" in html  # one ticket, escalated
    # Each metric's definition beside it.
    definitions = re.findall(r'<td class="definition muted">([^<]*)</td>', html)
    assert len(definitions) == html.count('id="metric-') and all(definitions)
    assert "passed through L2" in html and "because of that rating" in html
    assert '<svg id="chart-escalations"' in html and '<svg id="chart-triggers"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    # The owner by the team's display name, as the acknowledgement names it, not the slug.
    assert "<td>Senior Support</td>" in html and "senior-support" not in html
    assert "in 30 min" in html
    assert TOKEN not in html  # the dead letter's error is redacted
    assert "401 from Slack, token ***" in html


def test_retry_needs_the_csrf_token(secured: Flask) -> None:
    client = secured.test_client()
    _login(client)
    assert client.post("/dead-letters/1/retry", environ_base=REMOTE).status_code == 400
    response = client.post(
        "/dead-letters/1/retry", data={"csrf": _csrf(client)}, environ_base=REMOTE
    )
    assert response.status_code == 302
    with secured.extensions["bridge"].db.connect() as connection:
        assert outbox.listing(connection, outbox.DEAD) == []


def test_bearer_scripts_retry_without_csrf(secured: Flask) -> None:
    response = secured.test_client().post(
        "/dead-letters/1/retry", headers={"Authorization": f"Bearer {TOKEN}"}, environ_base=REMOTE
    )
    assert response.status_code == 302


def test_ticket_page_explains_each_decision(secured: Flask) -> None:
    response = secured.test_client().get(
        "/tickets/zendesk/42", headers={"Authorization": f"Bearer {TOKEN}"}, environ_base=REMOTE
    )
    html = response.text
    assert response.status_code == 200
    assert "Medium ticket escalated to L2" in html
    assert "policies/default.yaml:1" in html  # the policy line
    assert "2026-03-02T08:00Z" in html  # the clock arithmetic
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<dd>Senior Support</dd>" in html
    missing = secured.test_client().get(
        "/tickets/zendesk/404", headers={"Authorization": f"Bearer {TOKEN}"}, environ_base=REMOTE
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("remote", "status"),
    [
        ("127.0.0.1", 200),
        ("127.8.0.3", 200),
        ("::1", 200),
        ("::ffff:127.0.0.1", 200),
        ("10.0.0.4", 403),
        ("203.0.113.9", 403),
    ],
)
def test_without_a_token_only_loopback_is_served(
    database_url: str, clock: FrozenClock, remote: str, status: int
) -> None:
    app = _app(database_url, clock, None, BRIDGE_DASHBOARD_OPEN="1")
    response = app.test_client().get("/", environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == status
    if status == 200:
        assert "served to this machine (loopback) only" in response.text
    app.extensions["bridge"].db.dispose()


def test_loopback_mode_still_checks_csrf(database_url: str, clock: FrozenClock) -> None:
    app = _app(database_url, clock, None, BRIDGE_DASHBOARD_OPEN="1")
    client = app.test_client()
    assert client.post("/dead-letters/1/retry", environ_base=LOCAL).status_code == 400
    app.extensions["bridge"].db.dispose()


def test_security_headers(secured: Flask) -> None:
    response = secured.test_client().get("/login", environ_base=REMOTE)
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
