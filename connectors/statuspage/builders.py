"""Pure builders of Statuspage incident requests (REST API v1, developer.statuspage.io):
``POST /pages/{page_id}/incidents`` and ``PATCH .../incidents/{incident_id}``, each with an
``incident`` object.

Everything shown publicly comes from the policy's texts; the only thing taken from a ticket is
which components it names, and only names the page itself has survive (``match_components``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connectors.actions import StatusIncident
from connectors.base import TicketKey

NAME_MAX = 255  # postPagesPageIdIncidents: "a maximum limit of 255 characters"
BODY_MAX = 25000  # "... body ... a maximum limit of 25000 characters"
METADATA_KEY = "escalation_bridge"  # metadata's top-level values must be objects
NO_COMPONENTS = "some of our services"
ELLIPSIS = "…"


def match_components(names: Iterable[str], page: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The page's components the ticket names (case-insensitive), as {id: the page's name}."""
    by_name = {str(c["name"]).casefold(): (str(c["id"]), str(c["name"])) for c in page}
    found: dict[str, str] = {}
    for name in names:
        hit = by_name.get(name.strip().casefold())
        if hit is not None:
            found[hit[0]] = hit[1]
    return found


def fill(text: str, component_names: Iterable[str], limit: int) -> str:
    names = ", ".join(component_names) or NO_COMPONENTS
    filled = text.replace("{components}", names)
    return filled if len(filled) <= limit else filled[: limit - len(ELLIPSIS)] + ELLIPSIS


def build_create(
    incident: StatusIncident, components: Mapping[str, str], *, key: str, ticket: TicketKey
) -> dict[str, Any]:
    """A realtime incident in ``investigating``, its components set to the rule's status."""
    body: dict[str, Any] = {
        "name": fill(incident.name, components.values(), NAME_MAX),
        "status": "investigating",
        "body": fill(incident.body, components.values(), BODY_MAX),
        "component_ids": list(components),
        "components": dict.fromkeys(components, incident.component_status),
        "deliver_notifications": True,
        # Lets a retry after a crash find the incident it may already have created.
        "metadata": {METADATA_KEY: {"key": key, "ticket": str(ticket), "rule": incident.rule}},
    }
    if incident.impact:
        body["impact_override"] = incident.impact
    return {"incident": body}


def build_update(
    status: str, text: str, components: Mapping[str, str], *, restore: bool = False
) -> dict[str, Any]:
    """A status change with a message; ``restore`` puts the components back to operational."""
    body: dict[str, Any] = {"status": status, "body": fill(text, components.values(), BODY_MAX)}
    if restore and components:
        body["components"] = dict.fromkeys(components, "operational")
    return {"incident": body}


def created_by(incident: Mapping[str, Any], key: str) -> bool:
    """Whether ``incident`` is the one the action ``key`` created."""
    metadata = incident.get("metadata")
    if not isinstance(metadata, Mapping):
        return False
    ours = metadata.get(METADATA_KEY)
    return isinstance(ours, Mapping) and ours.get("key") == key
