"""Statuspage REST API v1 wire format: limits, enums, JSON shapes and error bodies.

Every constant names its source; FACTS.md beside this file lists them with what the docs leave
open. The reference is developer.statuspage.io (its OpenAPI document).
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

JSON = dict[str, Any]

# developer.statuspage.io, "Rate Limiting": "Each API token is limited to 1 request / second as
# measured on a 60 second rolling window" and "Error codes 420 or 429 indicate that you have
# exceeded the rate limit".
RATE_LIMIT_REQUESTS = 60
RATE_LIMIT_WINDOW_SECONDS = 60.0

# developer.statuspage.io, postPagesPageIdIncidents: "Incident Name. There is a maximum limit of
# 255 characters." and body: "There is a maximum limit of 25000 characters".
MAX_INCIDENT_NAME = 255
MAX_INCIDENT_BODY = 25000

# developer.statuspage.io, getPagesPageIdComponents / getPagesPageIdIncidents: "a default and
# maximum limit of 100".
MAX_PER_PAGE = 100

# developer.statuspage.io, Incident.status: "For realtime incidents, valid values are
# investigating, identified, monitoring, and resolved. For scheduled incidents, valid values are
# scheduled, in_progress, verifying, and completed."
REALTIME_STATUSES = ("investigating", "identified", "monitoring", "resolved")
SCHEDULED_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
UNRESOLVED_STATUSES = ("investigating", "identified", "monitoring")

# developer.statuspage.io, Component.status (the empty string is in the published enum too).
COMPONENT_STATUSES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)

# developer.statuspage.io, Incident.impact / impact_override.
IMPACTS = ("none", "maintenance", "minor", "major", "critical")

# The docs name impact_override as "value to override calculated impact value" but do not publish
# the calculation; this worst-component mapping is the sandbox's choice (see FACTS.md).
IMPACT_OF_COMPONENT_STATUS = {
    "operational": "none",
    "under_maintenance": "maintenance",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}

# Texts Statuspage pre-fills for an update without a body, as seen on recorded public pages
# (FACTS.md names the recording).
DEFAULT_UPDATE_BODIES = {
    "investigating": "We are currently investigating this issue.",
    "identified": "The issue has been identified and a fix is being implemented.",
    "monitoring": "A fix has been implemented and we are monitoring the results.",
    "resolved": "This incident has been resolved.",
}

# Observed on the live API (FACTS.md): errors are {"error": "..."}; the OpenAPI document's
# ErrorEntity says {"message": "..."} instead.
NOT_AUTHENTICATED = "Could not authenticate"
NOT_FOUND = "The requested resource could not be found."
RATE_LIMITED = "Rate limit exceeded"

_ID_ALPHABET = string.ascii_lowercase + string.digits
ID_LENGTH = 12  # every documented example id (p31zjtct2jer, m2b91t7vwhzx) has 12 characters


def new_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(ID_LENGTH))


def error_body(message: str) -> JSON:
    return {"error": message}


def timestamp(moment: datetime) -> str:
    """Statuspage's timestamps: ISO 8601 with milliseconds and offset (2013-05-07T03:00:00.007Z)."""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def component_json(component: Mapping[str, Any]) -> JSON:
    """A Component as the OpenAPI document lists its fields."""
    return {
        "id": component["id"],
        "page_id": component["page_id"],
        "group_id": component.get("group_id"),
        "created_at": component["created_at"],
        "updated_at": component["updated_at"],
        "group": False,
        "name": component["name"],
        "description": component.get("description"),
        "position": component["position"],
        "status": component["status"],
        "showcase": component.get("showcase", True),
        "only_show_if_degraded": False,
        "automation_email": f"component+{component['id']}@notifications.statuspage.io",
        "start_date": component.get("start_date"),
    }


def affected_component(component: Mapping[str, Any], old: str, new: str) -> JSON:
    """IncidentUpdate.affected_components entry (OpenAPI example: code, name, old/new status)."""
    return {
        "code": component["id"],
        "name": component["name"],
        "old_status": old,
        "new_status": new,
    }


def incident_json(incident: Mapping[str, Any], components: Iterable[Mapping[str, Any]]) -> JSON:
    """An Incident as the OpenAPI document lists its fields (newest update first)."""
    return {
        "id": incident["id"],
        "page_id": incident["page_id"],
        "name": incident["name"],
        "status": incident["status"],
        "impact": incident["impact"],
        "impact_override": incident.get("impact_override"),
        "created_at": incident["created_at"],
        "updated_at": incident["updated_at"],
        "started_at": incident["created_at"],
        "monitoring_at": incident.get("monitoring_at"),
        "resolved_at": incident.get("resolved_at"),
        "shortlink": f"http://stspg.io/{incident['id'][:9]}",
        "metadata": incident.get("metadata") or {},
        "postmortem_body": None,
        "postmortem_body_last_updated_at": None,
        "postmortem_ignored": False,
        "postmortem_published_at": None,
        "postmortem_notified_subscribers": False,
        "postmortem_notified_twitter": False,
        "scheduled_for": None,
        "scheduled_until": None,
        "scheduled_remind_prior": False,
        "scheduled_reminded_at": None,
        "scheduled_auto_in_progress": False,
        "scheduled_auto_completed": False,
        "auto_transition_deliver_notifications_at_end": False,
        "auto_transition_deliver_notifications_at_start": False,
        "auto_transition_to_maintenance_state": False,
        "auto_transition_to_operational_state": False,
        "components": [component_json(c) for c in components],
        "incident_updates": [dict(u) for u in reversed(incident["updates"])],
    }


def page_json(page: Mapping[str, Any]) -> JSON:
    """The Page fields a client reads (the OpenAPI Page has many more branding fields)."""
    return {
        "id": page["id"],
        "name": page["name"],
        "subdomain": page["subdomain"],
        "domain": None,
        "url": page.get("url"),
        "time_zone": "Etc/UTC",
        "created_at": page["created_at"],
        "updated_at": page["updated_at"],
        "allow_page_subscribers": True,
        "allow_incident_subscribers": True,
        "allow_email_subscribers": True,
        "allow_sms_subscribers": False,
        "allow_rss_atom_feeds": True,
        "allow_webhook_subscribers": True,
        "viewers_must_be_team_members": False,
    }
