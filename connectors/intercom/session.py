"""The HTTP adapter the Intercom connector sends through: the desks' budget and typed errors,
plus Intercom's own way of saying how long to wait."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from connectors._desk.session import DeskAdapter


class IntercomAdapter(DeskAdapter):
    """Intercom answers 429 with ``X-RateLimit-Reset`` (Unix time the window ends), not
    ``Retry-After`` (FACTS.md I-ratelimit): the wait is read from it."""

    def __init__(self, *, seconds: Callable[[], float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seconds = seconds

    def build_response(self, req: Any, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        reset = response.headers.get("X-RateLimit-Reset", "")
        if not reset.isdigit():
            return response
        wait = max(1, int(reset) - int(self.seconds()))
        if response.status_code == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(wait)
        elif response.headers.get("X-RateLimit-Remaining") == "0":
            self.bucket.drain(wait)  # the window is spent: the next call would be a 429
        return response
