"""JSON-ready dicts for ``Ticket`` and ``EscalationState`` (the bridge persists state with these).

Times are ISO 8601 strings; a time without an offset is read as UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from policies.model import (
    AuthorRole,
    Comment,
    CommentSignals,
    EscalationState,
    HistoryEntry,
    ManualRequest,
    Party,
    Priority,
    Satisfaction,
    Source,
    Status,
    StatusChange,
    Ticket,
    Tier,
)

Json = dict[str, Any]


def _time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _opt_time(text: str | None) -> dt.datetime | None:
    return _time(text) if text else None


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _tier(value: str | int) -> Tier:
    return Tier[value] if isinstance(value, str) else Tier(value)


def _party_from(data: Mapping[str, Any] | None) -> Party | None:
    if data is None:
        return None
    return Party(
        id=str(data["id"]),
        name=data.get("name", ""),
        email=data.get("email", ""),
        tags=frozenset(data.get("tags", ())),
        fields=dict(data.get("fields", {})),
    )


def _party_to(party: Party | None) -> Json | None:
    if party is None:
        return None
    return {
        "id": party.id,
        "name": party.name,
        "email": party.email,
        "tags": sorted(party.tags),
        "fields": dict(party.fields),
    }


def _comment_from(data: Mapping[str, Any]) -> Comment:
    signals = data.get("signals")
    return Comment(
        id=str(data["id"]),
        author_role=AuthorRole(data["author_role"]),
        public=bool(data.get("public", True)),
        created_at=_time(data["created_at"]),
        body=data.get("body", ""),
        author_id=str(data.get("author_id", "")),
        signals=None
        if signals is None
        else CommentSignals(signals.get("sentiment"), frozenset(signals.get("phrases", ()))),
    )


def _comment_to(c: Comment) -> Json:
    signals = None
    if c.signals is not None:
        signals = {"sentiment": c.signals.sentiment, "phrases": sorted(c.signals.phrases)}
    return {
        "id": c.id,
        "author_role": c.author_role.value,
        "public": c.public,
        "created_at": _iso(c.created_at),
        "body": c.body,
        "author_id": c.author_id,
        "signals": signals,
    }


def ticket_from_json(data: Mapping[str, Any]) -> Ticket:
    """A ``Ticket`` from its JSON form (``ticket_to_json``); unknown keys are an error."""
    known = set(Ticket.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown ticket keys: {', '.join(sorted(unknown))}")
    sat = data.get("satisfaction")
    priority = data.get("priority")
    subject = data.get("subject_phrases")
    return Ticket(
        source=Source(data["source"]),
        id=str(data["id"]),
        url=data.get("url", ""),
        subject=data.get("subject", ""),
        status=Status(data["status"]),
        priority=Priority(priority) if priority else None,
        created_at=_time(data["created_at"]),
        updated_at=_time(data.get("updated_at") or data["created_at"]),
        requester=_party_from(data.get("requester")),
        organization=_party_from(data.get("organization")),
        assignee_id=data.get("assignee_id"),
        assignee_name=data.get("assignee_name", ""),
        group_id=data.get("group_id"),
        tags=frozenset(data.get("tags", ())),
        custom_fields=dict(data.get("custom_fields", {})),
        comments=tuple(_comment_from(c) for c in data.get("comments", ())),
        satisfaction=None
        if sat is None
        else Satisfaction(
            sat.get("score"),
            sat.get("label"),
            sat.get("comment", ""),
            _opt_time(sat.get("rated_at")),
        ),
        desk_sla={k: _time(v) for k, v in data.get("desk_sla", {}).items()},
        group_changes=int(data.get("group_changes", 0)),
        description=data.get("description", ""),
        ticket_type=data.get("ticket_type"),
        problem_id=data.get("problem_id"),
        status_history=tuple(
            StatusChange(_time(s["at"]), Status(s["status"]))
            for s in data.get("status_history", ())
        ),
        field_names=dict(data.get("field_names", {})),
        field_labels={k: tuple(v) for k, v in data.get("field_labels", {}).items()},
        subject_phrases=None if subject is None else frozenset(subject),
    )


def ticket_to_json(ticket: Ticket) -> Json:
    sat = ticket.satisfaction
    return {
        "source": ticket.source.value,
        "id": ticket.id,
        "url": ticket.url,
        "subject": ticket.subject,
        "status": ticket.status.value,
        "priority": ticket.priority.value if ticket.priority else None,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "requester": _party_to(ticket.requester),
        "organization": _party_to(ticket.organization),
        "assignee_id": ticket.assignee_id,
        "assignee_name": ticket.assignee_name,
        "group_id": ticket.group_id,
        "tags": sorted(ticket.tags),
        "custom_fields": dict(ticket.custom_fields),
        "comments": [_comment_to(c) for c in ticket.comments],
        "satisfaction": None
        if sat is None
        else {
            "score": sat.score,
            "label": sat.label,
            "comment": sat.comment,
            "rated_at": _iso(sat.rated_at),
        },
        "desk_sla": {k: _iso(v) for k, v in ticket.desk_sla.items()},
        "group_changes": ticket.group_changes,
        "description": ticket.description,
        "ticket_type": ticket.ticket_type,
        "problem_id": ticket.problem_id,
        "status_history": [
            {"at": _iso(s.at), "status": s.status.value} for s in ticket.status_history
        ],
        "field_names": dict(ticket.field_names),
        "field_labels": {k: list(v) for k, v in ticket.field_labels.items()},
        "subject_phrases": None
        if ticket.subject_phrases is None
        else sorted(ticket.subject_phrases),
    }


def state_from_json(data: Mapping[str, Any]) -> EscalationState:
    """An ``EscalationState`` from its JSON form (``state_to_json``)."""
    return EscalationState(
        tier=_tier(data.get("tier", "L1")),
        tier_since=_opt_time(data.get("tier_since")),
        owner=data.get("owner"),
        history=tuple(
            HistoryEntry(_time(h["at"]), h["rule"], _tier(h["from_tier"]), _tier(h["to_tier"]))
            for h in data.get("history", ())
        ),
        fired={k: _time(v) for k, v in data.get("fired", {}).items()},
        manual=tuple(
            ManualRequest(
                kind=m["kind"],
                by=m.get("by", ""),
                at=_time(m["at"]),
                reason=m.get("reason", ""),
                tier=_tier(m["tier"]) if m.get("tier") else None,
            )
            for m in data.get("manual", ())
        ),
        acknowledged_by=data.get("acknowledged_by"),
        acknowledged_at=_opt_time(data.get("acknowledged_at")),
        page_open=bool(data.get("page_open", False)),
        solved_at=_opt_time(data.get("solved_at")),
        rca_recorded=bool(data.get("rca_recorded", False)),
        handed_from=data.get("handed_from"),
    )


def state_to_json(state: EscalationState) -> Json:
    return {
        "tier": state.tier.name,
        "tier_since": _iso(state.tier_since),
        "owner": state.owner,
        "history": [
            {
                "at": _iso(h.at),
                "rule": h.rule,
                "from_tier": h.from_tier.name,
                "to_tier": h.to_tier.name,
            }
            for h in state.history
        ],
        "fired": {k: _iso(v) for k, v in state.fired.items()},
        "manual": [
            {
                "kind": m.kind,
                "by": m.by,
                "at": _iso(m.at),
                "reason": m.reason,
                "tier": m.tier.name if m.tier else None,
            }
            for m in state.manual
        ],
        "acknowledged_by": state.acknowledged_by,
        "acknowledged_at": _iso(state.acknowledged_at),
        "page_open": state.page_open,
        "solved_at": _iso(state.solved_at),
        "rca_recorded": state.rca_recorded,
        "handed_from": state.handed_from,
    }
