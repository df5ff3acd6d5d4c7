"""What the Freshdesk stand-in keeps beside a ticket: the ``stats`` that ``include=stats`` shows
(when its status changed, since when it is pending, when it was resolved, closed, reopened, first
answered) and the account's ticket fields. Shapes and sources in FACTS.md."""

from __future__ import annotations

from typing import Any

from sandbox.freshdesk.wire import Json

PENDING, RESOLVED, CLOSED = 3, 4, 5
STATS_KEYS = (
    "agent_responded_at",
    "requester_responded_at",
    "first_responded_at",
    "status_updated_at",
    "reopened_at",
    "resolved_at",
    "closed_at",
    "pending_since",
)


def new_stats(now: str) -> Json:
    return dict.fromkeys(STATS_KEYS) | {"status_updated_at": now}


def status_changed(stats: Json, old: int, new: int, now: str) -> None:
    """A status change as the stats record it."""
    if old == new:
        return
    stats["status_updated_at"] = now
    stats["pending_since"] = now if new == PENDING else None
    if new == RESOLVED:
        stats["resolved_at"] = now
    elif new == CLOSED:
        stats["closed_at"] = now
    elif old in (RESOLVED, CLOSED):
        stats["reopened_at"] = now


def responded(stats: Json, *, agent: bool, public: bool, now: str) -> None:
    """A conversation: the requester's reply, or an agent's public reply (private notes are no
    response to the customer)."""
    if not agent:
        stats["requester_responded_at"] = now
    elif public:
        stats["agent_responded_at"] = now
        stats["first_responded_at"] = stats["first_responded_at"] or now


def _field(field_id: int, name: str, label: str, kind: str, position: int, **extra: Any) -> Json:
    default = kind.startswith("default_")
    return {
        "id": field_id,
        "name": name,
        "label": label,
        "description": None,
        "position": position,
        "required_for_closure": False,
        "required_for_agents": False,
        "type": kind,
        "default": default,
        "customers_can_edit": not default,
        "label_for_customers": label,
        "required_for_customers": False,
        "displayed_to_customers": True,
        "created_at": "2025-01-06T09:12:44Z",
        "updated_at": "2025-01-06T09:12:44Z",
        **extra,
    }


# The demo account's fields: a few default ones and the custom ones the default policy names.
SEEDED_FIELDS: tuple[Json, ...] = (
    _field(43_000_000_001, "requester", "Search a requester", "default_requester", 1),
    _field(43_000_000_002, "subject", "Subject", "default_subject", 2),
    _field(
        43_000_000_003,
        "ticket_type",
        "Type",
        "default_ticket_type",
        3,
        choices=["Question", "Incident", "Problem", "Feature Request", "Refund"],
    ),
    _field(43_000_000_011, "cf_refund_amount", "Refund amount", "custom_decimal", 10),
    _field(
        43_000_000_012,
        "cf_category",
        "Category",
        "custom_dropdown",
        11,
        choices=["Warranty", "Billing", "Integration"],
    ),
    _field(43_000_000_013, "cf_engineering_issue", "Engineering issue", "custom_text", 12),
    _field(
        43_000_000_014,
        "cf_impact",
        "Impact",
        "custom_dropdown",
        13,
        choices=["system_down", "data_loss", "security", "major_feature_broken"],
    ),
)
