"""ClickUp API v2: a thin sender over ``requests``.

developer.clickup.com: a personal token is the whole ``Authorization`` header (``pk_…``, no
``Bearer``); errors come as ``{"err": ..., "ECODE": ...}``; over the rate limit (100 requests a
minute per token on most plans) it answers 429 with ``X-RateLimit-Reset``, the Unix time in
seconds when the window starts again. Every failure becomes a typed error; nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests

from connectors.base import PermanentError, RetryableError
from connectors.http import error_for_status

TIMEOUT_SECONDS = 15
RATE_LIMIT_WAIT = 60.0  # a 429 without X-RateLimit-Reset: the window is a minute
CREDENTIALS = "CLICKUP_API_TOKEN"

JSON = dict[str, Any]


class ClickUpClient:
    def __init__(
        self,
        token: str,
        *,
        base_url: str,
        clock: Callable[[], float],
        session: requests.Session | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._clock = clock
        self._session = session or requests.Session()
        self._session.headers["Authorization"] = token

    def close(self) -> None:
        self._session.close()

    # -- tasks ---------------------------------------------------------------------------------

    def create_task(self, list_id: str, body: JSON) -> JSON:
        return self._call("POST", f"/list/{list_id}/task", json=body)

    def update_task(self, task_id: str, body: JSON) -> JSON:
        return self._call("PUT", f"/task/{task_id}", json=body)

    def tasks(self, list_id: str, params: Mapping[str, Any], page: int = 0) -> list[JSON]:
        """One page (up to 100) of the list's tasks matching ``params``."""
        found = self._call("GET", f"/list/{list_id}/task", params={**params, "page": page})
        return [t for t in found.get("tasks") or [] if isinstance(t, dict)]

    # -- the list, its people, the workspace -----------------------------------------------------

    def get_list(self, list_id: str) -> JSON:
        return self._call("GET", f"/list/{list_id}")

    def members(self, list_id: str) -> list[JSON]:
        found = self._call("GET", f"/list/{list_id}/member")
        return [m for m in found.get("members") or [] if isinstance(m, dict)]

    def user(self) -> JSON:
        return dict(self._call("GET", "/user").get("user") or {})

    def teams(self) -> list[JSON]:
        return [t for t in self._call("GET", "/team").get("teams") or [] if isinstance(t, dict)]

    def webhooks(self, team_id: str) -> list[JSON]:
        found = self._call("GET", f"/team/{team_id}/webhook")
        return [w for w in found.get("webhooks") or [] if isinstance(w, dict)]

    def create_webhook(self, team_id: str, body: JSON) -> JSON:
        return self._call("POST", f"/team/{team_id}/webhook", json=body)

    def _call(self, method: str, path: str, **kwargs: Any) -> JSON:
        try:
            response = self._session.request(
                method, self._base + path, timeout=TIMEOUT_SECONDS, **kwargs
            )
        except requests.RequestException as error:
            raise RetryableError(f"ClickUp unreachable: {type(error).__name__}") from None
        failure = error_for_status(
            response.status_code,
            response.headers,
            service="ClickUp",
            detail=_detail(response),
            credential_hint=CREDENTIALS,
        )
        if failure is not None:
            if response.status_code == 429:
                raise RetryableError(str(failure), status=429, retry_after=self._reset(response))
            raise failure
        try:
            body = response.json()
        except ValueError:
            raise PermanentError("ClickUp answered something that is not JSON") from None
        if not isinstance(body, dict):
            raise PermanentError("ClickUp answered JSON that is not an object")
        return body

    def _reset(self, response: requests.Response) -> float:
        """Seconds until the rate-limit window opens again, from ``X-RateLimit-Reset``."""
        try:
            reset = float(response.headers.get("X-RateLimit-Reset", ""))
        except ValueError:
            return RATE_LIMIT_WAIT
        return min(max(1.0, reset - self._clock()), RATE_LIMIT_WAIT)


def _detail(response: requests.Response) -> str:
    """ClickUp's error text (``err`` and ``ECODE``), short; never a header or the token."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and body.get("err"):
        code = f" ({body['ECODE']})" if body.get("ECODE") else ""
        return f"{str(body['err'])[:200]}{code}"
    return ""
