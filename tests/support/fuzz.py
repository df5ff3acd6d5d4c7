"""Random requests for every endpoint of the intake table (``connectors.registry``): random
headers and bodies, and validly signed random bodies, for the fuzz test and
``benchmarks/bench_fuzz.py``. What must hold for each: no 5xx, no row for a refused request,
and every stored row fits its columns on PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st

from connectors.base import PersonRequestKind
from connectors.helpscout.inbound import sign as helpscout_sign
from connectors.registry import PROVIDERS
from connectors.teams.inbound import CSRF_COOKIE
from connectors.teams.links import ActionLink, csrf_token, sign
from tests.conftest import SECRETS
from tests.support.signing import (
    freshdesk_headers,
    pagerduty_headers,
    slack_headers,
    zendesk_headers,
)
from tests.support.store import assert_fits_columns, count_inbound, db_of, unprocessed

TEAMS_SECRET = "fuzz-teams-link-secret-0123456789"
OPSGENIE_SECRET = "fuzz-opsgenie-webhook-secret-0123"
INTERCOM_SECRET = "fuzz-intercom-client-secret-01234"
HELPSCOUT_SECRET = "fuzz-helpscout-webhook-secret-01"
# What the app under fuzzing is configured with, besides tests.conftest.SECRETS.
SETTINGS = {
    "TEAMS_LINK_SECRET": TEAMS_SECRET,
    "BRIDGE_PUBLIC_URL": "http://127.0.0.1:8000",
    "OPSGENIE_API_KEY": "5e81c312-0000-4f49-ad4b-5a4db0c0ffee",
    "OPSGENIE_WEBHOOK_SECRET": OPSGENIE_SECRET,
    "INTERCOM_ACCESS_TOKEN": "fuzz-intercom-token",
    "INTERCOM_CLIENT_SECRET": INTERCOM_SECRET,
    "INTERCOM_ADMIN_ID": "1",
    "HELPSCOUT_APP_ID": "fuzz-helpscout-app",
    "HELPSCOUT_APP_SECRET": "fuzz-helpscout-app-secret",
    "HELPSCOUT_WEBHOOK_SECRET": HELPSCOUT_SECRET,
    "SALESFORCE_ORG_ID": "00D5e000000KQ2eEAG",
}

Signer = Callable[[bytes, datetime], dict[str, str]]


def _teams(body: bytes, now: datetime) -> dict[str, str]:
    """A genuine link and CSRF pair; the random body rides beside them as the form's name."""
    expires = int(now.timestamp()) + 60
    link = ActionLink(PersonRequestKind.ACKNOWLEDGE, "zendesk:1", "TEAMS_WEBHOOK_URL", "c", expires)
    token = sign(link, TEAMS_SECRET)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{CSRF_COOKIE}=nonce",
        "X-Fuzz-Form": urllib.parse.urlencode(
            {"link": token, "csrf": csrf_token(TEAMS_SECRET, "nonce", token)}
        ),
    }


# How each endpoint's sender signs a body. Every endpoint in the registry needs a line here.
SIGNERS: dict[str, Signer] = {
    "/webhooks/zendesk": lambda body, now: zendesk_headers(
        SECRETS["ZENDESK_WEBHOOK_SECRET"], body, now
    ),
    "/webhooks/freshdesk": lambda body, now: freshdesk_headers(SECRETS["FRESHDESK_WEBHOOK_SECRET"]),
    "/webhooks/pagerduty": lambda body, now: pagerduty_headers(
        SECRETS["PAGERDUTY_WEBHOOK_SECRET"], body
    ),
    "/slack/actions": lambda body, now: slack_headers(SECRETS["SLACK_SIGNING_SECRET"], body, now),
    "/slack/commands": lambda body, now: slack_headers(SECRETS["SLACK_SIGNING_SECRET"], body, now),
    "/teams/actions": _teams,
    "/webhooks/opsgenie": lambda body, now: {
        "Content-Type": "application/json",
        "X-Bridge-Webhook-Secret": OPSGENIE_SECRET,
    },
    "/webhooks/intercom": lambda body, now: {
        "Content-Type": "application/json",
        "X-Hub-Signature": "sha1="
        + hmac.new(INTERCOM_SECRET.encode(), body, hashlib.sha1).hexdigest(),
    },
    "/webhooks/helpscout": lambda body, now: {
        "Content-Type": "application/json",
        "X-HelpScout-Signature": helpscout_sign(body, HELPSCOUT_SECRET),
    },
    # Outbound Messages are not signed: the org id inside is what they are checked on.
    "/webhooks/salesforce": lambda body, now: {"Content-Type": "text/xml"},
    "/webhooks/clickup": lambda body, now: {
        "Content-Type": "application/json",
        "X-Signature": hmac.new(
            SECRETS["CLICKUP_WEBHOOK_SECRET"].encode(), body, hashlib.sha256
        ).hexdigest(),
    },
}

ENDPOINTS = sorted({endpoint.path for spec in PROVIDERS for endpoint in spec.endpoints})
HEADER_NAMES = (
    "Content-Type",
    "Authorization",
    "Cookie",
    "X-Zendesk-Webhook-Signature",
    "X-Zendesk-Webhook-Signature-Timestamp",
    "X-Zendesk-Webhook-Invocation-Id",
    "X-PagerDuty-Signature",
    "X-Webhook-Id",
    "X-Slack-Signature",
    "X-Slack-Request-Timestamp",
    "X-Bridge-Webhook-Secret",
    "X-Signature",
    "X-Hub-Signature",
)
HOSTILE_TEXT = (
    "99999999999999",
    "-1",
    "\u0661\u0662\u0663",
    "9" * 300,
    "v1=",
    "v0=",
    "Basic ",
    "Basic Og==",
    "application/json",
    "application/x-www-form-urlencoded",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "NaN",
    "1e999",
)
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/plain", "")

# Header values HTTP can carry: Latin-1 without control characters.
header_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(
        st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=80
    ),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.sampled_from(HOSTILE_TEXT),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["ticket_id", "id", "type", "event", "detail", "data", "payload", "x"])
            | st.text(max_size=8),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


def _shaped(value: Any) -> dict[str, Any]:
    """Random values in the places each sender's body has them."""
    return {
        "ticket_id": value,
        "freshdesk_webhook": {"ticket_id": value, "triggered_event": value},
        "type": "zen:event-type:ticket.status_changed",
        "id": value,
        "detail": {"id": value},
        "event": {
            "id": value,
            "event_type": "incident.annotated",
            "occurred_at": value,
            "data": {"type": "incident_note", "incident": {"incident_key": value, "id": value}},
        },
    }


def _form(fields: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def _click(value: Any) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": value},
        "channel": {"id": "C1"},
        "message": {"ts": value},
        "actions": [{"action_id": "bridge_ack", "value": value}],
    }
    return _form({"payload": json.dumps(payload, default=str)})


bodies = st.one_of(
    st.binary(max_size=400),
    json_values.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(_shaped(v)).encode()),
    json_values.map(_click),
    st.builds(
        lambda text, command: _form({"command": command, "text": text, "user_id": "U1"}),
        st.text(max_size=40) | st.sampled_from(HOSTILE_TEXT),
        st.sampled_from(["/escalate", "/escalation", "", "x"]),
    ),
    st.sampled_from([b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000]),
)


@dataclass(frozen=True)
class FuzzRequest:
    path: str
    body: bytes
    headers: dict[str, str]
    mode: str  # signed | tampered (signed, then headers changed) | bare (random headers only)


def requests(now: datetime) -> st.SearchStrategy[FuzzRequest]:
    """A request for any endpoint: the sender's valid signature over a random body (at a moment
    around ``now``), the same with some headers then changed at random, or random headers."""
    return st.builds(
        _request,
        st.sampled_from(ENDPOINTS),
        bodies,
        st.dictionaries(st.sampled_from(HEADER_NAMES), header_text, min_size=1, max_size=4),
        st.sampled_from(("signed", "tampered", "bare")),
        # Mostly the sender's own content type, so that the body is read.
        st.sampled_from(("keep", "keep", "keep", *CONTENT_TYPES)),
        st.integers(min_value=-400, max_value=400).map(lambda s: now + timedelta(seconds=s)),
    )


def _request(
    path: str,
    body: bytes,
    changes: dict[str, str],
    mode: str,
    content_type: str,
    at: datetime,
) -> FuzzRequest:
    headers = {} if mode == "bare" else SIGNERS[path](body, at)
    form = headers.pop("X-Fuzz-Form", None)
    if form is not None:  # Teams: the signed link in the form, the random body as the name
        body = f"{form}&name=".encode() + urllib.parse.quote_from_bytes(body[:100]).encode()
    if content_type != "keep":
        headers["Content-Type"] = content_type
    if mode != "signed":
        headers.update(changes)
    return FuzzRequest(path, body, headers, mode)


def check(app: Flask, client: FlaskClient, request: FuzzRequest) -> int:
    """Send one request and check what must hold; returns the status."""
    engine = db_of(app)
    before = count_inbound(engine)
    response = client.post(request.path, data=request.body, headers=request.headers)
    status = response.status_code
    assert status < 500, (request, status, response.data[:300])
    if status >= 400:
        assert count_inbound(engine) == before, (request, status)
    assert_fits_columns(unprocessed(engine))
    return status
