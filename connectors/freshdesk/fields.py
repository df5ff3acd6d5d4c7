"""Freshdesk's ticket-field list and ``stats`` read into the shared model. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors._desk.common import parse_time
from policies.fields import FieldDef
from policies.model import Status, StatusChange

PAUSED = (Status.PENDING, Status.HOLD)


def field_defs_from_api(rows: object) -> tuple[FieldDef, ...]:
    """``GET /api/v2/ticket_fields``: a ticket names a custom field by its ``name``
    (``cf_...``); people know its ``label``. A drop-down's ``choices`` are its values (a list of
    texts; the admin API's ``{"value", "label"}`` objects are read too)."""
    if not isinstance(rows, list):
        return ()
    return tuple(
        FieldDef(
            id=str(row["name"]),
            title=str(row.get("label") or row.get("label_for_customers") or ""),
            key=str(row["name"]),
            options=_choices(row.get("choices")),
        )
        for row in rows
        if isinstance(row, Mapping) and row.get("name") and not row.get("default")
    )


def _choices(raw: object) -> dict[str, str]:
    options: dict[str, str] = {}
    for choice in raw if isinstance(raw, list) else ():
        if isinstance(choice, Mapping) and choice.get("value") is not None:
            options[str(choice["value"])] = str(choice.get("label") or choice["value"])
        elif isinstance(choice, str):
            options[choice] = choice
    return options


def status_history_from_stats(stats: Mapping[str, Any], status: Status) -> tuple[StatusChange, ...]:
    """What ``include=stats`` tells of the statuses: when the ticket was last resolved, closed
    and reopened, and since when it has its current status (``pending_since`` for a pending
    ticket, else ``status_updated_at``). Earlier changes are the bridge's own record."""
    known = [
        (parse_time(stats.get("resolved_at")), Status.SOLVED),
        (parse_time(stats.get("closed_at")), Status.CLOSED),
        (parse_time(stats.get("reopened_at")), Status.OPEN),
    ]
    current = stats.get("pending_since") if status in PAUSED else None
    known.append((parse_time(current or stats.get("status_updated_at")), status))
    changes = sorted((StatusChange(at, s) for at, s in known if at is not None), key=lambda c: c.at)
    # The current status is the last word: a history that ends elsewhere is not to be trusted.
    if changes and changes[-1].status is not status:
        return ()
    return tuple(
        c for i, c in enumerate(changes) if i == 0 or changes[i - 1].status is not c.status
    )
