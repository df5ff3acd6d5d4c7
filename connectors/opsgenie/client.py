"""Opsgenie Alert API v2: a thin sender over ``requests``.

Every request carries ``Authorization: GenieKey <key>``, the key picked by the NAME of the
variable that holds it (the policy names variables, never keys). Create, acknowledge, close
and add-note are answered ``202 Accepted`` with a ``requestId``: Opsgenie carries them out
later, and ``request_status`` reads the outcome. Acknowledge, close and notes address the
alert by its alias, which needs ``identifierType=alias`` (the default is the alert's id).
Atlassian ends Opsgenie on 2027-04-05 and its generated Python SDK adds nothing these few
calls need: plain ``requests`` it is (see FACTS.md beside the stand-in).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests

from connectors.base import AuthError, PermanentError, RetryableError
from connectors.http import error_for_status, parse_retry_after

TIMEOUT_SECONDS = 15
# Opsgenie limits each domain per second and per minute and documents no Retry-After; its
# OAS lists ``X-RateLimit-Period-In-Sec`` ("Time of throttle in seconds"). Without either, a
# short wait first, the outbox's backoff grows it.
RATE_LIMIT_WAIT = 10.0
THROTTLE_HEADER = "X-RateLimit-Period-In-Sec"

JSON = dict[str, Any]


class OpsgenieClient:
    def __init__(
        self,
        api_keys: Callable[[str], str | None],
        *,
        base_url: str,
        ca_file: str | None = None,
        session: requests.Session | None = None,
    ) -> None:
        """``api_keys`` maps the NAME of a variable to its value (a settings lookup)."""
        self._api_keys = api_keys
        self._base = base_url.rstrip("/")
        self._session = session or requests.Session()
        if ca_file:
            self._session.verify = ca_file

    def close(self) -> None:
        self._session.close()

    def api_key(self, key_env: str) -> str | None:
        """The key the variable holds (for ``bridge doctor``'s checks; never shown)."""
        return self._api_keys(key_env)

    def create(self, key_env: str, body: JSON) -> str:
        """Create Alert; returns the request id."""
        return _request_id(self._call(key_env, "POST", "/v2/alerts", json=body))

    def acknowledge(self, key_env: str, alias: str, body: JSON) -> str:
        return self._by_alias(key_env, alias, "/acknowledge", body)

    def close_alert(self, key_env: str, alias: str, body: JSON) -> str:
        return self._by_alias(key_env, alias, "/close", body)

    def add_note(self, key_env: str, alias: str, body: JSON) -> str:
        return self._by_alias(key_env, alias, "/notes", body)

    def request_status(self, key_env: str, request_id: str) -> JSON | None:
        """What became of an accepted request (``data.isSuccess``, ``data.status``), or None
        while Opsgenie has not processed it yet (it answers 404 until then)."""
        path = f"/v2/alerts/requests/{quote(request_id, safe='')}"
        try:
            found = self._call(key_env, "GET", path)
        except PermanentError as error:
            if error.status == 404:
                return None
            raise
        data = found.get("data")
        return data if isinstance(data, dict) else None

    def account(self, key_env: str) -> JSON:
        """``GET /v2/account``: the cheapest call that proves the key and the URL."""
        data = self._call(key_env, "GET", "/v2/account").get("data")
        return data if isinstance(data, dict) else {}

    def _by_alias(self, key_env: str, alias: str, action: str, body: JSON) -> str:
        path = f"/v2/alerts/{quote(alias, safe='')}{action}"
        found = self._call(key_env, "POST", path, json=body, params={"identifierType": "alias"})
        return _request_id(found)

    def _call(self, key_env: str, method: str, path: str, **kwargs: Any) -> JSON:
        key = self._api_keys(key_env)
        if not key:
            raise AuthError(f"Opsgenie API key variable {key_env} is not set")
        try:
            response = self._session.request(
                method,
                self._base + path,
                headers={"Authorization": f"GenieKey {key}"},
                timeout=TIMEOUT_SECONDS,
                **kwargs,
            )
        except requests.RequestException as error:
            raise RetryableError(f"Opsgenie unreachable: {type(error).__name__}") from None
        failure = error_for_status(
            response.status_code,
            response.headers,
            service="Opsgenie",
            detail=_detail(response),
            credential_hint=key_env,
        )
        if failure is not None:
            if response.status_code == 429 and failure.retry_after is None:
                throttle = parse_retry_after(response.headers.get(THROTTLE_HEADER))
                failure.retry_after = throttle if throttle is not None else RATE_LIMIT_WAIT
            raise failure
        try:
            found = response.json()
        except ValueError:
            raise PermanentError("Opsgenie answered something that is not JSON") from None
        return found if isinstance(found, dict) else {}


def _request_id(found: JSON) -> str:
    return str(found.get("requestId") or "")


def _detail(response: requests.Response) -> str:
    """Opsgenie's error text: ``{"message": ..., "errors": {...}}`` (never a key)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    text = str(body.get("message") or "")
    errors = body.get("errors")
    if isinstance(errors, dict) and errors:
        text += " (" + "; ".join(f"{k}: {v}" for k, v in errors.items()) + ")"
    return text[:300]
