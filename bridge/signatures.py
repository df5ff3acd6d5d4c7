"""Verification of inbound requests over the raw body, in constant time. Pure functions."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

ZENDESK_MAX_AGE = timedelta(minutes=5)
SLACK_MAX_AGE = timedelta(minutes=5)
# Zendesk's clock and ours may disagree slightly; a larger lead than this is treated as forged.
ALLOWED_CLOCK_SKEW = timedelta(seconds=60)


class SignatureError(Exception):
    """Missing or wrong signature, or a stale timestamp (answered 401)."""


def verify_zendesk(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime
) -> None:
    """``X-Zendesk-Webhook-Signature`` = base64(HMAC-SHA256(secret, timestamp + body))."""
    if not timestamp or not signature:
        raise SignatureError("missing X-Zendesk-Webhook-Signature or its timestamp")
    try:
        sent_at = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise SignatureError("unreadable X-Zendesk-Webhook-Signature-Timestamp") from None
    if sent_at.tzinfo is None:
        raise SignatureError("X-Zendesk-Webhook-Signature-Timestamp has no time zone")
    _check_age(now - sent_at, ZENDESK_MAX_AGE)
    expected = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    try:
        given = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("X-Zendesk-Webhook-Signature is not base64") from None
    if not hmac.compare_digest(expected, given):
        raise SignatureError("X-Zendesk-Webhook-Signature does not match")


def verify_slack(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime
) -> None:
    """Slack v0 signing: ``v0=`` hex HMAC over ``v0:{timestamp}:{body}``, 5-minute window."""
    if not timestamp or not signature:
        raise SignatureError("missing X-Slack-Signature or X-Slack-Request-Timestamp")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError("X-Slack-Request-Timestamp is not a number") from None
    _check_age(now - datetime.fromtimestamp(sent_at, UTC), SLACK_MAX_AGE)
    # Computed over the raw bytes: slack_sdk's verifier decodes the body as UTF-8 first and
    # raises on anything else, which would turn a forged request into a server error.
    base = b"v0:" + str(sent_at).encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise SignatureError("X-Slack-Signature does not match")


def verify_pagerduty(secret: str, header: str | None, body: bytes) -> None:
    """``X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]``: any one matching signature is enough."""
    if not header:
        raise SignatureError("missing X-PagerDuty-Signature")
    expected = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    matched = False
    for candidate in header.split(","):
        # Compare every candidate so the time taken does not reveal which one matched.
        matched |= hmac.compare_digest(expected.encode(), candidate.strip().encode())
    if not matched:
        raise SignatureError("X-PagerDuty-Signature does not match")


def verify_basic_password(secret: str, authorization: str | None) -> None:
    """Freshdesk sends no signature; its webhook carries HTTP Basic credentials we chose."""
    if not authorization or not authorization.lower().startswith("basic "):
        raise SignatureError("missing HTTP Basic credentials")
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise SignatureError("unreadable HTTP Basic credentials") from None
    _user, _, password = decoded.partition(":")
    if not hmac.compare_digest(password.encode(), secret.encode()):
        raise SignatureError("wrong webhook password")


def _check_age(age: timedelta, max_age: timedelta) -> None:
    if age > max_age:
        raise SignatureError("timestamp is older than 5 minutes (replay?)")
    if age < -ALLOWED_CLOCK_SKEW:
        raise SignatureError("timestamp is in the future")
