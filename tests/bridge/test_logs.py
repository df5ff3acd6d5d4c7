"""No secret reaches a log line, an error message or a repr."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from urllib.error import URLError

import pytest
from flask.testing import FlaskClient
from slack_sdk import WebClient

from bridge import create_app, logs
from tests.conftest import SECRETS, FrozenClock, make_settings
from tests.support.signing import zendesk_headers

API_TOKEN = "zendesk-api-token-9f8e7d6c"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers), root.level
    yield stream
    root.handlers[:] = before[0]
    root.setLevel(before[1])


def install(stream: io.StringIO, fmt: str, secrets: list[str]) -> None:
    logs.configure("DEBUG", fmt, secrets)
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "bridge")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_secrets_are_redacted_in_messages_extras_and_tracebacks(
    captured: io.StringIO, fmt: str
) -> None:
    install(captured, fmt, [API_TOKEN])
    log = logging.getLogger("bridge.test")
    log.info("calling with token %s", API_TOKEN, extra={"auth": f"Bearer {API_TOKEN}"})
    try:
        raise RuntimeError(f"401 for {API_TOKEN}")
    except RuntimeError:
        log.exception("request failed")
    output = captured.getvalue()
    assert API_TOKEN not in output
    assert output.count(logs.REDACTED) >= 3


def test_json_lines_carry_extras(captured: io.StringIO) -> None:
    install(captured, "json", [])
    logging.getLogger("bridge.test").warning("rejected", extra={"status": 401})
    entry = json.loads(captured.getvalue().splitlines()[-1])
    assert entry["level"] == "warning" and entry["status"] == 401
    assert entry["message"] == "rejected"


def test_running_app_logs_no_secret_even_when_requests_carry_them(
    captured: io.StringIO, database_url: str, clock: FrozenClock
) -> None:
    settings = make_settings(
        database_url,
        ZENDESK_SUBDOMAIN="acme",
        ZENDESK_EMAIL="bot@acme.test",
        ZENDESK_API_TOKEN=API_TOKEN,
        BRIDGE_LOG_FORMAT="json",
        BRIDGE_LOG_LEVEL="DEBUG",
    )
    app = create_app({"BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": clock})
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "bridge")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(captured)
    client: FlaskClient = app.test_client()
    body = b'{"ticket_id": "1"}'
    headers = zendesk_headers("a-wrong-secret", body, clock())
    assert client.post("/webhooks/zendesk", data=body, headers=headers).status_code == 401
    logging.getLogger("bridge").info("settings at start: %r", settings)
    output = captured.getvalue()
    assert "webhook rejected" in output
    for secret in [API_TOKEN, *SECRETS.values()]:
        assert secret not in output
    app.extensions["bridge"].db.dispose()


@pytest.mark.parametrize(("bodies", "shown"), [(None, False), ("1", True)])
def test_debug_shows_request_bodies_only_when_asked(
    captured: io.StringIO, database_url: str, clock: FrozenClock, bodies: str | None, shown: bool
) -> None:
    settings = make_settings(
        database_url, BRIDGE_LOG_FORMAT="json", BRIDGE_LOG_LEVEL="DEBUG", BRIDGE_LOG_BODIES=bodies
    )
    app = create_app({"BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": clock})
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "bridge")
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(captured)
    # slack_sdk logs the whole request at DEBUG before sending it (nothing listens on port 9).
    client = WebClient(token="xoxb-test", base_url="http://127.0.0.1:9/")
    with pytest.raises(URLError):
        client.chat_postMessage(channel="C1", text="Customer Jane Roe: card 4111 1111")
    logging.getLogger("bridge.test").debug("own debug line", extra={"ticket": "zendesk:1"})
    output = captured.getvalue()
    assert ("Customer Jane Roe" in output) is shown
    assert "own debug line" in output
    app.extensions["bridge"].db.dispose()
