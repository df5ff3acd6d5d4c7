"""The Opsgenie stand-in's data: alerts (one open alert per alias, repeats counted), and the
outcome of every accepted request, read back through Get Request Status.

Every operation holds ``self.lock``, the lock the service counts its calls under.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.opsgenie import wire

Json = dict[str, Any]
ACTIONS = {"acknowledge": "Acknowledge", "close": "Close", "notes": "AddNote"}


class OpsgenieState:
    lock: threading.RLock

    def __init__(self, *, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.alerts: list[Json] = []
        self.requests: dict[str, Json] = {}

    # ---- helpers for tests ----

    def alerts_for(self, alias: str) -> list[Json]:
        with self.lock:
            return [a for a in self.alerts if a["alias"] == alias]

    def reset(self) -> None:
        with self.lock:
            self.alerts.clear()
            self.requests.clear()

    # ---- what Opsgenie does ----

    def create(self, body: Json, request: str) -> tuple[Json, bool]:
        """Create an alert, or count a repeat of the open alert with the same alias; returns the
        alert and whether it is new."""
        with self.lock:
            alias = body.get("alias") or f"alert-{len(self.alerts) + 1}"
            current = self._find(alias, "alias")
            if current is not None and current["status"] == "open":
                current["count"] += 1
                self._touch(current, f"repeat ({current['count']})")
                self._done(request, "Create", current, "Alert deduplicated")
                return current, False
            alert = self._new(body, alias)
            self._done(request, "Create", alert, "Created alert")
            return alert, True

    def act(self, identifier: str, kind: str, action: str, body: Json, request: str) -> Json | None:
        """Acknowledge, close or annotate the alert ``identifier`` names; a request for an
        alert that does not exist is still accepted and fails afterwards, as Opsgenie does."""
        with self.lock:
            alert = self._find(identifier, kind)
            if alert is None:
                self._failed(request, ACTIONS[action], "Alert does not exist")
                return None
            who = body.get("user") or "API"
            if action == "acknowledge" and alert["status"] == "open":
                alert["acknowledged"] = True
            elif action == "close":
                alert["status"] = "closed"
            note = body.get("note") or ""
            if note:
                alert["notes"].append({"note": note, "owner": who})
            self._touch(alert, f"{ACTIONS[action]} by {who}" + (f": {note}" if note else ""))
            self._done(request, ACTIONS[action], alert, "Processed")
            return alert

    def respond(self, alert: Json, action: str, who: str, note: str = "") -> None:
        """What a responder does in Opsgenie's app."""
        with self.lock:
            if action == "Acknowledge" and alert["status"] == "open":
                alert["acknowledged"] = True
            elif action == "Close":
                alert["status"] = "closed"
            if note:
                alert["notes"].append({"note": note, "owner": who})
            self._touch(alert, f"{action} by {who}" + (f": {note}" if note else ""))

    def _find(self, identifier: str, kind: str) -> Json | None:
        field = {"id": "id", "alias": "alias", "tiny": "tinyId"}[kind]
        # The newest alert with that alias: a closed alert's alias may be reused.
        return next((a for a in reversed(self.alerts) if a[field] == identifier), None)

    def _new(self, body: Json, alias: str) -> Json:
        now_ms = int(self.clock() * 1000)
        alert: Json = {
            "id": wire.request_id(),
            "tinyId": str(len(self.alerts) + 1),
            "alias": alias,
            "message": body["message"],
            "description": body.get("description") or "",
            "details": dict(body.get("details") or {}),
            "entity": body.get("entity") or "",
            "tags": list(body.get("tags") or []),
            "priority": body.get("priority") or wire.DEFAULT_PRIORITY,
            "source": body.get("source") or "127.0.0.1",
            "status": "open",
            "acknowledged": False,
            "count": 1,
            "createdAt": now_ms,
            "updatedAt": now_ms * 1_000_000,
            "notes": [],
            "log": ["created"],
        }
        self.alerts.append(alert)
        return alert

    def _touch(self, alert: Json, line: str) -> None:
        alert["updatedAt"] = max(int(self.clock() * 1e9), alert["updatedAt"] + 1)
        alert["log"].append(line)

    def _done(self, request: str, action: str, alert: Json, status: str) -> None:
        self.requests[request] = {
            "success": True,
            "action": action,
            "processedAt": datetime.fromtimestamp(self.clock(), UTC).isoformat(),
            "isSuccess": True,
            "status": status,
            "alertId": alert["id"],
            "alias": alert["alias"],
        }

    def _failed(self, request: str, action: str, status: str) -> None:
        self.requests[request] = {
            "success": False,
            "action": action,
            "processedAt": datetime.fromtimestamp(self.clock(), UTC).isoformat(),
            "isSuccess": False,
            "status": status,
            "alertId": "",
            "alias": "",
        }
