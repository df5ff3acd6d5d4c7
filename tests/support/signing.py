"""Sign test requests exactly as each provider does."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime


def zendesk_headers(secret: str, body: bytes, sent_at: datetime) -> dict[str, str]:
    timestamp = sent_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
    }


def freshdesk_headers(password: str, user: str = "freshdesk") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Content-Type": "application/json", "Authorization": f"Basic {token}"}


def slack_headers(secret: str, body: bytes, sent_at: datetime) -> dict[str, str]:
    timestamp = str(int(sent_at.timestamp()))
    base = b"v0:" + timestamp.encode() + b":" + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }


def pagerduty_headers(secret: str, body: bytes, webhook_id: str | None = None) -> dict[str, str]:
    signature = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-PagerDuty-Signature": signature}
    if webhook_id:
        headers["X-Webhook-Id"] = webhook_id
    return headers


def clickup_headers(secret: str, body: bytes) -> dict[str, str]:
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Signature": signature}
