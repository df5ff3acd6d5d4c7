"""Every inbound verifier against the published or recorded vectors: constant-time HMACs over
the raw body, timestamp windows, and what a wrong one is refused with."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import SignatureError
from connectors.freshdesk.inbound import FreshdeskInbound
from connectors.pagerduty.inbound import PagerDutyInbound
from connectors.slack import inbound as slack
from connectors.zendesk.inbound import ZendeskInbound
from tests.conftest import fixture_bytes, fixture_json

ANY_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def headers(**values: str | None) -> dict[str, str]:
    return {name.replace("_", "-"): value for name, value in values.items() if value is not None}


def verify_zendesk(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime
) -> None:
    given = headers(
        X_Zendesk_Webhook_Signature_Timestamp=timestamp, X_Zendesk_Webhook_Signature=signature
    )
    ZendeskInbound().verify(given, body, secret, now)


def verify_slack(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime
) -> None:
    given = headers(X_Slack_Request_Timestamp=timestamp, X_Slack_Signature=signature)
    slack.verify(given, body, secret, now)


def verify_pagerduty(secret: str, header: str | None, body: bytes) -> None:
    PagerDutyInbound().verify(headers(X_PagerDuty_Signature=header), body, secret, ANY_TIME)


def verify_basic_password(secret: str, authorization: str | None) -> None:
    FreshdeskInbound().verify(headers(Authorization=authorization), b"{}", secret, ANY_TIME)


ZENDESK_TEST_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
ZENDESK_TS = "2023-09-18T23:38:13Z"
ZENDESK_BODY = b'{"ticket_id":"35436","status":"open"}'
ZENDESK_SIG = "KBEbS1MSleygONC9S8Et5/ZYoYoBb6GQ0rvj3lvV71I="
ZENDESK_SENT = datetime(2023, 9, 18, 23, 38, 13, tzinfo=UTC)


def test_zendesk_reference_vector_verifies() -> None:
    verify_zendesk(ZENDESK_TEST_SECRET, ZENDESK_TS, ZENDESK_SIG, ZENDESK_BODY, ZENDESK_SENT)


def test_zendesk_old_body_plus_timestamp_order_is_not_accepted() -> None:
    swapped = base64.b64encode(
        hmac.new(
            ZENDESK_TEST_SECRET.encode(), ZENDESK_BODY + ZENDESK_TS.encode(), hashlib.sha256
        ).digest()
    ).decode()
    with pytest.raises(SignatureError, match="does not match"):
        verify_zendesk(ZENDESK_TEST_SECRET, ZENDESK_TS, swapped, ZENDESK_BODY, ZENDESK_SENT)


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "now", "message"),
    [
        (None, ZENDESK_SIG, ZENDESK_BODY, ZENDESK_SENT, "missing"),
        (ZENDESK_TS, None, ZENDESK_BODY, ZENDESK_SENT, "missing"),
        (ZENDESK_TS, ZENDESK_SIG, ZENDESK_BODY + b" ", ZENDESK_SENT, "does not match"),
        (ZENDESK_TS, "not base64!", ZENDESK_BODY, ZENDESK_SENT, "not base64"),
        ("yesterday", ZENDESK_SIG, ZENDESK_BODY, ZENDESK_SENT, "unreadable"),
        ("2023-09-18T23:38:13", ZENDESK_SIG, ZENDESK_BODY, ZENDESK_SENT, "time zone"),
        (
            ZENDESK_TS,
            ZENDESK_SIG,
            ZENDESK_BODY,
            ZENDESK_SENT + timedelta(minutes=5, seconds=1),
            "older than 5 minutes",
        ),
        (ZENDESK_TS, ZENDESK_SIG, ZENDESK_BODY, ZENDESK_SENT - timedelta(minutes=2), "future"),
    ],
)
def test_zendesk_rejections(
    timestamp: str | None, signature: str | None, body: bytes, now: datetime, message: str
) -> None:
    with pytest.raises(SignatureError, match=message):
        verify_zendesk(ZENDESK_TEST_SECRET, timestamp, signature, body, now)


def test_zendesk_small_clock_skew_is_tolerated() -> None:
    verify_zendesk(
        ZENDESK_TEST_SECRET,
        ZENDESK_TS,
        ZENDESK_SIG,
        ZENDESK_BODY,
        ZENDESK_SENT - timedelta(seconds=30),
    )


SLACK = fixture_json("slack/slash_command_form.signing_test_vector.json")
SLACK_NOW = datetime.fromtimestamp(1531420618, UTC)


def test_slack_published_vector_verifies() -> None:
    verify_slack(
        SLACK["signing_secret"],
        SLACK["headers"]["X-Slack-Request-Timestamp"],
        SLACK["headers"]["X-Slack-Signature"],
        SLACK["raw_body"].encode(),
        SLACK_NOW,
    )


@pytest.mark.parametrize(
    ("timestamp", "signature", "now"),
    [
        ("1531420618", "v0=" + "0" * 64, SLACK_NOW),
        ("1531420618", None, SLACK_NOW),
        ("soon", SLACK["headers"]["X-Slack-Signature"], SLACK_NOW),
        ("1531420618", SLACK["headers"]["X-Slack-Signature"], SLACK_NOW + timedelta(minutes=6)),
    ],
)
def test_slack_rejections(timestamp: str, signature: str | None, now: datetime) -> None:
    with pytest.raises(SignatureError):
        verify_slack(SLACK["signing_secret"], timestamp, signature, SLACK["raw_body"].encode(), now)


PAGERDUTY = fixture_json("pagerduty/webhook_v3_signature_vectors.json")


@pytest.mark.parametrize("vector", PAGERDUTY["vectors"], ids=lambda v: v["file"])
def test_pagerduty_recorded_vectors_verify(vector: dict[str, str]) -> None:
    body = fixture_bytes(f"pagerduty/{vector['file']}")
    verify_pagerduty(PAGERDUTY["secret"], vector["X-PagerDuty-Signature"], body)


@pytest.mark.parametrize("vector", PAGERDUTY["vectors"], ids=lambda v: v["file"])
@pytest.mark.parametrize(
    ("secret", "extra", "header"),
    [("other-secret", b"", None), (None, b" ", None), (None, b"", "v0=abc")],
    ids=["wrong secret", "body changed", "not v1"],
)
def test_pagerduty_vectors_refused_when_anything_differs(
    vector: dict[str, str], secret: str | None, extra: bytes, header: str | None
) -> None:
    body = fixture_bytes(f"pagerduty/{vector['file']}") + extra
    with pytest.raises(SignatureError):
        verify_pagerduty(
            secret or PAGERDUTY["secret"], header or vector["X-PagerDuty-Signature"], body
        )


def test_pagerduty_negative_example_is_refused() -> None:
    negative = PAGERDUTY["negative_example"]
    with pytest.raises(SignatureError):
        verify_pagerduty(
            PAGERDUTY["secret"],
            negative["X-PagerDuty-Signature"],
            fixture_bytes(f"pagerduty/{negative['file']}"),
        )


def test_pagerduty_rotation_header_accepts_any_matching_signature() -> None:
    verify_pagerduty(
        PAGERDUTY["secret"],
        PAGERDUTY["rotation_example_header"],
        fixture_bytes("pagerduty/webhook_v3_pagey_ping.raw.json"),
    )


def test_pagerduty_missing_header_is_refused() -> None:
    with pytest.raises(SignatureError, match="missing"):
        verify_pagerduty(PAGERDUTY["secret"], None, b"{}")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (_basic("freshdesk", "s3cret-password"), True),
        (_basic("anyone", "s3cret-password"), True),
        (_basic("freshdesk", "wrong"), False),
        ("Bearer s3cret-password", False),
        ("Basic %%%", False),
        (None, False),
    ],
)
def test_freshdesk_basic_password(header: str | None, ok: bool) -> None:
    if ok:
        verify_basic_password("s3cret-password", header)
    else:
        with pytest.raises(SignatureError):
            verify_basic_password("s3cret-password", header)
