"""Freshdesk API v2 wire format: codes and labels, error bodies, pagination, webhook bodies.

Sources for every shape and number are listed in FACTS.md beside this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

# Ticket status and priority codes: https://developers.freshdesk.com/api/#tickets
STATUS_LABELS = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
PRIORITY_LABELS = {1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}
SOURCE_PORTAL = 2  # a ticket's source: 2 = Portal
CONVERSATION_REPLY, CONVERSATION_NOTE = 0, 2  # a conversation's source (recorded bodies)
# "per_page" defaults to 30, at most 100: https://developers.freshdesk.com/api/#pagination
PER_PAGE_DEFAULT, PER_PAGE_MAX = 30, 100
# "A maximum of 300 pages (30000 tickets) will be returned" (List All Tickets):
# https://developers.freshdesk.com/api/#list_all_tickets
LIST_PAGES_MAX = 300
# What this stand-in lets an update change (Freshdesk accepts more; see FACTS.md).
UPDATABLE_FIELDS = frozenset(
    {"status", "priority", "group_id", "responder_id", "tags", "custom_fields"}
)
NOT_LOGGED_IN = "You have to be logged in to perform this action."


def iso(moment: datetime) -> str:
    """Freshdesk's timestamps: UTC, whole seconds, ``Z`` (every recorded body)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def html_text(html_body: str) -> str:
    """The ``body_text`` Freshdesk derives from an HTML ``body``."""
    return re.sub(r"<[^>]+>", "\n", html_body).replace("\n\n", "\n").strip()


def error_body(code: str, message: str) -> Json:
    return {"code": code, "message": message, "description": message}


def validation_failed(errors: list[Json]) -> Json:
    """The 400 body: ``description`` plus ``errors[]`` of ``field``/``message``/``code``."""
    return {"description": "Validation failed", "errors": errors}


def field_error(field: str, message: str, code: str) -> Json:
    return {"field": field, "message": message, "code": code}


def next_link(url: str) -> str:
    """The ``Link`` header that points at the next page (absent on the last page)."""
    return f'<{url}>; rel="next"'


def webhook_body(ticket: Mapping[str, Any], ticket_url: str, event: str) -> Json:
    """What an automation rule's "Trigger Webhook" sends with its JSON content ticked: the
    placeholders rendered as text (ids as strings, status and priority as labels)."""
    return {
        "freshdesk_webhook": {
            "triggered_event": event,
            "ticket_id": str(ticket["id"]),
            "ticket_url": ticket_url,
            "ticket_subject": ticket["subject"],
            "ticket_status": STATUS_LABELS.get(ticket["status"], f"Status {ticket['status']}"),
            "ticket_priority": PRIORITY_LABELS.get(ticket["priority"], "Medium"),
        }
    }
