"""The Teams Workflows webhook stand-in: the trigger URL's checks and the channel page."""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request

from sandbox.common import Fault, SandboxService
from sandbox.teams import wire
from sandbox.teams.page import channels_page
from sandbox.teams.state import Run, TeamsState

DEFAULT_CHANNELS = (
    "support",
    "support-escalations",
    "support-engineering",
    "support-management",
)

# Classic Logic Apps hosts serve /workflows/...; Power Platform hosts the same trigger under
# /powerautomate/automations/direct/workflows/... (both shapes are handed out by Workflows).
_TRIGGER = "/workflows/<workflow_id>/triggers/manual/paths/invoke"
_POWER_PLATFORM_PREFIX = "/powerautomate/automations/direct"


class TeamsSandbox(SandboxService):
    name = "teams"

    def __init__(
        self,
        *,
        channels: Iterable[str] = DEFAULT_CHANNELS,
        render_version: str = wire.DEFAULT_RENDER_VERSION,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.state = TeamsState(channels, render_version=render_version, clock=clock)
        for prefix in ("", _POWER_PLATFORM_PREFIX):
            self.app.add_url_rule(
                prefix + _TRIGGER, f"invoke{prefix}", self._invoke, methods=["POST"]
            )
        self.app.add_url_rule("/", "index", self._index)

    # ---- test helpers ----

    def webhook_url(self, channel: str) -> str:
        """The URL Workflows shows for ``channel``'s "When a Teams webhook request is received"."""
        found = self.state.channels[channel]
        query = urlencode(
            {
                "api-version": wire.API_VERSION,
                "sp": wire.SIGNED_PERMISSIONS,
                "sv": wire.SIGNATURE_VERSION,
                "sig": found.sig,
            }
        )
        return f"{self.base_url}/workflows/{found.workflow_id}/triggers/manual/paths/invoke?{query}"

    def runs(self, channel: str) -> list[Run]:
        """Every accepted request to ``channel``, oldest first, with its outcome."""
        with self.state.lock:
            return list(self.state.channels[channel].runs)

    def cards(self, channel: str) -> list[dict[str, Any]]:
        """The cards that appear in ``channel`` (rendered ones only), oldest first."""
        return [card for run in self.runs(channel) if run.outcome == "posted" for card in run.cards]

    def reset(self) -> None:
        self.state.clear()
        with self.lock:
            self.calls.clear()
        self.faults.clear()

    def rate_limit(self, retry_after: float = 1, times: int = 1) -> None:
        fault = Fault(status=429, retry_after=retry_after, body=wire.THROTTLED)
        self.faults.inject("webhook", fault, times)

    # ---- the trigger ----

    def _invoke(self, workflow_id: str) -> Response:
        channel = self.state.by_workflow(workflow_id)
        if channel is None:
            return _error(404, wire.WORKFLOW_NOT_FOUND)
        if not request.args.get("api-version"):
            return _error(400, wire.MISSING_API_VERSION)
        sig = request.args.get("sig", "")
        if not (sig and request.args.get("sp") and request.args.get("sv")):
            return _error(401, wire.MISSING_SIGNATURE)
        if not hmac.compare_digest(sig.encode(), channel.sig.encode()):
            return _error(401, wire.INVALID_SIGNATURE)
        if not self.state.admit(channel):
            response = _error(429, wire.THROTTLED)
            response.headers["Retry-After"] = "1"
            return response
        if (fault := self.hit("webhook")) is not None:
            return fault
        raw = request.get_data()
        if request.is_json:
            message = request.get_json(silent=True)
            if message is None and raw.strip():
                return _error(400, wire.INVALID_CONTENT)
        else:
            message = raw.decode("utf-8", "replace")
        run = self.state.run(channel, raw, message)
        response = Response(status=202)
        response.headers["x-ms-workflow-run-id"] = run.run_id
        return response

    def _index(self) -> str:
        with self.state.lock:
            channels = {name: list(c.runs) for name, c in self.state.channels.items()}
        return channels_page(channels)


def _error(status: int, body: wire.JSON) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response
