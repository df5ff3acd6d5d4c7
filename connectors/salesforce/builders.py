"""What the connector writes to a Case: comment bodies within CommentBody's limit and the
fields an update changes. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors._desk.common import with_marker
from connectors.base import PermanentError
from connectors.salesforce.mapping import OrgTerms
from policies.model import Priority, Status

COMMENT_BYTES = 4_000  # CaseComment.CommentBody's limit (FACTS.md S-comment)


def fit_comment(body: str, key: str) -> str:
    """The body with the bridge's marker, cut (never the marker) to CommentBody's 4,000 bytes."""
    text = with_marker(body, key)
    if len(text.encode()) <= COMMENT_BYTES:
        return text
    room = COMMENT_BYTES - len(with_marker("…", key).encode())
    cut = body.encode()[:room].decode(errors="ignore")
    return with_marker(cut.rstrip() + "…", key)


def picklist_value(values: Mapping[str, Priority | Status], wanted: Priority | Status) -> str:
    """The org's first value that means ``wanted``; Urgent falls back to High (the top of the
    standard Priority values) where the org has no value of its own for it."""
    for value, meaning in values.items():
        if meaning is wanted:
            return value
    if wanted is Priority.URGENT:
        return picklist_value(values, Priority.HIGH)
    field, variable = (
        ("Priority", "SALESFORCE_PRIORITIES")
        if isinstance(wanted, Priority)
        else ("Status", "SALESFORCE_STATUSES")
    )
    raise PermanentError(
        f"Salesforce: no {field} value means {wanted.value}: add one to {variable}"
    )


def case_changes(
    case: Mapping[str, Any],
    terms: OrgTerms,
    *,
    owner: str | None,
    priority: Priority | None,
    status: Status | None,
) -> dict[str, Any]:
    """The fields of one PATCH: only what differs from ``case`` (a repeat sends nothing)."""
    changes: dict[str, Any] = {}
    if owner is not None and str(case.get("OwnerId") or "")[:15] != owner[:15]:
        changes["OwnerId"] = owner
    if priority is not None:
        value = picklist_value(terms.priorities, priority)
        if case.get("Priority") != value:
            changes["Priority"] = value
    if status is not None and terms.statuses.get(str(case.get("Status"))) is not status:
        changes["Status"] = picklist_value(terms.statuses, status)
    return changes
