"""Opsgenie Alert API v2 request bodies: pure.

Create Alert, Acknowledge, Close and Add Note (https://docs.opsgenie.com/docs/alert-api). The
limits below are the documented ones; a longer value is cut here rather than rejected there,
so a page never fails because a ticket's subject is long. The facts and their sources are in
``sandbox/opsgenie/FACTS.md``.
"""

from __future__ import annotations

import json
from typing import Any

from connectors.actions import PageTrigger
from policies.model import Severity

MESSAGE_MAX = 130
ALIAS_MAX = 512
DESCRIPTION_MAX = 15000
ENTITY_MAX = 512
SOURCE_MAX = 100
USER_MAX = 100
NOTE_MAX = 25000
TAGS_MAX = 20
TAG_MAX = 50
DETAILS_TOTAL_MAX = 8000  # characters over all keys and values
DETAIL_VALUE_MAX = 500

BRIDGE_USER = "Escalation bridge"  # the `user` of every request: how the webhook names us
BRIDGE_SOURCE = "escalation-bridge"  # the `source` of every request

PRIORITY = {
    Severity.CRITICAL: "P1",
    Severity.HIGH: "P2",
    Severity.MEDIUM: "P3",
    Severity.LOW: "P4",
}


def build_create(page: PageTrigger, *, ticket_page: str | None = None) -> dict[str, Any]:
    """The Create Alert body for a page. ``alias`` is the ticket's incident key, so a second
    page for the same ticket adds to the open alert instead of opening another."""
    ticket = page.ticket
    who = " / ".join(part for part in (ticket.customer_name, ticket.customer_org) if part)
    message = (
        f"[{page.severity.value}] {page.tier} escalation: {ticket.source} #{ticket.ticket_id} "
        f"{ticket.subject}"
    )
    lines = [
        f"Reason: {page.reason}",
        f"Ticket: {ticket.source} #{ticket.ticket_id} {ticket.subject}",
        f"Customer: {who or 'unknown'}",
        f"Status: {ticket.status or 'unknown'}; priority: {ticket.priority or 'none'}",
        f"Rule: {page.rule}; route: {page.route}",
    ]
    if ticket.url:
        lines.append(f"Help desk: {ticket.url}")
    if ticket_page:
        lines.append(f"Bridge: {ticket_page}")
    details = {
        "ticket": f"{ticket.source}:{ticket.ticket_id}",
        "ticket_url": ticket.url,
        "tier": str(page.tier),
        "severity": page.severity.value,
        "rule": page.rule,
        "route": page.route,
        **{f"input.{key}": _text(value) for key, value in page.inputs.items()},
    }
    tags = [BRIDGE_SOURCE, ticket.source, str(page.tier), page.severity.value.lower()]
    return {
        "message": cut(plain(message), MESSAGE_MAX),
        "alias": page.dedup_key[:ALIAS_MAX],
        "description": cut(plain("\n".join(lines)), DESCRIPTION_MAX),
        "details": capped_details(details),
        "entity": cut(plain(f"{ticket.source} #{ticket.ticket_id}"), ENTITY_MAX),
        "tags": [cut(tag, TAG_MAX) for tag in tags][:TAGS_MAX],
        "source": BRIDGE_SOURCE,
        "priority": PRIORITY[page.severity],
        "user": BRIDGE_USER,
    }


def build_action(note: str | None = None) -> dict[str, Any]:
    """The body of Acknowledge, Close and Add Note: who asks, and an optional note."""
    body: dict[str, Any] = {"user": BRIDGE_USER, "source": BRIDGE_SOURCE}
    if note:
        body["note"] = cut(plain(note), NOTE_MAX)
    return body


def plain(text: str) -> str:
    """Ticket text is hostile and Opsgenie renders HTML in alert messages: angle brackets are
    swapped for look-alikes, which keeps the text readable and its length unchanged."""
    return text.replace("<", "\u2039").replace(">", "\u203a")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def capped_details(details: dict[str, Any]) -> dict[str, str]:
    """String values only, each cut, empty ones left out, and the whole map within the
    documented total; what does not fit is dropped from the end (inputs go first)."""
    out: dict[str, str] = {}
    total = 0
    for key, value in details.items():
        text = cut(plain(_text(value)), DETAIL_VALUE_MAX)
        name = cut(plain(key), TAG_MAX)
        if not text:
            continue
        if total + len(name) + len(text) > DETAILS_TOTAL_MAX:
            break
        out[name] = text
        total += len(name) + len(text)
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)
