"""Teams Workflows webhook: a thin sender over ``requests``.

The trigger ("When a Teams webhook request is received") answers 202 Accepted before its flow
posts the card; "If more than four requests are made in a second, the client connection is
throttled" (learn.microsoft.com .../add-incoming-webhook). The client keeps to four a second per
webhook itself and raises ``Deferred`` rather than sleeping. The URL is the credential (its
``sig``), so no error message, log line or reference ever contains it: they name the variable.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import requests

from connectors.base import AuthError, Deferred, PermanentError, RetryableError
from connectors.http import Outcome, classify, parse_retry_after

REQUESTS_PER_SECOND = 4
TIMEOUT_SECONDS = 15


class TeamsClient:
    def __init__(
        self,
        url_for: Callable[[str], str | None],
        *,
        clock: Callable[[], float],
        session: requests.Session | None = None,
    ) -> None:
        self._url_for = url_for
        self._clock = clock
        self._session = session or requests.Session()
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def post(self, channel: str, body: dict[str, Any]) -> str | None:
        """Post ``body`` to the webhook in the variable ``channel``; returns the flow run id."""
        url = self._url_for(channel)
        if url is None:
            raise PermanentError(f"{channel} is not set: it must hold the channel's webhook URL")
        self._take_slot(channel)
        try:
            response = self._session.post(url, json=body, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as error:
            raise RetryableError(
                f"Teams webhook {channel} unreachable: {type(error).__name__}"
            ) from None
        outcome = classify(response.status_code)
        message = f"Teams webhook {channel} answered HTTP {response.status_code}{_code(response)}"
        if outcome is Outcome.OK:
            return response.headers.get("x-ms-workflow-run-id")
        if outcome is Outcome.RETRY:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            raise RetryableError(message, status=response.status_code, retry_after=wait)
        if outcome is Outcome.AUTH or response.status_code == 404:
            raise AuthError(f"{message} (check {channel}: copy the workflow's URL again)")
        raise PermanentError(message, status=response.status_code)

    def _take_slot(self, channel: str) -> None:
        """At most four requests in any second per webhook."""
        with self._lock:
            now = self._clock()
            sent = self._sent.setdefault(channel, deque())
            while sent and now - sent[0] >= 1.0:
                sent.popleft()
            if len(sent) >= REQUESTS_PER_SECOND:
                raise Deferred("Teams: four requests a second", retry_after=1.0 - (now - sent[0]))
            sent.append(now)


def _code(response: requests.Response) -> str:
    """The Logic Apps error code ({"error": {"code": ...}}), never the URL."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return f" ({str(code)[:80]})" if code else ""
