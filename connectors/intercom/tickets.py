"""Intercom tickets (API 2.11, ``GET /tickets/{id}``) -> the shared model. Pure.

A ticket has its own id space and endpoints (``/tickets/...``); its ``id`` is the API id, not
the ``ticket_id`` the inbox shows. The bridge names a ticket ``t<id>`` so that it can never be
taken for a conversation (FACTS.md I-tickets). Title and description are the ticket attributes
``_default_title_`` and ``_default_description_``; the other attributes are fields by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from connectors._desk.common import str_id
from connectors.intercom.mapping import (
    _EPOCH,
    SUBJECT_CHARS,
    _list,
    _mapping,
    _part_comment,
    company_party,
    from_unix,
    requester_party,
    text_of,
)
from policies.fields import index_fields
from policies.model import Priority, Source, Status, StatusChange, Ticket

PREFIX = "t"
TITLE, DESCRIPTION = "_default_title_", "_default_description_"
# ``ticket_state``: waiting on the customer pauses the clock; resolved is solved.
TICKET_STATES: dict[str, Status] = {
    "submitted": Status.OPEN,
    "in_progress": Status.OPEN,
    "waiting_on_customer": Status.PENDING,
    "resolved": Status.SOLVED,
}
# What an update's status asks of ``PUT /tickets/{id}`` (``state``; "submitted" is not settable).
STATE_WRITES: dict[Status, str] = {
    Status.OPEN: "in_progress",
    Status.PENDING: "waiting_on_customer",
    Status.SOLVED: "resolved",
    Status.CLOSED: "resolved",
}


def bridge_id(api_id: object) -> str:
    return f"{PREFIX}{api_id}"


def api_id(ticket_id: str) -> str | None:
    """The ticket's API id if ``ticket_id`` names a ticket (``t<digits>``), else None."""
    rest = ticket_id.removeprefix(PREFIX)
    return rest if rest != ticket_id and rest.isdigit() else None


def ticket_to_ticket(
    data: Mapping[str, Any],
    *,
    bridge_admin_id: str | None = None,
    contact: Mapping[str, Any] | None = None,
    company: Mapping[str, Any] | None = None,
    web_url: str = "",
) -> Ticket:
    """A ticket, with its first contact's full record and that contact's first company."""
    ticket_id = bridge_id(data["id"])
    attributes = dict(_mapping(data.get("ticket_attributes")))
    title = text_of(str(attributes.pop(TITLE, None) or ""))
    description = text_of(str(attributes.pop(DESCRIPTION, None) or ""))
    parts = _list(data.get("ticket_parts"), "ticket_parts")
    comments = [c for c in (_part_comment(p, bridge_admin_id) for p in parts) if c is not None]
    status = TICKET_STATES.get(str(data.get("ticket_state") or ""), Status.OPEN)
    names, labels = index_fields(attributes, ())
    line = title.split("\n", 1)[0]
    created = from_unix(data.get("created_at"))
    return Ticket(
        source=Source.INTERCOM,
        id=ticket_id,
        url=f"{web_url.rstrip('/')}/{data['id']}" if web_url else "",
        subject=line if len(line) <= SUBJECT_CHARS else line[: SUBJECT_CHARS - 1] + "…",
        status=status,
        # A ticket has no priority flag.
        priority=Priority.NORMAL,
        created_at=created or _EPOCH,
        updated_at=from_unix(data.get("updated_at")) or _EPOCH,
        requester=requester_party(contact, data),
        organization=company_party(company),
        # Unassigned is ``0`` on a ticket.
        assignee_id=_assigned(data.get("admin_assignee_id")),
        group_id=_assigned(data.get("team_assignee_id")),
        tags=frozenset(),
        custom_fields=attributes,
        comments=tuple(sorted(comments, key=lambda c: c.created_at)),
        description=description,
        status_history=ticket_history(parts, status, created),
        field_names=names,
        field_labels=labels,
    )


def ticket_history(
    parts: Iterable[Mapping[str, Any]], status: Status, created: Any
) -> tuple[StatusChange, ...]:
    """State changes from the parts that carry ``ticket_state``; trusted only if they end in
    ``status``."""
    changes = [StatusChange(created, Status.OPEN)] if created is not None else []
    for part in parts:
        at, state = from_unix(part.get("created_at")), part.get("ticket_state")
        new = TICKET_STATES.get(str(state)) if state else None
        if at is not None and new is not None and (not changes or changes[-1].status is not new):
            changes.append(StatusChange(at, new))
    if not changes or changes[-1].status is not status:
        return ()
    return tuple(changes)


def _assigned(value: object) -> str | None:
    found = str_id(value)
    return None if found in (None, "0") else found
