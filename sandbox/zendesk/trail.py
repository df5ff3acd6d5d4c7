"""What the Zendesk stand-in records beside a ticket: its audits (one per change, with ``Create``,
``Change`` and ``Comment`` events) and the account's ticket fields. Shapes in FACTS.md."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sandbox.zendesk.wire import Json, iso

# The ticket properties an audit records a Create/Change event for (those the stand-in changes).
AUDITED = ("subject", "status", "priority", "requester_id", "group_id", "assignee_id", "tags")
COMMENT_KEYS = ("id", "type", "author_id", "body", "html_body", "plain_body", "public")


def _option(field_id: int, i: int, name: str, value: str) -> Json:
    return {"id": field_id * 10 + i, "name": name, "raw_name": name, "value": value}


def _field(field_id: int, kind: str, title: str, position: int, **extra: Any) -> Json:
    return {
        "id": field_id,
        "type": kind,
        "title": title,
        "raw_title": title,
        "description": "",
        "position": position,
        "active": True,
        "required": False,
        "visible_in_portal": False,
        "editable_in_portal": False,
        "removable": kind not in ("subject", "status"),
        **extra,
    }


IMPACTS = (
    ("System down", "system_down"),
    ("Data loss", "data_loss"),
    ("Security", "security"),
    ("Major feature broken", "major_feature_broken"),
)
# The demo account's fields: two system fields, and the custom ones the default policy names.
SEEDED_FIELDS: tuple[Json, ...] = (
    _field(360_000_001_001, "subject", "Subject", 1),
    _field(360_000_001_002, "status", "Status", 2),
    _field(360_011_000_001, "decimal", "Refund amount", 10),
    _field(
        360_011_000_002,
        "tagger",
        "Category",
        11,
        custom_field_options=[
            _option(360_011_000_002, i, name, value)
            for i, (name, value) in enumerate(
                (
                    ("Warranty", "cat_warranty"),
                    ("Billing", "cat_billing"),
                    ("Integration", "cat_integration"),
                )
            )
        ],
    ),
    _field(360_011_000_003, "text", "Engineering issue", 12),
    _field(
        360_011_000_004,
        "tagger",
        "Impact",
        13,
        custom_field_options=[
            _option(360_011_000_004, i, name, value) for i, (name, value) in enumerate(IMPACTS)
        ],
    ),
)
FIELD_IDS = {field["title"]: field["id"] for field in SEEDED_FIELDS}


class AuditTrail:
    """Mixed into the stand-in's state: ``self.lock``, ``self.ids`` and ``self.clock`` are its."""

    lock: threading.RLock
    ids: Iterator[int]
    clock: Callable[[], datetime]
    audits: dict[int, list[Json]]
    ticket_fields: list[Json]

    def reset_trail(self) -> None:
        self.audits = {}
        self.ticket_fields = [dict(field) for field in SEEDED_FIELDS]

    def audit(self, ticket_id: int, author_id: int, events: list[Json]) -> Json:
        """Record one audit: every change one update made, at this second."""
        audit_id = next(self.ids)
        record = {
            "id": audit_id,
            "ticket_id": ticket_id,
            "created_at": iso(self.clock()),
            "author_id": author_id,
            "metadata": {"system": {}, "custom": {}},
            "events": [
                {**event, "audit_id": audit_id} if event["type"] == "Comment" else event
                for event in events
            ],
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
        }
        self.audits.setdefault(ticket_id, []).append(record)
        return record

    def field_events(
        self, kind: str, fields: Mapping[str, Any], before: Mapping[str, Any] | None = None
    ) -> list[Json]:
        """``Create`` events for a new ticket, ``Change`` events (with the previous value) for
        the audited properties an update changed."""
        events: list[Json] = []
        for name in AUDITED:
            if name not in fields or (before is not None and before.get(name) == fields[name]):
                continue
            event = {"id": next(self.ids), "type": kind, "field_name": name, "value": fields[name]}
            if before is not None:
                event["previous_value"] = before.get(name)
            events.append(event)
        return events

    def audit_slice(self, ticket_id: int, start: int, size: int) -> tuple[list[Json], bool]:
        """Audits from ``start`` on, oldest first, and whether more follow."""
        with self.lock:
            rows = self.audits.get(ticket_id, [])
            return rows[start : start + size], start + size < len(rows)


def comment_event(comment: Mapping[str, Any]) -> Json:
    return {key: comment[key] for key in COMMENT_KEYS} | {"attachments": []}
