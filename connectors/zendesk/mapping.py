"""Zendesk API shapes -> the shared model. Pure: no I/O, no clock."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors._desk.common import author_role, comments_sorted, csat_label, parse_time, str_id
from policies.fields import FieldDef, index_fields
from policies.model import (
    Comment,
    Party,
    Priority,
    Satisfaction,
    Source,
    Status,
    StatusChange,
    Ticket,
)

log = logging.getLogger(__name__)

# ``status`` is already the category of a custom status (new/open/pending/hold/solved), so custom
# statuses map without configuration. Incremental exports also show deleted tickets.
STATUSES: dict[str, Status] = {
    "new": Status.NEW,
    "open": Status.OPEN,
    "pending": Status.PENDING,
    "hold": Status.HOLD,
    "solved": Status.SOLVED,
    "closed": Status.CLOSED,
    "deleted": Status.CLOSED,
}
PRIORITIES: dict[str, Priority] = {p.value: p for p in Priority}
SLA_METRICS: dict[str, str] = {
    "first_reply_time": "first_response",
    "next_reply_time": "next_response",
    "total_resolution_time": "resolution",
}
_warned: set[str] = set()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ticket_from_api_bundle(data: Mapping[str, Any], *, bridge_user_id: str | None = None) -> Ticket:
    """``{"ticket": …}`` plus optional ``comments``, ``users``, ``organizations`` sideloads,
    ``audits`` (``GET /api/v2/tickets/{id}/audits.json``: the status history) and
    ``ticket_fields`` (``GET /api/v2/ticket_fields.json``: custom fields' titles and options)."""
    raw = data.get("ticket")
    if not isinstance(raw, Mapping):
        raise ValueError('a Zendesk bundle needs a "ticket" object')
    users = {str(u["id"]): u for u in data.get("users") or () if "id" in u}
    orgs = {str(o["id"]): o for o in data.get("organizations") or () if "id" in o}
    requester_id = str_id(raw.get("requester_id"))
    comments = [
        comment_from_api(c, users=users, requester_id=requester_id, bridge_user_id=bridge_user_id)
        for c in data.get("comments") or ()
    ]
    org_id = str_id(raw.get("organization_id"))
    custom_fields = {
        str(f["id"]): f.get("value") for f in raw.get("custom_fields") or () if "id" in f
    }
    names, labels = index_fields(custom_fields, field_defs_from_api(data.get("ticket_fields")))
    return Ticket(
        source=Source.ZENDESK,
        id=str(raw["id"]),
        url=agent_url(raw),
        subject=str(raw.get("subject") or ""),
        status=map_status(raw.get("status")),
        priority=PRIORITIES.get(str(raw.get("priority") or "").lower()),
        created_at=parse_time(raw.get("created_at")) or _EPOCH,
        updated_at=parse_time(raw.get("updated_at")) or _EPOCH,
        requester=party_from_user(users.get(requester_id or ""), requester_id),
        organization=party_from_org(orgs.get(org_id or ""), org_id),
        assignee_id=str_id(raw.get("assignee_id")),
        assignee_name=_name(users.get(str_id(raw.get("assignee_id")) or "")),
        group_id=str_id(raw.get("group_id")),
        tags=frozenset(str(t) for t in raw.get("tags") or ()),
        custom_fields=custom_fields,
        comments=comments_sorted(comments),
        satisfaction=satisfaction_from_api(raw.get("satisfaction_rating")),
        desk_sla=sla_from_api(raw.get("slas")),
        description=str(raw.get("description") or ""),
        ticket_type=str(raw["type"]) if raw.get("type") else None,
        problem_id=str_id(raw.get("problem_id")),
        status_history=status_history_from_audits(data.get("audits")),
        field_names=names,
        field_labels=labels,
    )


def field_defs_from_api(rows: object) -> tuple[FieldDef, ...]:
    """Ticket fields: custom fields by numeric id, with their title and, for drop-downs
    (``tagger``, ``multiselect``), each option's tag ``value`` and its ``name``."""
    if not isinstance(rows, list):
        return ()
    return tuple(
        FieldDef(
            id=str(row["id"]),
            title=str(row.get("title") or row.get("raw_title") or ""),
            key=str(row.get("key") or ""),
            options={
                str(option["value"]): str(option.get("name") or option["value"])
                for option in row.get("custom_field_options") or ()
                if isinstance(option, Mapping) and option.get("value") is not None
            },
        )
        for row in rows
        if isinstance(row, Mapping) and row.get("id") is not None
    )


def status_history_from_audits(audits: object) -> tuple[StatusChange, ...]:
    """Every status the ticket had, at the second of the audit that set it (``Create`` and
    ``Change`` events on ``status``; a custom status's events name its category)."""
    if not isinstance(audits, list):
        return ()
    changes: list[StatusChange] = []
    for audit in audits:
        at = parse_time(audit.get("created_at")) if isinstance(audit, Mapping) else None
        if at is None:
            continue
        for event in audit.get("events") or ():
            if isinstance(event, Mapping) and event.get("field_name") == "status":
                changes.append(StatusChange(at, map_status(event.get("value"))))
    return tuple(sorted(changes, key=lambda change: change.at))


def map_status(value: object) -> Status:
    text = str(value or "").lower()
    status = STATUSES.get(text)
    if status is None:
        if text not in _warned:
            _warned.add(text)
            log.warning("unknown Zendesk status %r mapped to open", text)
        return Status.OPEN
    return status


def agent_url(raw: Mapping[str, Any]) -> str:
    """The agent UI link, derived from the API ``url`` (which is the JSON resource)."""
    api_url = str(raw.get("url") or "")
    base = api_url.split("/api/v2/", 1)[0]
    return f"{base}/agent/tickets/{raw['id']}" if base else ""


def comment_from_api(
    raw: Mapping[str, Any],
    *,
    users: Mapping[str, Mapping[str, Any]],
    requester_id: str | None,
    bridge_user_id: str | None,
) -> Comment:
    author_id = str_id(raw.get("author_id")) or ""
    author = users.get(author_id)
    # Without the author's user record, only the requester is known to be a customer.
    customer = author_id == requester_id or (
        author is not None and author.get("role") == "end-user"
    )
    body = str(raw.get("plain_body") or raw.get("body") or "")
    return Comment(
        id=str(raw["id"]),
        author_role=author_role(
            body=body, author_id=author_id, bridge_user_id=bridge_user_id, customer=customer
        ),
        public=bool(raw.get("public", True)),
        created_at=parse_time(raw.get("created_at")) or _EPOCH,
        body=body,
        author_id=author_id,
    )


def _name(user: Mapping[str, Any] | None) -> str:
    return str(user.get("name") or "") if user else ""


def party_from_user(user: Mapping[str, Any] | None, user_id: str | None) -> Party | None:
    if user is None:
        return Party(id=user_id) if user_id else None
    fields = dict(user.get("user_fields") or {})
    fields["role"] = user.get("role")
    return Party(
        id=str(user["id"]),
        name=str(user.get("name") or ""),
        email=str(user.get("email") or ""),
        tags=frozenset(user.get("tags") or ()),
        fields=fields,
    )


def party_from_org(org: Mapping[str, Any] | None, org_id: str | None) -> Party | None:
    if org is None:
        return Party(id=org_id) if org_id else None
    return Party(
        id=str(org["id"]),
        name=str(org.get("name") or ""),
        tags=frozenset(org.get("tags") or ()),
        fields=dict(org.get("organization_fields") or {}),
    )


def satisfaction_from_api(raw: object) -> Satisfaction | None:
    """Legacy good/bad ratings and 1-5 scores; offered/unoffered surveys are no rating yet."""
    if not isinstance(raw, Mapping):
        return None
    score_raw = raw.get("score")
    comment = str(raw.get("comment") or "")
    rated_at = parse_time(raw.get("updated_at") or raw.get("created_at"))
    text = str(score_raw).lower() if score_raw is not None else ""
    if text == "good":
        return Satisfaction(5, "good", comment, rated_at)
    if text == "bad":
        return Satisfaction(1, "bad", comment, rated_at)
    if text.isdigit() and 1 <= int(text) <= 5:
        return Satisfaction(int(text), csat_label(int(text)), comment, rated_at)
    return None


def sla_from_api(raw: object) -> dict[str, datetime]:
    """``slas.policy_metrics[]``: active or paused targets with a ``breach_at``."""
    if not isinstance(raw, Mapping):
        return {}
    due: dict[str, datetime] = {}
    for metric in raw.get("policy_metrics") or ():
        if not isinstance(metric, Mapping) or metric.get("stage") == "achieved":
            continue
        breach_at = parse_time(metric.get("breach_at"))
        name = str(metric.get("metric") or "")
        if breach_at is not None and name:
            due[SLA_METRICS.get(name, name)] = breach_at
    return due
