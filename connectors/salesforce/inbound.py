"""What Salesforce posts to the bridge: Outbound Messages (a workflow rule's or flow's action),
SOAP 1.1 envelopes of ``notifications`` carrying up to 100 records. Pure.

Outbound Messages are not signed (FACTS.md S-outbound). The trust model: the envelope names the
sending org (``OrganizationId``), which must be ``SALESFORCE_ORG_ID``; the endpoint is HTTPS;
and a message is only a hint: the bridge re-reads the Case through the API and believes none of
the message's field values, so a forged message can at most make it re-read a real Case.
Salesforce retries until it gets the documented ``notificationsResponse`` with ``Ack`` true, and
a retry carries the same notification ids, which make it a duplicate.

The XML is read with no document type: SOAP forbids one, and refusing it rules out entity
expansion and external entities before the parser sees the body.
"""

from __future__ import annotations

import hmac
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from connectors.base import (
    Ignored,
    Receipt,
    SignatureError,
    TicketChanged,
    WebhookParseError,
    body_digest,
    record_id,
)

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
OUTBOUND = "http://soap.sforce.com/2005/09/outbound"
SOBJECT = "urn:sobject.enterprise.soap.sforce.com"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# The answer Salesforce waits for; anything else and it sends the message again.
ACK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<soapenv:Envelope xmlns:soapenv="{SOAP}">'
    "<soapenv:Body>"
    f'<notificationsResponse xmlns="{OUTBOUND}"><Ack>true</Ack></notificationsResponse>'
    "</soapenv:Body></soapenv:Envelope>"
)
CONTENT_TYPE = "text/xml"
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Notification:
    """One record of a message: the notification's id, the sObject's type and fields."""

    id: str
    object_type: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class Message:
    organization_id: str
    action_id: str
    notifications: tuple[Notification, ...]


def read_message(body: bytes) -> Message:
    """The ``notifications`` element of a SOAP envelope; ``WebhookParseError`` otherwise."""
    if _DECLARATION.search(body):
        raise WebhookParseError("a document type or entity declaration is not allowed")
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError) as exc:
        raise WebhookParseError(f"body is not XML: {exc}") from None
    if root.tag != f"{{{SOAP}}}Envelope":
        raise WebhookParseError("not a SOAP 1.1 envelope")
    found = root.find(f"{{{SOAP}}}Body/{{{OUTBOUND}}}notifications")
    if found is None:
        raise WebhookParseError("no outbound notifications in the SOAP body")
    notifications = tuple(_notification(n) for n in found.findall(f"{{{OUTBOUND}}}Notification"))
    if not notifications:
        raise WebhookParseError("no Notification in the message")
    return Message(
        organization_id=_text(found, "OrganizationId"),
        action_id=_text(found, "ActionId"),
        notifications=notifications,
    )


def _notification(element: ET.Element) -> Notification:
    sobject = element.find(f"{{{OUTBOUND}}}sObject")
    if sobject is None:
        raise WebhookParseError("a Notification without its sObject")
    object_type = (sobject.get(f"{{{XSI}}}type") or "").rpartition(":")[2]
    fields = {
        child.tag.rpartition("}")[2]: (child.text or "").strip()
        for child in sobject
        if child.tag.startswith(f"{{{SOBJECT}}}")
    }
    return Notification(_text(element, "Id"), object_type, fields)


def _text(element: ET.Element, name: str) -> str:
    child = element.find(f"{{{OUTBOUND}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def same_id(a: str, b: str) -> bool:
    """Ids compare on their case-sensitive 15 characters (the 18-character form adds a
    checksum); in constant time, as the org id is what the sender is trusted on."""
    return bool(a) and hmac.compare_digest(a[:15].encode(), b[:15].encode())


class SalesforceInbound:
    content_type = CONTENT_TYPE

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        """The message must name the org the bridge works for (``secret`` is its id). A body
        that is not a message at all is left for ``receipt`` to refuse as a bad request."""
        try:
            message = read_message(body)
        except WebhookParseError:
            return
        if not message.organization_id:
            raise SignatureError("no OrganizationId in the message")
        if not same_id(message.organization_id, secret):
            raise SignatureError("the message is from another Salesforce org")

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        message = read_message(body)
        event = self.parse(body)
        ticket_id = event.ticket_id if isinstance(event, TicketChanged) else None
        kind = event.kind if isinstance(event, TicketChanged) else "salesforce.ignored"
        ids = sorted(n.id for n in message.notifications)
        key = f"salesforce:{','.join(ids)}" if all(ids) else body_digest(body)
        return Receipt(kind, ticket_id, key)

    def parse(self, body: bytes) -> TicketChanged | Ignored:
        """A hint that the message's first Case changed (Salesforce sends up to 100 records in
        one message; the sync reads the others within its interval)."""
        message = read_message(body)
        for notification in message.notifications:
            if notification.object_type not in ("", "Case"):
                continue
            case_id = record_id(notification.fields.get("Id"))
            if case_id is None:
                raise WebhookParseError("a Case notification without a valid Id")
            return TicketChanged(case_id, "salesforce.case")
        return Ignored("the message is not about a Case")


def changed_by(body: bytes, user_id: str) -> bool:
    """The loop guard: every record of the message was last changed by ``user_id`` (the
    bridge's own user), as its ``LastModifiedById`` says. Anything unreadable is not ours."""
    try:
        message = read_message(body)
    except WebhookParseError:
        return False
    return all(
        same_id(n.fields.get("LastModifiedById", ""), user_id) for n in message.notifications
    )
