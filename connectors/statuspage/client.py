"""Statuspage REST API v1: a thin sender over ``requests``.

https://developer.statuspage.io/ (its OpenAPI document): ``Authorization: OAuth <api key>``;
"Each API token is limited to 1 request / second as measured on a 60 second rolling window",
over which it answers 420 or 429. The client keeps to one request a second itself: a request
that would come too soon raises ``Deferred`` (nothing was sent) instead of sleeping, and a 429
pushes the next slot out by its ``Retry-After``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import requests

from connectors.base import Deferred, PermanentError, RetryableError
from connectors.http import error_for_status

SECONDS_PER_REQUEST = 1.0
RATE_LIMIT_WAIT = 60.0  # when 420/429 comes without Retry-After: the window is 60 s
TIMEOUT_SECONDS = 15
CREDENTIALS = "STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID"

JSON = Any


class StatuspageClient:
    def __init__(
        self,
        api_key: str,
        page_id: str,
        *,
        base_url: str,
        clock: Callable[[], float],
        session: requests.Session | None = None,
    ) -> None:
        self.page_id = page_id
        self._base = f"{base_url.rstrip('/')}/pages/{page_id}"
        self._clock = clock
        self._session = session or requests.Session()
        self._session.headers["Authorization"] = f"OAuth {api_key}"
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def components(self) -> list[dict[str, Any]]:
        # "a default and maximum limit of 100" per page: a status page rarely has more.
        found = self._call("GET", "/components", params={"per_page": 100})
        return list(found) if isinstance(found, list) else []

    def unresolved(self) -> list[dict[str, Any]]:
        found = self._call("GET", "/incidents/unresolved", params={"per_page": 100})
        return list(found) if isinstance(found, list) else []

    def incident(self, incident_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/incidents/{incident_id}"))

    def create_incident(self, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("POST", "/incidents", json=body))

    def update_incident(self, incident_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("PATCH", f"/incidents/{incident_id}", json=body))

    def _take_slot(self) -> None:
        with self._lock:
            now = self._clock()
            if now < self._next_slot:
                raise Deferred(
                    "Statuspage: one request a second", retry_after=self._next_slot - now
                )
            self._next_slot = now + SECONDS_PER_REQUEST

    def _call(self, method: str, path: str, **kwargs: Any) -> JSON:
        self._take_slot()
        try:
            response = self._session.request(
                method, self._base + path, timeout=TIMEOUT_SECONDS, **kwargs
            )
        except requests.RequestException as error:
            raise RetryableError(f"Statuspage unreachable: {type(error).__name__}") from None
        status = 429 if response.status_code == 420 else response.status_code
        failure = error_for_status(
            status,
            response.headers,
            service="Statuspage",
            detail=_detail(response),
            credential_hint=CREDENTIALS,
        )
        if failure is not None:
            if status == 429:
                wait = failure.retry_after or RATE_LIMIT_WAIT
                with self._lock:
                    self._next_slot = max(self._next_slot, self._clock() + wait)
                raise RetryableError(str(failure), status=status, retry_after=wait)
            raise failure
        try:
            return response.json()
        except ValueError:
            raise PermanentError("Statuspage answered something that is not JSON") from None


def _detail(response: requests.Response) -> str:
    """Statuspage's error text ({"error": ...} observed, {"message": ...} in its OpenAPI)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        text = body.get("error") or body.get("message") or ""
        return str(text)[:200]
    return ""
