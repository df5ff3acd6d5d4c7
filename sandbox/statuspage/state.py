"""The Statuspage sandbox's data: one page with components and incidents, behind a lock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sandbox.statuspage import wire

Record = dict[str, Any]

SEED_PAGE_ID = "sbx7k2m9q4wd"
SEED_COMPONENTS = ("API", "Checkout", "Dashboard", "Email delivery")


class Invalid(Exception):
    """A request the real API refuses: ``status`` and the message for the error body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class StatuspageState:
    def __init__(self, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.pages: dict[str, Record] = {}
        self.components: dict[str, dict[str, Record]] = {}
        self.incidents: dict[str, dict[str, Record]] = {}
        self.seed()

    def seed(self) -> None:
        """One page with the components a support team's status page shows."""
        with self.lock:
            now = wire.timestamp(self.clock())
            self.pages = {
                SEED_PAGE_ID: {
                    "id": SEED_PAGE_ID,
                    "name": "Acme Status",
                    "subdomain": "acme.statuspage.io",
                    "url": "https://www.acme.example",
                    "created_at": now,
                    "updated_at": now,
                }
            }
            self.components = {SEED_PAGE_ID: {}}
            self.incidents = {SEED_PAGE_ID: {}}
            for position, name in enumerate(SEED_COMPONENTS, start=1):
                self.add_component(SEED_PAGE_ID, name, position=position)

    def add_component(self, page_id: str, name: str, *, position: int) -> Record:
        with self.lock:
            now = wire.timestamp(self.clock())
            component: Record = {
                "id": wire.new_id(),
                "page_id": page_id,
                "name": name,
                "description": None,
                "position": position,
                "status": "operational",
                "created_at": now,
                "updated_at": now,
                "start_date": now[:10],
            }
            self.components[page_id][component["id"]] = component
            return component

    # ---- lookups ----

    def page(self, page_id: str) -> Record:
        if page_id not in self.pages:
            raise Invalid(404, wire.NOT_FOUND)
        return self.pages[page_id]

    def component(self, page_id: str, component_id: str) -> Record:
        found = self.components.get(page_id, {}).get(component_id)
        if found is None:
            raise Invalid(404, wire.NOT_FOUND)
        return found

    def incident(self, page_id: str, incident_id: str) -> Record:
        found = self.incidents.get(page_id, {}).get(incident_id)
        if found is None:
            raise Invalid(404, wire.NOT_FOUND)
        return found

    def component_list(self, page_id: str) -> list[Record]:
        self.page(page_id)
        return sorted(self.components[page_id].values(), key=lambda c: c["position"])

    def incident_list(self, page_id: str, *, unresolved_only: bool = False) -> list[Record]:
        """Newest first, as the management UI lists them."""
        self.page(page_id)
        rows = sorted(self.incidents[page_id].values(), key=lambda i: i["created_at"])
        rows.reverse()
        if unresolved_only:
            rows = [i for i in rows if i["status"] in wire.UNRESOLVED_STATUSES]
        return rows

    def incident_components(self, incident: Mapping[str, Any]) -> list[Record]:
        page_components = self.components[incident["page_id"]]
        return [page_components[c] for c in incident["component_ids"] if c in page_components]

    # ---- writes ----

    def create_incident(self, page_id: str, fields: Mapping[str, Any]) -> Record:
        with self.lock:
            self.page(page_id)
            _check_fields(fields, creating=True)
            changes = self._component_changes(page_id, fields)
            now = wire.timestamp(self.clock())
            incident: Record = {
                "id": wire.new_id(),
                "page_id": page_id,
                "name": fields["name"],
                "status": fields.get("status") or "investigating",
                "impact_override": fields.get("impact_override"),
                "metadata": fields.get("metadata"),
                "created_at": now,
                "updated_at": now,
                "component_ids": [],
                "updates": [],
            }
            self._apply(incident, fields, changes, now)
            self.incidents[page_id][incident["id"]] = incident
            return incident

    def update_incident(self, page_id: str, incident_id: str, fields: Mapping[str, Any]) -> Record:
        with self.lock:
            incident = self.incident(page_id, incident_id)
            _check_fields(fields, creating=False)
            changes = self._component_changes(page_id, fields)
            now = wire.timestamp(self.clock())
            for key in ("name", "impact_override", "metadata"):
                if key in fields:
                    incident[key] = fields[key]
            status_changed = "status" in fields and fields["status"] != incident["status"]
            if "status" in fields:
                incident["status"] = fields["status"]
            incident["updated_at"] = now
            if status_changed or "body" in fields or changes:
                self._apply(incident, fields, changes, now)
            else:
                incident["impact"] = self._impact(incident)
            return incident

    def set_component_status(self, page_id: str, component_id: str, status: str) -> Record:
        with self.lock:
            if status not in wire.COMPONENT_STATUSES:
                raise Invalid(422, f"Status {status!r} is not a valid component status")
            component = self.component(page_id, component_id)
            component["status"] = status
            component["updated_at"] = wire.timestamp(self.clock())
            return component

    def _component_changes(self, page_id: str, fields: Mapping[str, Any]) -> dict[str, str]:
        """Validate ``component_ids`` and the ``components`` {id: status} map against the page."""
        page_components = self.components[page_id]
        wanted = fields.get("components") or {}
        if not isinstance(wanted, Mapping):
            raise Invalid(422, "components must be a map of component id to status")
        for component_id in [*(fields.get("component_ids") or []), *wanted]:
            if component_id not in page_components:
                raise Invalid(422, f"Component {component_id!r} does not belong to this page")
        for status in wanted.values():
            if status not in wire.COMPONENT_STATUSES:
                raise Invalid(422, f"Status {status!r} is not a valid component status")
        return {str(k): str(v) for k, v in wanted.items()}

    def _apply(
        self, incident: Record, fields: Mapping[str, Any], changes: Mapping[str, str], now: str
    ) -> None:
        """Move components, then record one incident update carrying what changed."""
        page_components = self.components[incident["page_id"]]
        for component_id in [*(fields.get("component_ids") or []), *changes]:
            if component_id not in incident["component_ids"]:
                incident["component_ids"].append(component_id)
        affected = []
        for component_id, status in changes.items():
            component = page_components[component_id]
            affected.append(wire.affected_component(component, component["status"], status))
            component["status"] = status
            component["updated_at"] = now
        status = incident["status"]
        if status == "monitoring" and not incident.get("monitoring_at"):
            incident["monitoring_at"] = now
        if status == "resolved":
            incident["resolved_at"] = now
        body = fields.get("body")
        incident["updates"].append(
            {
                "id": wire.new_id(),
                "incident_id": incident["id"],
                "status": status,
                "body": body if body else wire.DEFAULT_UPDATE_BODIES[status],
                "created_at": now,
                "updated_at": now,
                "display_at": now,
                "affected_components": affected or None,
                "deliver_notifications": bool(fields.get("deliver_notifications", True)),
                "custom_tweet": None,
                "tweet_id": None,
                "twitter_updated_at": None,
                "wants_twitter_update": False,
            }
        )
        incident["impact"] = self._impact(incident)

    def _impact(self, incident: Mapping[str, Any]) -> str:
        if incident.get("impact_override"):
            return str(incident["impact_override"])
        ranks = [wire.IMPACTS.index("none")]
        for component in self.incident_components(incident):
            impact = wire.IMPACT_OF_COMPONENT_STATUS[component["status"]]
            ranks.append(wire.IMPACTS.index(impact))
        return wire.IMPACTS[max(ranks)]


def _check_fields(fields: Mapping[str, Any], *, creating: bool) -> None:
    """The field rules the OpenAPI document states (types, enums, length limits)."""
    name = fields.get("name")
    if creating and not name:
        raise Invalid(422, "Name can't be blank")
    if name is not None and (not isinstance(name, str) or len(name) > wire.MAX_INCIDENT_NAME):
        raise Invalid(422, f"Name is too long (maximum is {wire.MAX_INCIDENT_NAME} characters)")
    body = fields.get("body")
    if body is not None and (not isinstance(body, str) or len(body) > wire.MAX_INCIDENT_BODY):
        raise Invalid(422, f"Body is too long (maximum is {wire.MAX_INCIDENT_BODY} characters)")
    status = fields.get("status")
    if status in wire.SCHEDULED_STATUSES:
        raise Invalid(422, f"Status {status!r} is for scheduled maintenances, not supported here")
    if status is not None and status not in wire.REALTIME_STATUSES:
        raise Invalid(422, f"Status {status!r} is not a valid incident status")
    impact = fields.get("impact_override")
    if impact is not None and impact not in wire.IMPACTS:
        raise Invalid(422, f"Impact override {impact!r} is not a valid impact")
    component_ids = fields.get("component_ids")
    if component_ids is not None and not _strings(component_ids):
        raise Invalid(422, "component_ids must be a list of component ids")
    metadata = fields.get("metadata")
    if metadata is not None and not (
        isinstance(metadata, Mapping) and all(isinstance(v, Mapping) for v in metadata.values())
    ):
        raise Invalid(422, "metadata must be an object whose top-level values are objects")


def _strings(values: Any) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) for v in values)


def page_slice(rows: Iterable[Record], page: int, per_page: int) -> list[Record]:
    """Statuspage's page/per_page paging: 1-based page numbers, at most MAX_PER_PAGE rows."""
    size = max(1, min(per_page, wire.MAX_PER_PAGE))
    start = (max(1, page) - 1) * size
    return list(rows)[start : start + size]
