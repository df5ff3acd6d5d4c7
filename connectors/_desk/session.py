"""The HTTP session the help-desk connectors use: budget, typed errors, optional base-URL move.

Everything a desk call can go wrong with is decided here, at the transport, so that neither zenpy
nor our own code sees a raw 429 or 5xx: zenpy would otherwise sleep inside the call on 429 and
re-send. The adapter is mounted on a ``requests.Session`` handed to zenpy (``session=``) and used
directly by the Freshdesk client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from connectors.base import RetryableError
from connectors.http import error_for_status
from connectors.ratelimit import TokenBucket

log = logging.getLogger(__name__)


class DeskAdapter(HTTPAdapter):
    """Spend budget, send, and turn every non-2xx answer or network failure into a typed error.

    ``rewrite`` = (canonical base, actual base) lets an operator point a client that only knows the
    canonical host (zenpy builds ``https://{subdomain}.zendesk.com``) at another base URL: requests
    go to the actual base, responses carry the canonical URL so the client's URL checks still hold.
    That keeps the move per client instead of zenpy's process-wide ``ZENPY_FORCE_*`` variables.
    """

    def __init__(
        self,
        *,
        service: str,
        credential_hint: str,
        bucket: TokenBucket,
        path_buckets: Sequence[tuple[str, TokenBucket]] = (),
        rewrite: tuple[str, str] | None = None,
        class_bucket: Callable[[str, str], TokenBucket | None] | None = None,
        remaining_header: str | None = None,
        share: float = 1.0,
    ) -> None:
        """``class_bucket`` picks the bucket of an endpoint with a limit of its own (method,
        path); ``remaining_header`` names the header in which the desk says how many calls the
        account has left, of which the bridge takes at most ``share``."""
        super().__init__(max_retries=0)
        self.service = service
        self.credential_hint = credential_hint
        self.bucket = bucket
        self.path_buckets = tuple(path_buckets)
        self.rewrite = rewrite
        self.class_bucket = class_bucket
        self.remaining_header = remaining_header
        self.share = share
        self.calls = 0

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        original_url = request.url or ""
        outgoing = request
        if self.rewrite and original_url.startswith(self.rewrite[0]):
            outgoing = request.copy()
            outgoing.url = self.rewrite[1] + original_url[len(self.rewrite[0]) :]
        path = (outgoing.url or "").split("?", 1)[0]
        for fragment, bucket in self.path_buckets:
            if fragment in path:
                bucket.take()
        special = self.class_bucket(request.method or "GET", path) if self.class_bucket else None
        if special is not None:
            special.take()
        self.bucket.take()
        self.calls += 1
        try:
            response = super().send(outgoing, *args, **kwargs)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(
                f"{self.service}: {type(exc).__name__} calling {request.method} {path}"
            ) from None
        log.debug("%s %s %s -> %s", self.service, request.method, path, response.status_code)
        self._follow_remaining(response)
        error = error_for_status(
            response.status_code,
            response.headers,
            service=self.service,
            detail=_error_detail(response),
            credential_hint=self.credential_hint,
        )
        if error is not None:
            if response.status_code == 429:
                self.bucket.drain(error.retry_after or 1.0)
            raise error
        if self.rewrite:
            shown = request.copy()
            shown.url = self._canonical(outgoing.url or original_url)
            response.request = shown
            response.url = shown.url or ""
        return response

    def _follow_remaining(self, response: requests.Response) -> None:
        if not self.remaining_header:
            return
        try:
            remaining = int(response.headers.get(self.remaining_header, ""))
        except ValueError:
            return
        self.bucket.cap(remaining * self.share)

    def _canonical(self, url: str) -> str:
        assert self.rewrite is not None
        canonical, actual = self.rewrite
        return canonical + url[len(actual) :] if url.startswith(actual) else url


def _error_detail(response: requests.Response) -> str:
    """The desk's error code and description; never the request body (personal data)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [str(body[key]) for key in ("error", "code", "description") if body.get(key)]
    errors = body.get("errors")
    if isinstance(errors, list):
        parts += [
            f"{item.get('field')}:{item.get('code')}" for item in errors if isinstance(item, dict)
        ]
    return "; ".join(parts)[:300]


def desk_session(adapter: DeskAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
