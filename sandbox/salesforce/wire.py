"""The Salesforce stand-in's wire shapes: record ids, times, errors, the objects and fields it
knows, and the Outbound Message envelope. Sources: FACTS.md in this folder."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

Json = dict[str, Any]
API_VERSION = "62.0"
ORG_ID = "00D5e000000KQ2eEAG"
# Fields every record has, and each object's own (the ones the stand-in keeps).
AUDIT = (
    "Id",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
)
OBJECTS: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (key prefix, fields besides AUDIT)
    "Case": (
        "500",
        (
            "CaseNumber",
            "Subject",
            "Description",
            "Status",
            "IsClosed",
            "Priority",
            "Origin",
            "OwnerId",
            "ContactId",
            "AccountId",
            "IsEscalated",
            "ClosedDate",
            "SuppliedEmail",
            "SuppliedName",
            "Refund_amount__c",
            "Category__c",
            "Engineering_issue__c",
            "Impact__c",
            "CSAT__c",
        ),
    ),
    "CaseComment": ("00a", ("ParentId", "CommentBody", "IsPublished", "IsDeleted")),
    "EmailMessage": (
        "02s",
        (
            "ParentId",
            "Incoming",
            "TextBody",
            "Subject",
            "FromAddress",
            "ToAddress",
            "MessageDate",
        ),
    ),
    "Topic": ("0TO", ("Name",)),
    "TopicAssignment": ("0FT", ("TopicId", "EntityId")),
    "CaseMilestone": (
        "11h",
        ("CaseId", "MilestoneTypeId", "TargetDate", "IsCompleted", "StartDate"),
    ),
    "MilestoneType": ("557", ("Name",)),
    "CaseHistory": ("017", ("CaseId", "Field", "OldValue", "NewValue")),
    "User": ("005", ("Name", "Email", "Username", "UserType", "IsActive")),
    "Group": ("00G", ("Name", "DeveloperName", "Type")),
    "Contact": ("003", ("Name", "FirstName", "LastName", "Email", "AccountId")),
    "Account": ("001", ("Name", "Type", "Rating", "Industry", "Tier__c")),
}
# Case custom fields: API name -> (label, type, picklist values).
CUSTOM_FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Refund_amount__c": ("Refund amount", "currency", ()),
    "Category__c": ("Category", "picklist", ("Warranty", "Billing", "Integration")),
    "Engineering_issue__c": ("Engineering issue", "string", ()),
    "Impact__c": (
        "Impact",
        "picklist",
        ("system_down", "data_loss", "security", "major_feature_broken"),
    ),
    "CSAT__c": ("CSAT", "double", ()),
}
# The org's picklists: the standard values plus what the stand-in's team added.
STATUSES = {
    "New": False,
    "Working": False,
    "Escalated": False,
    "Waiting on Customer": False,
    "On Hold": False,
    "Closed": True,
}
PRIORITIES = ("Critical", "High", "Medium", "Low")
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def with_checksum(id15: str) -> str:
    """The 18-character form: each 5-character chunk's capitals as a bit mask, one letter each."""
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, c in enumerate(id15[start : start + 5]) if c.isupper())
        suffix += _CHECKSUM[bits]
    return id15 + suffix


def id_maker(prefix: str) -> Iterator[str]:
    for n in itertools.count(1):
        yield with_checksum(f"{prefix}5e00000{n:05d}")


def stamp(moment: datetime) -> str:
    """How the REST API writes a dateTime: ``2026-03-02T09:00:00.000+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def errors(code: str, message: str, fields: tuple[str, ...] = ()) -> list[Json]:
    """Salesforce's error body: a list of {errorCode, message[, fields]}."""
    entry: Json = {"errorCode": code, "message": message}
    if fields:
        entry["fields"] = list(fields)
    return [entry]


def outbound_message(notifications: list[tuple[str, Json]], action_id: str, base_url: str) -> bytes:
    """A workflow Outbound Message about Cases, as Salesforce posts it (SOAP 1.1)."""
    items = "".join(
        f"<Notification><Id>{escape(notification_id)}</Id>"
        '<sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">'
        + "".join(f"<sf:{k}>{escape(str(v))}</sf:{k}>" for k, v in fields.items() if v is not None)
        + "</sObject></Notification>"
        for notification_id, fields in notifications
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<soapenv:Body>"
        '<notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
        f"<OrganizationId>{ORG_ID}</OrganizationId><ActionId>{action_id}</ActionId>"
        '<SessionId xsi:nil="true"/>'
        f"<EnterpriseUrl>{base_url}/services/Soap/c/{API_VERSION}/{ORG_ID[:15]}</EnterpriseUrl>"
        f"<PartnerUrl>{base_url}/services/Soap/u/{API_VERSION}/{ORG_ID[:15]}</PartnerUrl>"
        f"{items}</notifications></soapenv:Body></soapenv:Envelope>"
    ).encode()
