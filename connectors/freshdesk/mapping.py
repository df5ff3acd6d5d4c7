"""Freshdesk API shapes -> the shared model. Pure: no I/O, no clock."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors._desk.common import author_role, comments_sorted, csat_label, parse_time, str_id
from connectors.freshdesk.fields import field_defs_from_api, status_history_from_stats
from policies.fields import index_fields
from policies.model import (
    AuthorRole,
    Comment,
    Party,
    Priority,
    Satisfaction,
    Source,
    Status,
    Ticket,
)

log = logging.getLogger(__name__)

STATUSES: dict[int, Status] = {
    2: Status.OPEN,
    3: Status.PENDING,
    4: Status.SOLVED,
    5: Status.CLOSED,
}
PRIORITIES: dict[int, Priority] = {
    1: Priority.LOW,
    2: Priority.NORMAL,
    3: Priority.HIGH,
    4: Priority.URGENT,
}
# Freshdesk's 7-point satisfaction scale (3-point surveys use 103/100/-103) folded onto 1-5.
RATINGS: dict[int, int] = {103: 5, 102: 5, 101: 4, 100: 3, -101: 2, -102: 1, -103: 1}
SLA_FIELDS: dict[str, str] = {
    "fr_due_by": "first_response",
    "due_by": "resolution",
    "nr_due_by": "next_response",
}
COMPANY_SIGNALS = ("account_tier", "health_score", "renewal_date", "industry")
_warned: set[int] = set()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ticket_from_api_bundle(
    data: Mapping[str, Any],
    *,
    status_map: Mapping[int, Status] | None = None,
    bridge_user_id: str | None = None,
    base_url: str = "",
) -> Ticket:
    """A ticket read with ``include=stats,requester``, plus optional ``conversations`` (list),
    ``company``, ``contact`` (the full requester record), ``satisfaction_ratings`` and
    ``ticket_fields`` (``GET /api/v2/ticket_fields``: custom fields' labels and choices)."""
    requester_id = str_id(data.get("requester_id"))
    conversations = [
        comment_from_api(c, requester_id=requester_id, bridge_user_id=bridge_user_id)
        for c in data.get("conversations") or ()
    ]
    opening = opening_message(data, requester_id)
    ticket_id = str(data["id"])
    status = map_status(data.get("status"), status_map)
    raw_stats = data.get("stats")
    stats: Mapping[str, Any] = raw_stats if isinstance(raw_stats, Mapping) else {}
    custom_fields = dict(data.get("custom_fields") or {})
    names, labels = index_fields(custom_fields, field_defs_from_api(data.get("ticket_fields")))
    return Ticket(
        source=Source.FRESHDESK,
        id=ticket_id,
        url=f"{base_url.rstrip('/')}/a/tickets/{ticket_id}" if base_url else "",
        subject=str(data.get("subject") or ""),
        status=status,
        priority=PRIORITIES.get(_int(data.get("priority")) or 0),
        created_at=parse_time(data.get("created_at")) or _EPOCH,
        updated_at=parse_time(data.get("updated_at")) or _EPOCH,
        requester=requester_party(data, requester_id),
        organization=company_party(data.get("company"), str_id(data.get("company_id"))),
        assignee_id=str_id(data.get("responder_id")),
        assignee_name=_agent_name(data.get("agent")),
        group_id=str_id(data.get("group_id")),
        tags=frozenset(str(t) for t in data.get("tags") or ()),
        custom_fields=custom_fields,
        comments=comments_sorted(conversations + opening),
        satisfaction=satisfaction_from_api(data.get("satisfaction_ratings")),
        desk_sla=sla_due(data, stats),
        description=str(data.get("description_text") or ""),
        status_history=status_history_from_stats(stats, status),
        field_names=names,
        field_labels=labels,
    )


def _agent_name(agent: object) -> str:
    contact = agent.get("contact") if isinstance(agent, Mapping) else None
    return str(contact.get("name") or "") if isinstance(contact, Mapping) else ""


def opening_message(data: Mapping[str, Any], requester_id: str | None) -> list[Comment]:
    """The ticket's description is the customer's opening message (Zendesk lists it as the first
    comment; Freshdesk keeps it on the ticket), so phrases and sentiment apply to it."""
    text = str(data.get("description_text") or "").strip()
    created = parse_time(data.get("created_at"))
    if not text or created is None:
        return []
    return [
        Comment(
            id=f"{data['id']}:description",
            author_role=AuthorRole.CUSTOMER,
            public=True,
            created_at=created,
            body=text,
            author_id=requester_id or "",
        )
    ]


def sla_due(data: Mapping[str, Any], stats: Mapping[str, Any]) -> dict[str, datetime]:
    """The due times that can still be missed: ``fr_due_by`` stays on the ticket after the first
    response (``stats.first_responded_at``), when it can no longer be breached."""
    due = {
        name: at
        for key, name in SLA_FIELDS.items()
        if (at := parse_time(data.get(key))) is not None
    }
    if parse_time(stats.get("first_responded_at")) is not None:
        due.pop("first_response", None)
    return due


def map_status(value: object, status_map: Mapping[int, Status] | None = None) -> Status:
    """Built-in ids, then configured custom statuses (ids >= 6); unknown -> open, warned once."""
    code = _int(value)
    status = STATUSES.get(code or 0) or (status_map or {}).get(code or 0)
    if status is None:
        if code not in _warned:
            _warned.add(code or 0)
            log.warning("Freshdesk status %s has no mapping; treated as open (configure it)", value)
        return Status.OPEN
    return status


def comment_from_api(
    raw: Mapping[str, Any], *, requester_id: str | None, bridge_user_id: str | None
) -> Comment:
    user_id = str_id(raw.get("user_id")) or ""
    body = str(raw.get("body_text") or raw.get("body") or "")
    customer = bool(raw.get("incoming")) or (user_id == requester_id and user_id != "")
    return Comment(
        id=str(raw["id"]),
        author_role=author_role(
            body=body, author_id=user_id, bridge_user_id=bridge_user_id, customer=customer
        ),
        public=not bool(raw.get("private", False)),
        created_at=parse_time(raw.get("created_at")) or _EPOCH,
        body=body,
        author_id=user_id,
    )


def requester_party(data: Mapping[str, Any], requester_id: str | None) -> Party | None:
    contact = data.get("contact")
    if isinstance(contact, Mapping):
        return Party(
            id=str(contact.get("id") or requester_id),
            name=str(contact.get("name") or ""),
            email=str(contact.get("email") or ""),
            tags=frozenset(contact.get("tags") or ()),
            fields=dict(contact.get("custom_fields") or contact.get("custom_field") or {}),
        )
    brief = data.get("requester")
    if isinstance(brief, Mapping):
        return Party(
            id=str(brief.get("id") or requester_id),
            name=str(brief.get("name") or ""),
            email=str(brief.get("email") or ""),
        )
    return Party(id=requester_id) if requester_id else None


def company_party(company: object, company_id: str | None) -> Party | None:
    if not isinstance(company, Mapping):
        return Party(id=company_id) if company_id else None
    fields: dict[str, Any] = dict(company.get("custom_fields") or {})
    fields.update({key: company[key] for key in COMPANY_SIGNALS if key in company})
    return Party(
        id=str(company.get("id") or company_id),
        name=str(company.get("name") or ""),
        tags=frozenset(company.get("tags") or ()),
        fields=fields,
    )


def satisfaction_from_api(raw: object) -> Satisfaction | None:
    """The newest rating's ``default_question`` answer on the 1-5 scale."""
    if not isinstance(raw, list) or not raw:
        return None
    rows = [r for r in raw if isinstance(r, Mapping)]
    if not rows:
        return None
    latest = max(rows, key=lambda r: str(r.get("updated_at") or r.get("created_at") or ""))
    ratings = latest.get("ratings") or {}
    score = RATINGS.get(_int(ratings.get("default_question")) or 0)
    if score is None:
        return None
    return Satisfaction(
        score=score,
        label=csat_label(score),
        comment=str(latest.get("feedback") or ""),
        rated_at=parse_time(latest.get("updated_at") or latest.get("created_at")),
    )


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def parse_status_map(text: str) -> dict[int, Status]:
    """``"6=pending, 7=hold"`` (an operator setting) -> ``{6: Status.PENDING, 7: Status.HOLD}``."""
    mapping: dict[int, Status] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        code, sep, name = item.partition("=")
        if not sep or not code.strip().isdigit():
            raise ValueError(f"expected ID=STATUS, got {item!r}")
        try:
            mapping[int(code)] = Status(name.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in Status)
            raise ValueError(f"unknown status {name.strip()!r}; use one of {choices}") from None
    return mapping
