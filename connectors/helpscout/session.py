"""How the Help Scout connector sends: the desks' adapter (budget, typed errors) taught Help
Scout's rate-limit headers, and the OAuth2 client-credentials token it signs requests with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from connectors._desk.session import DeskAdapter
from connectors.base import AuthError

TOKEN_PATH = "/v2/oauth2/token"
# Ask for a new token this long before the old one expires (H-token: tokens last 2 days).
EARLY_REFRESH_SECONDS = 300.0
RETRY_HEADER = "X-RateLimit-Retry-After"
REMAINING_HEADER = "X-RateLimit-Remaining-Minute"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class HelpScoutAdapter(DeskAdapter):
    """Help Scout answers 429 with ``X-RateLimit-Retry-After`` (seconds), not ``Retry-After``
    (FACTS.md H-ratelimit): the wait is copied where the shared error reader looks."""

    def build_response(self, req: Any, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        wait = response.headers.get(RETRY_HEADER, "")
        if response.status_code == 429 and wait.isdigit() and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = wait
        return response


def write_costs_double(bucket: Any) -> Callable[[str, str], Any]:
    """Writes count as two requests toward the limit (H-ratelimit): the adapter takes the
    main bucket's token once more for them."""

    def extra(method: str, path: str) -> Any:
        return bucket if method.upper() in WRITES else None

    return extra


@dataclass
class Token:
    value: str
    expires_at: float


class TokenSource:
    """``POST /v2/oauth2/token`` with ``grant_type=client_credentials``: a bearer token that
    expires (``expires_in`` seconds). Asked for again before it expires and after any 401."""

    def __init__(
        self,
        session: requests.Session,
        url: str,
        *,
        app_id: str,
        app_secret: str,
        seconds: Callable[[], float],
        timeout: float,
    ) -> None:
        self.session, self.url = session, url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": app_id,
            "client_secret": app_secret,
        }
        self.seconds, self.timeout = seconds, timeout
        self._token: Token | None = None

    def bearer(self) -> str:
        token = self._token
        if token is None or self.seconds() >= token.expires_at - EARLY_REFRESH_SECONDS:
            token = self._token = self._fetch()
        return f"Bearer {token.value}"

    def forget(self) -> None:
        self._token = None

    def _fetch(self) -> Token:
        response = self.session.post(self.url + TOKEN_PATH, data=self._form, timeout=self.timeout)
        body = response.json() if response.content else {}
        value, expires = body.get("access_token"), body.get("expires_in")
        if not isinstance(value, str) or not isinstance(expires, int) or not value:
            raise AuthError(
                "Help Scout's token endpoint answered no access_token "
                "(check HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET)"
            )
        return Token(value, self.seconds() + expires)
