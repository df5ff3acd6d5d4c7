"""Salesforce REST shapes -> the shared model. Pure: no I/O, no clock.

A Case (``GET /sobjects/Case/{id}``) with what SOQL reads beside it: its CaseComments (internal
notes and published comments), EmailMessages (the customer's e-mails and agents' answers),
Topics (the tags), CaseMilestones (the entitlement's SLA times) and its Status history, plus its
Contact and Account. Sources: ``sandbox/salesforce/FACTS.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors._desk.common import author_role, csat_label, parse_time
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

USER_PREFIX = "005"  # an OwnerId that is a user; "00G" is a queue (FACTS.md S-owner)
QUEUE_PREFIX = "00G"
# Users of these types are people inside the company; every other type (portal, community,
# guest users) is a customer (FACTS.md S-usertype).
INTERNAL_USERS = frozenset({"Standard"})
ACCOUNT_SIGNALS = ("Type", "Rating", "Industry", "AnnualRevenue", "NumberOfEmployees")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_A_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class CaseRecords:
    """Everything read about one Case: the record and the rows around it."""

    case: Mapping[str, Any]
    comments: tuple[Mapping[str, Any], ...] = ()
    emails: tuple[Mapping[str, Any], ...] = ()
    topics: tuple[Mapping[str, Any], ...] = ()
    milestones: tuple[Mapping[str, Any], ...] = ()
    history: tuple[Mapping[str, Any], ...] = ()
    contact: Mapping[str, Any] | None = None
    account: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class OrgTerms:
    """What the org's picklist values mean, and where it keeps VIP and CSAT signals."""

    statuses: Mapping[str, Status]
    priorities: Mapping[str, Priority]
    vip_field: str = "Rating"
    csat_field: str | None = None
    fields: tuple[FieldDef, ...] = field(default=())


def case_to_ticket(
    records: CaseRecords, terms: OrgTerms, *, bridge_user_id: str | None = None, web_url: str = ""
) -> Ticket:
    case = records.case
    case_id = str(case["Id"])
    created = parse_time(case.get("CreatedDate")) or _EPOCH
    status = case_status(case, terms.statuses)
    comments: list[Comment] = []
    description = str(case.get("Description") or "")
    if description.strip() and not records.emails:
        # Web-to-Case and portal cases open with the customer's description; an Email-to-Case
        # case has the same words as its first EmailMessage.
        comments.append(
            Comment(f"{case_id}:description", AuthorRole.CUSTOMER, True, created, description)
        )
    comments += [_comment(row, bridge_user_id) for row in records.comments]
    comments += [_email(row, bridge_user_id) for row in records.emails]
    owner = str(case.get("OwnerId") or "")
    custom = {k: v for k, v in case.items() if k.endswith("__c") and v is not None}
    custom["IsEscalated"] = bool(case.get("IsEscalated"))
    names, labels = index_fields(custom, terms.fields)
    return Ticket(
        source=Source.SALESFORCE,
        id=case_id,
        url=f"{web_url.rstrip('/')}/lightning/r/Case/{case_id}/view" if web_url else "",
        subject=str(case.get("Subject") or ""),
        status=status,
        priority=terms.priorities.get(str(case.get("Priority") or "")),
        created_at=created,
        updated_at=parse_time(case.get("LastModifiedDate")) or created,
        requester=contact_party(records.contact, case),
        organization=account_party(records.account, terms.vip_field),
        assignee_id=owner if owner.startswith(USER_PREFIX) else None,
        group_id=owner if owner.startswith(QUEUE_PREFIX) else None,
        tags=frozenset(str(t) for t in (_topic(row) for row in records.topics) if t),
        custom_fields=custom,
        # Rows come in the order they were made: a stable sort keeps it within one second.
        comments=tuple(sorted(comments, key=lambda c: c.created_at)),
        satisfaction=satisfaction(case.get(terms.csat_field) if terms.csat_field else None),
        desk_sla=milestone_times(records.milestones),
        description=description,
        status_history=status_history(records.history, status, created, terms.statuses),
        field_names=names,
        field_labels=labels,
    )


def case_status(case: Mapping[str, Any], statuses: Mapping[str, Status]) -> Status:
    """The org's Status value by its configured meaning; an unknown value is solved when the
    Case says ``IsClosed``, open otherwise."""
    known = statuses.get(str(case.get("Status") or ""))
    if known is not None:
        return known
    return Status.SOLVED if case.get("IsClosed") else Status.OPEN


def _comment(row: Mapping[str, Any], bridge_user_id: str | None) -> Comment:
    body = str(row.get("CommentBody") or "")
    author = str(row.get("CreatedById") or "")
    user_type = _mapping(row.get("CreatedBy")).get("UserType")
    customer = user_type is not None and str(user_type) not in INTERNAL_USERS
    return Comment(
        id=str(row["Id"]),
        author_role=_role(body, author, bridge_user_id, customer),
        public=bool(row.get("IsPublished")),
        created_at=parse_time(row.get("CreatedDate")) or _EPOCH,
        body=body,
        author_id=author,
    )


def _email(row: Mapping[str, Any], bridge_user_id: str | None) -> Comment:
    body = str(row.get("TextBody") or "")
    author = str(row.get("CreatedById") or "")
    at = parse_time(row.get("MessageDate")) or parse_time(row.get("CreatedDate")) or _EPOCH
    incoming = bool(row.get("Incoming"))
    return Comment(
        id=str(row["Id"]),
        author_role=_role(body, author, bridge_user_id, incoming),
        public=True,
        created_at=at,
        body=body,
        author_id=str(row.get("FromAddress") or "") if incoming else author,
    )


def _role(body: str, author: str, bridge_user_id: str | None, customer: bool) -> AuthorRole:
    # Ids compare on their 15 case-sensitive characters (the 18-character form adds a checksum).
    bridge = bridge_user_id[:15] if bridge_user_id and not customer else None
    return author_role(body=body, author_id=author[:15], bridge_user_id=bridge, customer=customer)


def _topic(row: Mapping[str, Any]) -> str | None:
    name = _mapping(row.get("Topic")).get("Name")
    return str(name) if name else None


def contact_party(contact: Mapping[str, Any] | None, case: Mapping[str, Any]) -> Party | None:
    if contact:
        return Party(
            id=str(contact.get("Id") or ""),
            name=str(contact.get("Name") or ""),
            email=str(contact.get("Email") or ""),
            fields={k: v for k, v in contact.items() if k.endswith("__c") and v is not None},
        )
    contact_id = case.get("ContactId")
    if contact_id:
        return Party(id=str(contact_id), email=str(case.get("SuppliedEmail") or ""))
    email = case.get("SuppliedEmail")  # Web-to-Case and Email-to-Case without a contact
    return (
        Party(id=str(email), email=str(email), name=str(case.get("SuppliedName") or ""))
        if email
        else None
    )


def account_party(account: Mapping[str, Any] | None, vip_field: str) -> Party | None:
    """The Account with its signals as fields; the ``vip_field``'s value, lower-cased, is also
    its ``account_tier`` (what the shipped policy's VIP rule reads)."""
    if not account:
        return None
    fields: dict[str, Any] = {
        k: v
        for k, v in account.items()
        if (k.endswith("__c") or k in ACCOUNT_SIGNALS) and v is not None
    }
    tier = account.get(vip_field)
    if tier not in (None, ""):
        fields["account_tier"] = str(tier).strip().lower()
    return Party(
        id=str(account.get("Id") or ""), name=str(account.get("Name") or ""), fields=fields
    )


def satisfaction(raw: object) -> Satisfaction | None:
    """The rating a survey tool wrote to the configured Case field (a number, 1-5)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 1 <= raw <= 5:
        return None
    score = round(raw)
    return Satisfaction(score=score, label=csat_label(score))


def milestone_times(rows: Iterable[Mapping[str, Any]]) -> dict[str, datetime]:
    """Open milestones' target times by their type's name: "First Response" -> first_response
    (the name the policy's SLA rules use)."""
    found: dict[str, datetime] = {}
    for row in rows:
        name = _mapping(row.get("MilestoneType")).get("Name")
        target = parse_time(row.get("TargetDate"))
        if row.get("IsCompleted") or not name or target is None:
            continue
        key = _NOT_A_WORD.sub("_", str(name).lower()).strip("_")
        found[key] = min(target, found.get(key, target))
    return found


def status_history(
    rows: Iterable[Mapping[str, Any]],
    status: Status,
    created: datetime,
    statuses: Mapping[str, Status],
) -> tuple[StatusChange, ...]:
    """Status changes from the Case's field history (``CaseHistory``, Field = Status); trusted
    only if they end in ``status``. An org that does not track Status history gives none."""
    changes = [StatusChange(created, Status.OPEN)]
    for row in sorted(rows, key=lambda r: str(r.get("CreatedDate") or "")):
        at = parse_time(row.get("CreatedDate"))
        new = statuses.get(str(row.get("NewValue") or ""))
        if row.get("Field") != "Status" or at is None or new is None:
            continue
        if changes[-1].status is not new:
            changes.append(StatusChange(at, new))
    if changes[-1].status is not status:
        return ()
    return tuple(changes)


def describe_to_fields(describe: Mapping[str, Any]) -> tuple[FieldDef, ...]:
    """Custom fields from ``GET /sobjects/Case/describe``: the API name (``…__c``) is the id and
    key, the label what people call it; a picklist's values are its options."""
    found: list[FieldDef] = []
    for row in describe.get("fields") or ():
        if not isinstance(row, Mapping) or not row.get("custom") or not row.get("name"):
            continue
        options = {
            str(p["value"]): str(p.get("label") or p["value"])
            for p in row.get("picklistValues") or ()
            if isinstance(p, Mapping) and p.get("value") is not None
        }
        name = str(row["name"])
        found.append(
            FieldDef(id=name, title=str(row.get("label") or name), key=name, options=options)
        )
    return tuple(found)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def case_bundle_to_ticket(data: Mapping[str, Any], terms: OrgTerms) -> Ticket:
    """``bridge policy test --source salesforce``: a Case as ``GET /sobjects/Case/{id}``
    answers it, with what the connector reads beside it under ``comments``, ``emails``,
    ``topics``, ``milestones``, ``history`` (query records) and ``contact``/``account``."""

    def rows(key: str) -> tuple[Mapping[str, Any], ...]:
        found = data.get(key)
        if isinstance(found, Mapping):  # a whole query answer: its records
            found = found.get("records")
        return tuple(r for r in found or () if isinstance(r, Mapping))

    keys = ("comments", "emails", "topics", "milestones", "history", "contact", "account")
    case = {k: v for k, v in data.items() if k not in keys}
    records = CaseRecords(
        case=case,
        comments=rows("comments"),
        emails=rows("emails"),
        topics=rows("topics"),
        milestones=rows("milestones"),
        history=rows("history"),
        contact=_mapping(data.get("contact")) or None,
        account=_mapping(data.get("account")) or None,
    )
    return case_to_ticket(records, terms)
