"""The database does not answer: intake answers 503 with Retry-After (Slack: a 200 asking the
person to try again), logs the outage once and its end once, and stores nothing."""

from __future__ import annotations

import json
import logging
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

from bridge import create_app
from bridge.store import db
from connectors.base import PersonRequestKind
from connectors.teams.inbound import CSRF_COOKIE
from connectors.teams.links import ActionLink, csrf_token, sign
from connectors.teams.notifier import ACTIONS_PATH
from tests.bridge.web.test_intake import ZENDESK_TRIGGER, slack_action_body
from tests.conftest import SECRETS, FrozenClock, fixture_json, make_settings
from tests.support.signing import (
    freshdesk_headers,
    pagerduty_headers,
    slack_headers,
    zendesk_headers,
)
from tests.support.store import count_inbound, db_of

# Nothing listens on port 1: connecting is refused at once, as when PostgreSQL is down.
DOWN_URL = "postgresql+psycopg://bridge:secret@127.0.0.1:1/bridge"
FRESHDESK = b'{"ticket_id": 11}'
TEAMS_SECRET = "teams-link-secret-for-outage-tests-0123"

Request = tuple[str, bytes, dict[str, str]]


def _send(client: FlaskClient, request: Request) -> TestResponse:
    path, body, headers = request
    cookie = headers.pop("Cookie", None)  # the test client sends its own jar
    if cookie:
        name, _, value = cookie.partition("=")
        client.set_cookie(name, value)
    return client.post(path, data=body, headers=headers)


def _pagerduty(now: datetime) -> Request:
    # A fresh event, signed here: its occurred_at must not look like a replay.
    payload = fixture_json("pagerduty/webhook_v3_incident_acknowledged.raw.json")
    payload["event"]["occurred_at"] = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    body = json.dumps(payload).encode()
    return "/webhooks/pagerduty", body, pagerduty_headers(SECRETS["PAGERDUTY_WEBHOOK_SECRET"], body)


def _command(now: datetime) -> Request:
    # One of the bridge's own commands: a command it does not know is answered with its usage
    # without the database (nothing to store).
    fields = dict(
        urllib.parse.parse_qsl(
            fixture_json("slack/slash_command_form.signing_test_vector.json")["raw_body"]
        )
    )
    fields.update(command="/escalate", text="zendesk:1001 customer is blocked")
    body = urllib.parse.urlencode(fields).encode()
    return "/slack/commands", body, slack_headers(SECRETS["SLACK_SIGNING_SECRET"], body, now)


def _action(now: datetime) -> Request:
    body = slack_action_body()
    return "/slack/actions", body, slack_headers(SECRETS["SLACK_SIGNING_SECRET"], body, now)


def _zendesk(now: datetime) -> Request:
    headers = zendesk_headers(SECRETS["ZENDESK_WEBHOOK_SECRET"], ZENDESK_TRIGGER, now)
    return "/webhooks/zendesk", ZENDESK_TRIGGER, headers


def _teams(now: datetime) -> Request:
    link = ActionLink(
        PersonRequestKind.TAKE_OWNERSHIP,
        "zendesk:1",
        "TEAMS_WEBHOOK_URL",
        "card",
        int(now.timestamp()) + 3600,
    )
    token = sign(link, TEAMS_SECRET)
    form = {"link": token, "csrf": csrf_token(TEAMS_SECRET, "nonce", token), "name": "Ann"}
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{CSRF_COOKIE}=nonce",
    }
    return ACTIONS_PATH, urllib.parse.urlencode(form).encode(), headers


def _freshdesk(_now: datetime) -> Request:
    headers = freshdesk_headers(SECRETS["FRESHDESK_WEBHOOK_SECRET"])
    return "/webhooks/freshdesk", FRESHDESK, headers


@pytest.fixture
def locked(database_url: str) -> Iterator[sqlite3.Connection]:
    """Another process holding SQLite's write lock (a long migration, a stuck writer)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    holder = sqlite3.connect(str(make_url(database_url).database), isolation_level=None)
    yield holder
    holder.close()


def test_locked_sqlite_gives_503_then_recovers(
    app: Flask, locked: sqlite3.Connection, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    client = app.test_client()
    locked.execute("BEGIN IMMEDIATE")
    caplog.set_level(logging.INFO, logger="bridge.store.outage")
    answers = [_send(client, _freshdesk(clock())) for _ in range(2)]
    for answer in answers:
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "10"
        assert "try again" in answer.json["error"]
    locked.execute("ROLLBACK")
    assert count_inbound(db_of(app)) == 0
    assert _send(client, _freshdesk(clock())).status_code == 202
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "database not answering; web requests get 503 until it does",
        "database answering again",
    ]
    assert all(record.exc_info is None for record in caplog.records)


CASES: list[tuple[str, Callable[[datetime], Request], int]] = [
    ("zendesk", _zendesk, 503),
    ("freshdesk", _freshdesk, 503),
    ("pagerduty", _pagerduty, 503),
    ("slack click", _action, 200),
    ("slack command", _command, 200),
    ("teams confirmation", _teams, 503),
]


@pytest.fixture
def down(clock: FrozenClock) -> Iterator[Flask]:
    # The session key is given: the generated one lives in the database, which is down.
    settings = make_settings(
        DOWN_URL,
        BRIDGE_SECRET_KEY="outage-test-session-key-0123456789",
        TEAMS_WEBHOOK_URL="https://example.webhook.office.com/webhookb2/x",
        TEAMS_LINK_SECRET=TEAMS_SECRET,
        BRIDGE_PUBLIC_URL="https://bridge.example.com",
    )
    app = create_app(
        {
            "TESTING": True,
            "BRIDGE_SETTINGS": settings,
            "BRIDGE_CLOCK": clock,
            "BRIDGE_AUTO_MIGRATE": False,
        }
    )
    yield app
    db_of(app).dispose()


@pytest.mark.parametrize(("case", "build", "status"), CASES, ids=[c[0] for c in CASES])
def test_database_down_answers_each_sender_as_it_expects(
    down: Flask, clock: FrozenClock, case: str, build: Callable[[datetime], Request], status: int
) -> None:
    response = _send(down.test_client(), build(clock()))
    assert response.status_code == status
    if status == 503:
        assert response.headers["Retry-After"] == "10"
        if case.startswith("teams"):  # a person's browser: a page
            assert "try again" in response.text and response.mimetype == "text/html"
        else:
            assert response.is_json and "try again" in response.json["error"]
    else:  # Slack wants its 200; the person is told nothing was done
        assert response.json["response_type"] == "ephemeral"
        assert "try again" in response.json["text"]


def test_readyz_reports_the_database_down(down: Flask) -> None:
    response = down.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("unreachable")


def test_postgresql_connections_time_out_quickly() -> None:
    assert db.engine_connect_args()["connect_timeout"] <= 2
    engine = db.make_engine(DOWN_URL + "?connect_timeout=7")
    assert engine.dialect.create_connect_args(engine.url)[1]["connect_timeout"] == "7"
    engine.dispose()


def test_reads_answer_while_a_writer_holds_the_lock(app: Flask, locked: sqlite3.Connection) -> None:
    client = app.test_client()
    locked.execute("BEGIN IMMEDIATE")
    assert client.get("/metrics").status_code == 200
    assert client.get("/readyz").status_code == 200
    locked.execute("ROLLBACK")
