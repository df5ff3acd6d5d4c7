"""Shared HTTP outcome classification for every connector.

One table decides what a status code means for delivery: success, retry later (429, 408, 5xx,
network trouble), give up (other 4xx), or a credential problem (401/403) that an operator must fix.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum

from connectors.base import AuthError, ConnectorError, PermanentError, RetryableError


class Outcome(StrEnum):
    OK = "ok"
    RETRY = "retry"
    PERMANENT = "permanent"
    AUTH = "auth"


def classify(status: int) -> Outcome:
    """Map an HTTP status code to what delivery should do about it."""
    if 200 <= status < 300:
        return Outcome.OK
    if status in (401, 403):
        return Outcome.AUTH
    if status in (408, 425, 429) or status >= 500:
        return Outcome.RETRY
    return Outcome.PERMANENT


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from ``Retry-After``: delta-seconds (also fractional) or an HTTP-date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


def error_for_status(
    status: int,
    headers: Mapping[str, str],
    *,
    service: str,
    detail: str = "",
    credential_hint: str = "",
) -> ConnectorError | None:
    """The typed error for a non-2xx response, or None for success."""
    outcome = classify(status)
    if outcome is Outcome.OK:
        return None
    message = f"{service} answered HTTP {status}" + (f": {detail}" if detail else "")
    if outcome is Outcome.AUTH:
        hint = f" (check {credential_hint})" if credential_hint else ""
        return AuthError(message + hint, status=status)
    if outcome is Outcome.RETRY:
        retry_after = parse_retry_after(_header(headers, "Retry-After"))
        return RetryableError(message, status=status, retry_after=retry_after)
    return PermanentError(message, status=status)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
