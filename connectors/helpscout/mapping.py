"""Help Scout Mailbox API 2.0 shapes -> the shared model. Pure: no I/O, no clock.

A conversation (``GET /v2/conversations/{id}?embed=threads``, or a webhook's body) carries its
status, mailbox, assignee, primary customer, tags, custom fields and, embedded, its threads
(customer messages, replies, notes, line items). Sources: ``sandbox/helpscout/FACTS.md``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from connectors._desk.common import author_role, csat_label, has_marker, parse_time, str_id
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

# ``status``: active, pending (waiting on someone else: the clock pauses), closed, spam.
STATUSES: dict[str, Status] = {
    "active": Status.OPEN,
    "open": Status.OPEN,
    "pending": Status.PENDING,
    "closed": Status.SOLVED,
    "spam": Status.CLOSED,
}
# Help Scout has no priority: the bridge reads (and writes) it as one tag of these.
PRIORITY_TAG = "priority-"
PRIORITY_TAGS: dict[str, Priority] = {f"{PRIORITY_TAG}{p.value}": p for p in Priority}
# Thread types that are messages; line items (status changes, moves), forwards and drafts are not.
PUBLIC_THREADS = frozenset({"customer", "reply", "message", "chat", "phone"})
NOTE_THREADS = frozenset({"note"})
# A rating (H-ratings): Great, Okay or Bad ("Not Good" in reports), on a 1-5 scale.
RATINGS = {"great": 5, "okay": 3, "bad": 1, "not good": 1, "not-good": 1}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"</p>|</div>|<br\s*/?>", re.IGNORECASE)


def conversation_to_ticket(
    data: Mapping[str, Any],
    *,
    bridge_user_id: str | None = None,
    customer: Mapping[str, Any] | None = None,
    fields: Iterable[FieldDef] = (),
    web_url: str = "",
) -> Ticket:
    """A conversation, with the full ``customer`` record where read, and the mailboxes' custom
    field definitions (``GET /v2/mailboxes/{id}/fields``) to name their values."""
    ticket_id = str(data["id"])
    threads = sorted(threads_of(data), key=_made)
    comments = [c for c in (_comment(t, bridge_user_id) for t in threads) if c is not None]
    status = status_of(data)
    custom_fields = custom_field_values(data.get("customFields"))
    names, labels = index_fields(custom_fields, fields)
    tags = frozenset(tag_names(data.get("tags")))
    assignee = _mapping(data.get("assignee"))
    created = parse_time(data.get("createdAt"))
    return Ticket(
        source=Source.HELPSCOUT,
        id=ticket_id,
        url=conversation_url(web_url, data),
        # The subject is plain text (an e-mail's subject), not HTML: kept as written.
        subject=str(data.get("subject") or "").strip().split("\n", 1)[0],
        status=status,
        priority=priority_of(tags),
        created_at=created or _EPOCH,
        updated_at=parse_time(data.get("userUpdatedAt"))
        or parse_time(data.get("modifiedAt"))
        or created
        or _EPOCH,
        requester=requester_party(customer, data.get("primaryCustomer")),
        organization=organization_party(customer),
        assignee_id=str_id(assignee.get("id")) if assignee.get("type", "user") == "user" else None,
        group_id=str_id(data.get("mailboxId")),
        tags=tags,
        custom_fields=custom_fields,
        comments=tuple(comments),
        satisfaction=satisfaction(threads),
        description=next((c.body for c in comments if c.public), ""),
        status_history=status_history(threads, status, created),
        field_names=names,
        field_labels=labels,
    )


def status_of(data: Mapping[str, Any]) -> Status:
    status = STATUSES.get(str(data.get("status") or "active"), Status.OPEN)
    # A snoozed conversation stays active but waits, like pending (H-conversation ``snooze``).
    if status is Status.OPEN and isinstance(data.get("snooze"), Mapping):
        return Status.PENDING
    return status


def priority_of(tags: Iterable[str]) -> Priority:
    """The highest ``priority-<level>`` tag; Normal without one."""
    found = [PRIORITY_TAGS[t] for t in tags if t in PRIORITY_TAGS]
    order = list(Priority)
    return min(found, key=order.index) if found else Priority.NORMAL


def conversation_url(web_url: str, data: Mapping[str, Any]) -> str:
    if not web_url:
        return ""
    return f"{web_url.rstrip('/')}/conversation/{data['id']}/{data.get('number') or ''}"


def threads_of(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    threads = _mapping(data.get("_embedded")).get("threads")
    return [t for t in threads if isinstance(t, Mapping)] if isinstance(threads, list) else []


def _comment(thread: Mapping[str, Any], bridge_user_id: str | None) -> Comment | None:
    kind = str(thread.get("type") or "")
    body = text_of(str(thread.get("body") or ""))
    if kind not in PUBLIC_THREADS | NOTE_THREADS or not body or thread.get("state") == "draft":
        return None
    author = _mapping(thread.get("createdBy"))
    customer = author.get("type") == "customer"
    author_id = str(author.get("id") or "")
    return Comment(
        id=str(thread["id"]),
        author_role=author_role(
            body=body,
            author_id=author_id,
            bridge_user_id=None if customer else bridge_user_id,
            customer=customer,
        ),
        public=kind in PUBLIC_THREADS,
        created_at=parse_time(thread.get("createdAt")) or _EPOCH,
        body=body,
        author_id=author_id,
    )


def status_history(
    threads: Iterable[Mapping[str, Any]], status: Status, created: datetime | None
) -> tuple[StatusChange, ...]:
    """Each thread records the conversation's status it left (``status``); trusted only if the
    changes end in ``status``."""
    changes = [StatusChange(created, Status.OPEN)] if created is not None else []
    for thread in threads:
        at = parse_time(thread.get("createdAt"))
        new = STATUSES.get(str(thread.get("status") or ""))
        if at is not None and new is not None and (not changes or changes[-1].status is not new):
            changes.append(StatusChange(at, new))
    if not changes or changes[-1].status is not status:
        return ()
    return tuple(changes)


def tag_names(raw: object) -> list[str]:
    """``tags``: ``[{"id", "color", "tag"}]`` (H-tags)."""
    items = raw if isinstance(raw, list) else []
    return [str(t["tag"]) for t in items if isinstance(t, Mapping) and t.get("tag")]


def custom_field_values(raw: object) -> dict[str, Any]:
    """``customFields``: ``[{"id", "name", "value", "text"}]``, by field id (a drop-down's
    ``value`` is its option's id; the definitions name it)."""
    values: dict[str, Any] = {}
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, Mapping) and item.get("id") is not None:
            value = item.get("value")
            if value not in (None, ""):
                values[str(item["id"])] = value
    return values


def fields_to_defs(rows: Iterable[Mapping[str, Any]]) -> tuple[FieldDef, ...]:
    """A mailbox's custom fields (``GET /v2/mailboxes/{id}/fields``): ``name`` is what people
    see; a drop-down's ``options`` are ``{id, label}``."""
    found: dict[str, FieldDef] = {}
    for row in rows:
        if row.get("id") is None or not row.get("name"):
            continue
        options = {
            str(o["id"]): str(o.get("label") or "")
            for o in row.get("options") or ()
            if isinstance(o, Mapping) and o.get("id") is not None
        }
        field_id, name = str(row["id"]), str(row["name"])
        found[field_id] = FieldDef(id=field_id, title=name, key=name, options=options)
    return tuple(found.values())


def requester_party(customer: Mapping[str, Any] | None, primary: object) -> Party | None:
    """The full customer (``GET /v2/customers/{id}``), else the conversation's
    ``primaryCustomer``. Customer properties are the customer's fields (VIP signals)."""
    if customer:
        emails = _mapping(customer.get("_embedded")).get("emails") or []
        email = next((str(e.get("value")) for e in emails if isinstance(e, Mapping)), "")
        return Party(
            id=str(customer.get("id") or ""),
            name=_full_name(customer, "firstName", "lastName"),
            email=email,
            fields=customer_properties(customer),
        )
    first = _mapping(primary)
    if not first.get("id"):
        return None
    return Party(
        id=str(first["id"]),
        name=_full_name(first, "first", "last"),
        email=str(first.get("email") or ""),
    )


def organization_party(customer: Mapping[str, Any] | None) -> Party | None:
    """The customer's company: ``organization`` (its name), ``organizationId`` where the
    account uses Organizations."""
    name = str((customer or {}).get("organization") or "").strip()
    org_id = str_id((customer or {}).get("organizationId"))
    if not name and org_id is None:
        return None
    return Party(id=org_id or name, name=name)


def customer_properties(customer: Mapping[str, Any]) -> dict[str, Any]:
    """``properties``: ``[{"slug", "name", "value"}]``, by slug (a policy names a property
    such as ``plan`` or ``vip``). Where a customer lists them is not documented (FACTS.md
    H-customer): at the top or embedded, both are read."""
    found: dict[str, Any] = {}
    listed = customer.get("properties") or _mapping(customer.get("_embedded")).get("properties")
    for prop in listed if isinstance(listed, list) else ():
        if isinstance(prop, Mapping) and prop.get("slug") and prop.get("value") is not None:
            found[str(prop["slug"])] = prop["value"]
    return found


def satisfaction(threads: Iterable[Mapping[str, Any]]) -> Satisfaction | None:
    """The newest thread rating (H-ratings)."""
    for thread in reversed(list(threads)):
        rating = _mapping(thread.get("rating"))
        score = RATINGS.get(str(rating.get("rating") or "").casefold())
        if score is not None:
            return Satisfaction(
                score=score,
                label=csat_label(score),
                comment=str(rating.get("comments") or ""),
                rated_at=parse_time(rating.get("createdAt")),
            )
    return None


def text_of(body: str) -> str:
    """Thread bodies are HTML: paragraphs and breaks become lines, tags go, entities decode."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", body))).strip()


def html_body(text: str) -> str:
    """What the bridge posts: every character escaped (ticket text is hostile), lines kept."""
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def marked_thread(data: Mapping[str, Any], key: str) -> str | None:
    """The id of the conversation's thread that carries the bridge's marker for ``key``."""
    for thread in threads_of(data):
        if has_marker(text_of(str(thread.get("body") or "")), key):
            return str(thread["id"])
    return None


def made_by(data: Mapping[str, Any], user_id: str) -> bool:
    """The newest thread was written by ``user_id`` (the loop guard: the bridge's own user)."""
    threads = threads_of(data)
    if not threads:
        return False
    newest = max(threads, key=_made)
    author = _mapping(newest.get("createdBy"))
    return author.get("type") == "user" and str(author.get("id")) == user_id


def _made(thread: Mapping[str, Any]) -> tuple[datetime, int]:
    """Threads come newest first, to the second: time, then id (ids grow), orders them."""
    raw = thread.get("id")
    number = raw if isinstance(raw, int) and not isinstance(raw, bool) else 0
    return parse_time(thread.get("createdAt")) or _EPOCH, number


def _full_name(person: Mapping[str, Any], first: str, last: str) -> str:
    return " ".join(str(person.get(k) or "").strip() for k in (first, last)).strip()


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
