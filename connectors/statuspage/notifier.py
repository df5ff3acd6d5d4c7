"""The outbox's status page actions, carried out through the Statuspage API.

One incident per ticket and rule: created once (a retry after a crash looks for the incident
by the action's key in its metadata before creating another), then updated and resolved through
the id recorded in the sent log. Updates are skipped when the bridge never opened an incident.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from connectors.actions import (
    Action,
    ActionKind,
    StatusIncident,
    StatusResolve,
    StatusUpdate,
)
from connectors.base import PermanentError, Reference, SentLog
from connectors.statuspage.builders import build_create, build_update, created_by, match_components
from connectors.statuspage.client import StatuspageClient

COMPONENTS_TTL = 900.0  # seconds: a renamed component is picked up within 15 minutes


class StatuspageNotifier:
    name = "statuspage"

    def __init__(
        self, client: StatuspageClient, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self._clock = clock
        self._components: tuple[float, list[dict[str, object]]] | None = None

    def close(self) -> None:
        self.client.close()

    def deliver(self, action: Action, log: SentLog) -> Reference:
        payload = action.payload
        if isinstance(payload, StatusIncident):
            return self._open(action, payload)
        if not isinstance(payload, StatusUpdate | StatusResolve):
            raise PermanentError(f"Statuspage cannot deliver {action.kind}")
        opened = log.reference(action.ticket, ActionKind.STATUS_OPEN)
        if opened is None:
            return {"skipped": "no incident was opened for this ticket"}
        incident_id = str(opened["incident_id"])
        components = {str(k): str(v) for k, v in dict(opened.get("components") or {}).items()}
        resolving = isinstance(payload, StatusResolve)
        status = payload.status if isinstance(payload, StatusUpdate) else "resolved"
        body = build_update(status, payload.body, components, restore=resolving)
        if action.attempts > 1 and self._already(incident_id, body["incident"]["body"], status):
            return {"incident_id": incident_id, "status": status, "found": True}
        self.client.update_incident(incident_id, body)
        return {"incident_id": incident_id, "status": status}

    def _open(self, action: Action, payload: StatusIncident) -> Reference:
        if action.attempts > 1:
            earlier = next((i for i in self.client.unresolved() if created_by(i, action.key)), None)
            if earlier is not None:
                found = {str(c["id"]): str(c["name"]) for c in earlier.get("components") or []}
                return self._reference(earlier, found)
        components = match_components(payload.components, self._page_components())
        body = build_create(payload, components, key=action.key, ticket=action.ticket)
        return self._reference(self.client.create_incident(body), components)

    def _reference(self, incident: dict[str, object], components: dict[str, str]) -> Reference:
        return {
            "incident_id": str(incident["id"]),
            "page_id": self.client.page_id,
            "shortlink": incident.get("shortlink"),
            "components": components,
        }

    def _page_components(self) -> list[dict[str, object]]:
        now = self._clock()
        if self._components is None or now - self._components[0] > COMPONENTS_TTL:
            self._components = (now, self.client.components())
        return self._components[1]

    def _already(self, incident_id: str, body: str, status: str) -> bool:
        """Whether an earlier attempt already posted this update (the newest one matches)."""
        incident = self.client.incident(incident_id)
        updates = incident.get("incident_updates") or []
        latest = updates[0] if updates else {}
        return incident.get("status") == status and latest.get("body") == body
