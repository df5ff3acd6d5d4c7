"""The PagerDuty stand-in's data: incidents opened by Events API v2 triggers, and how trigger,
acknowledge and resolve events and responders change them.

Every operation holds ``self.lock``, the lock the service counts its calls under (see
``SandboxService``), so that a test holding it sees calls and data at one moment.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class Incident:
    id: str
    number: int
    dedup_key: str
    routing_key: str
    summary: str
    severity: str
    source: str
    created_at: datetime
    status: str = "triggered"  # triggered | acknowledged | resolved
    custom_details: dict[str, Any] = field(default_factory=dict)
    links: list[dict[str, Any]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def is_open(incident: Incident) -> bool:
    return incident.status != "resolved"


class PagerDutyState:
    lock: threading.RLock

    def __init__(
        self,
        *,
        webhook_url: str | None,
        webhook_secret: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.clock = clock  # the world's time: incidents' created_at, webhooks' occurred_at
        self.incidents: list[Incident] = []
        self.dropped: list[dict[str, Any]] = []  # ack/resolve events that matched no open alert

    # ---- helpers for tests ----

    def open_incident(self, key: str) -> Incident | None:
        with self.lock:
            return next((i for i in self.incidents if i.dedup_key == key and is_open(i)), None)

    def incidents_for(self, key: str) -> list[Incident]:
        with self.lock:
            return [i for i in self.incidents if i.dedup_key == key]

    def reset(self) -> None:
        """Forget every incident and dropped event."""
        with self.lock:
            self.incidents.clear()
            self.dropped.clear()

    # ---- what PagerDuty does ----

    def apply(self, event: dict[str, Any], key: str) -> tuple[Incident, str] | None:
        """Apply a valid event; returns the incident and the webhook event type if its status
        changed."""
        action, routing_key = event["event_action"], event["routing_key"]
        with self.lock:
            # Follow-up events apply only to an open alert opened with the same routing key.
            current = next(
                (
                    i
                    for i in self.incidents
                    if i.dedup_key == key and is_open(i) and i.routing_key == routing_key
                ),
                None,
            )
            if action == "trigger":
                if current is None:
                    return self._open(event, key), "incident.triggered"
                current.log.append("trigger: added to the open alert")
                return None
            if current is None:
                self.dropped.append(event)
                return None
            status = "acknowledged" if action == "acknowledge" else "resolved"
            current.log.append(f"{action} via Events API")
            if current.status == status:
                return None
            current.status = status
            return current, f"incident.{status}"

    def respond(self, incident: Incident, event_type: str, agent: str, note: str) -> None:
        """What a responder does in PagerDuty's app: acknowledge, resolve or annotate."""
        with self.lock:
            if event_type == "incident.acknowledged" and is_open(incident):
                incident.status = "acknowledged"
            elif event_type == "incident.resolved":
                incident.status = "resolved"
            incident.log.append(f"{event_type} by {agent}" + (f": {note}" if note else ""))

    def _open(self, event: dict[str, Any], key: str) -> Incident:
        payload = event["payload"]
        incident = Incident(
            id="Q" + secrets.token_hex(6).upper(),
            number=len(self.incidents) + 1,
            dedup_key=key,
            routing_key=event["routing_key"],
            summary=payload["summary"],
            severity=payload["severity"],
            source=payload["source"],
            created_at=self.clock(),
            custom_details=payload.get("custom_details") or {},
            links=event.get("links") or [],
            log=["trigger: opened"],
        )
        self.incidents.append(incident)
        return incident
