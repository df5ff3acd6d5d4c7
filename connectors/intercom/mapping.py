"""Intercom API shapes -> the shared model. Pure: no I/O, no clock.

A conversation (``GET /conversations/{id}``, API 2.11) carries its opening message in ``source``,
its later messages, notes and state changes in ``conversation_parts``, tags by name, custom
attributes by name and the customer's rating. Sources: ``sandbox/intercom/FACTS.md``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from connectors._desk.common import author_role, csat_label, has_marker, str_id
from policies.fields import FieldDef, index_fields
from policies.model import (
    AuthorRole,
    Comment,
    Party,
    Priority,
    Satisfaction,
    Source,
    Status,
    StatusChange,
    Ticket,
)

# ``state``: open, snoozed (waiting: the clock pauses) or closed (a reply reopens it).
STATES: dict[str, Status] = {
    "open": Status.OPEN,
    "snoozed": Status.PENDING,
    "closed": Status.SOLVED,
}
# ``priority`` is a flag, not a scale: flagged conversations are High (or Urgent, where the team
# keeps the flag for emergencies: ``INTERCOM_PRIORITY_FLAG``), the rest Normal.
FLAG = "priority"
# Parts that change the state, and the state they leave the conversation in.
STATE_PARTS: dict[str, Status] = {
    "open": Status.OPEN,
    "close": Status.SOLVED,
    "snoozed": Status.PENDING,
    "timer_unsnooze": Status.OPEN,
}
CUSTOMER_AUTHORS = frozenset({"user", "lead", "contact"})
# Bots (Fin, workflows) answer instantly; they are neither the customer nor an agent's reply.
SKIPPED_AUTHORS = frozenset({"bot"})
SUBJECT_CHARS = 120
COMPANY_SIGNALS = ("plan", "monthly_spend", "user_count", "size", "industry")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"</p>|<br\s*/?>", re.IGNORECASE)


def conversation_to_ticket(
    data: Mapping[str, Any],
    *,
    bridge_admin_id: str | None = None,
    contact: Mapping[str, Any] | None = None,
    company: Mapping[str, Any] | None = None,
    attributes: Iterable[FieldDef] = (),
    web_url: str = "",
    flagged: Priority = Priority.HIGH,
) -> Ticket:
    """A conversation, with the full ``contact`` and ``company`` records where read, and the
    conversation data attributes (``GET /data_attributes?model=conversation``) as fields."""
    ticket_id = str(data["id"])
    source = _mapping(data.get("source"))
    parts = _list(data.get("conversation_parts"), "conversation_parts")
    comments = opening_message(ticket_id, source, data.get("created_at"), bridge_admin_id)
    comments += [c for c in (_part_comment(p, bridge_admin_id) for p in parts) if c is not None]
    status = STATES.get(str(data.get("state") or "open"), Status.OPEN)
    custom_fields = dict(_mapping(data.get("custom_attributes")))
    names, labels = index_fields(custom_fields, attributes)
    return Ticket(
        source=Source.INTERCOM,
        id=ticket_id,
        url=f"{web_url.rstrip('/')}/{ticket_id}" if web_url else "",
        subject=subject(data, source),
        status=status,
        priority=flagged if data.get("priority") == FLAG else Priority.NORMAL,
        created_at=from_unix(data.get("created_at")) or _EPOCH,
        updated_at=from_unix(data.get("updated_at")) or _EPOCH,
        requester=requester_party(contact, data),
        organization=company_party(company),
        assignee_id=str_id(data.get("admin_assignee_id")),
        group_id=str_id(data.get("team_assignee_id")),
        tags=frozenset(
            str(t.get("name")) for t in _list(data.get("tags"), "tags") if t.get("name")
        ),
        custom_fields=custom_fields,
        # Parts come in the order they were made: a stable sort keeps it within one second.
        comments=tuple(sorted(comments, key=lambda c: c.created_at)),
        satisfaction=satisfaction(data.get("conversation_rating")),
        description=text_of(str(source.get("body") or "")),
        status_history=status_history(parts, status, from_unix(data.get("created_at"))),
        field_names=names,
        field_labels=labels,
    )


def subject(data: Mapping[str, Any], source: Mapping[str, Any]) -> str:
    """The title, else the e-mail subject, else the opening message's first line (what the
    inbox shows for a chat, which has neither)."""
    for text in (data.get("title"), source.get("subject"), source.get("body")):
        line = text_of(str(text or "")).split("\n", 1)[0].strip()
        if line:
            return line if len(line) <= SUBJECT_CHARS else line[: SUBJECT_CHARS - 1] + "…"
    return ""


def opening_message(
    ticket_id: str, source: Mapping[str, Any], created: object, bridge_admin_id: str | None
) -> list[Comment]:
    """The message that started the conversation: the customer's first words, usually."""
    body = text_of(str(source.get("body") or ""))
    author = _mapping(source.get("author"))
    at = from_unix(created)
    if not body or at is None or str(author.get("type")) in SKIPPED_AUTHORS:
        return []
    return [
        Comment(
            id=f"{ticket_id}:source",
            author_role=_role(author, body, bridge_admin_id),
            public=True,
            created_at=at,
            body=body,
            author_id=str(author.get("id") or ""),
        )
    ]


def _part_comment(part: Mapping[str, Any], bridge_admin_id: str | None) -> Comment | None:
    kind = str(part.get("part_type") or "")
    author = _mapping(part.get("author"))
    body = text_of(str(part.get("body") or ""))
    if kind not in ("comment", "note") or not body or str(author.get("type")) in SKIPPED_AUTHORS:
        return None
    return Comment(
        id=str(part["id"]),
        author_role=_role(author, body, bridge_admin_id),
        public=kind == "comment",
        created_at=from_unix(part.get("created_at")) or _EPOCH,
        body=body,
        author_id=str(author.get("id") or ""),
    )


def _role(author: Mapping[str, Any], body: str, bridge_admin_id: str | None) -> AuthorRole:
    customer = str(author.get("type")) in CUSTOMER_AUTHORS
    return author_role(
        body=body,
        author_id=str(author.get("id") or ""),
        bridge_user_id=None if customer else bridge_admin_id,
        customer=customer,
    )


def status_history(
    parts: Iterable[Mapping[str, Any]], status: Status, created: datetime | None
) -> tuple[StatusChange, ...]:
    """State changes from the parts that made them; trusted only if they end in ``status``.

    A customer's reply reopens a snoozed or closed conversation without a state part of its own
    (its ``state`` says so), so a comment by a customer after a pause counts as a reopening."""
    changes = [StatusChange(created, Status.OPEN)] if created is not None else []
    for part in parts:
        at = from_unix(part.get("created_at"))
        if at is None:
            continue
        kind = str(part.get("part_type") or "")
        new = STATE_PARTS.get(kind)
        customer = str(_mapping(part.get("author")).get("type")) in CUSTOMER_AUTHORS
        if new is None and kind == "comment" and customer:
            new = Status.OPEN
        if new is not None and (not changes or changes[-1].status is not new):
            changes.append(StatusChange(at, new))
    if not changes or changes[-1].status is not status:
        return ()
    return tuple(changes)


def requester_party(contact: Mapping[str, Any] | None, data: Mapping[str, Any]) -> Party | None:
    if contact:
        return Party(
            id=str(contact.get("id") or ""),
            name=str(contact.get("name") or ""),
            email=str(contact.get("email") or ""),
            tags=_names(_list(contact.get("tags"), "data")),
            fields=dict(_mapping(contact.get("custom_attributes"))),
        )
    first = next(iter(_list(data.get("contacts"), "contacts")), None)
    return Party(id=str(first["id"])) if first and first.get("id") else None


def company_party(company: Mapping[str, Any] | None) -> Party | None:
    if not company:
        return None
    fields: dict[str, Any] = dict(_mapping(company.get("custom_attributes")))
    for key in COMPANY_SIGNALS:
        value = company.get(key)
        if isinstance(value, Mapping):  # ``plan`` is {"type": "plan", "id", "name"}
            value = value.get("name")
        if value is not None:
            fields[key] = value
    return Party(
        id=str(company.get("id") or ""),
        name=str(company.get("name") or ""),
        tags=_names(_list(company.get("tags"), "tags")),
        fields=fields,
    )


def satisfaction(raw: object) -> Satisfaction | None:
    """``conversation_rating``: the customer's 1-5 rating and remark."""
    rating = _mapping(raw)
    score = rating.get("rating")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        return None
    return Satisfaction(
        score=score,
        label=csat_label(score),
        comment=str(rating.get("remark") or ""),
        rated_at=from_unix(rating.get("created_at")),
    )


def attributes_to_fields(rows: object) -> tuple[FieldDef, ...]:
    """Conversation data attributes: a conversation names a custom attribute by its ``name``;
    ``label`` is what people see; a list attribute's ``options`` are its values."""
    found: list[FieldDef] = []
    for row in rows if isinstance(rows, list) else ():
        if not isinstance(row, Mapping) or not row.get("custom") or not row.get("name"):
            continue
        # Options are listed as texts; the create request's ``{"value": …}`` objects are read too.
        values = [o.get("value") if isinstance(o, Mapping) else o for o in row.get("options") or ()]
        options = {str(v): str(v) for v in values if v is not None}
        name = str(row["name"])
        found.append(
            FieldDef(id=name, title=str(row.get("label") or name), key=name, options=options)
        )
    return tuple(found)


def text_of(body: str) -> str:
    """Intercom bodies are HTML: paragraphs become lines, tags go, entities are decoded."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", body))).strip()


def html_body(text: str) -> str:
    """What the bridge posts: each line a paragraph, every character of it escaped (ticket
    text is hostile), so Intercom shows the text as written."""
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())


def marked_part(conversation: Mapping[str, Any], key: str) -> str | None:
    """The id of the conversation's (or ticket's) part that carries the bridge's marker."""
    parts = _list(conversation.get("conversation_parts"), "conversation_parts") or _list(
        conversation.get("ticket_parts"), "ticket_parts"
    )
    for part in reversed(parts):
        if has_marker(text_of(str(part.get("body") or "")), key):
            return str(part["id"])
    return None


def part_with_marker(conversation: Mapping[str, Any], key: str) -> str:
    """A reply answers with the conversation: the bridge's part is the one carrying the marker
    (the newest part, failing that)."""
    marked = marked_part(conversation, key)
    if marked is not None:
        return marked
    parts = _list(conversation.get("conversation_parts"), "conversation_parts")
    return str(parts[-1]["id"]) if parts else str(conversation.get("id") or "")


def from_unix(value: object) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object, key: str) -> list[Mapping[str, Any]]:
    """Intercom wraps lists: ``{"type": "tag.list", "tags": [...]}``, ``{"data": [...]}``."""
    inner = value.get(key) if isinstance(value, Mapping) else value
    if not isinstance(inner, list):
        return []
    return [item for item in inner if isinstance(item, Mapping)]


def _names(items: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    return frozenset(str(item["name"]) for item in items if item.get("name"))
