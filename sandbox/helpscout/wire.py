"""Help Scout Mailbox API 2.0 wire format: times, HAL lists and pages, error bodies, tokens,
webhook signatures. Sources for every shape and number are in FACTS.md beside this module."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

# The account's per-minute limit; writes count as two requests (H-ratelimit).
RATE_PER_MINUTE = 400  # the stand-in account's plan
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# List pages hold 25 (H-list); tokens last two days (H-token).
PAGE_SIZE = 25
TOKEN_SECONDS = 172_800
STATUSES = ("active", "pending", "closed", "spam")
LIST_STATUSES = ("active", "all", "closed", "open", "pending", "spam")
SORT_FIELDS = (
    "createdAt",
    "customerEmail",
    "customerName",
    "mailboxid",
    "modifiedAt",
    "number",
    "score",
    "status",
    "subject",
    "waitingSince",
)
# ``PATCH /v2/conversations/{id}``: the operations each path takes (H-update).
PATCH_OPS: dict[str, tuple[str, ...]] = {
    "/subject": ("replace",),
    "/primaryCustomer.id": ("replace",),
    "/draft": ("replace",),
    "/mailboxId": ("move",),
    "/status": ("replace",),
    "/assignTo": ("replace", "remove"),
}
WEBHOOK_EVENTS = frozenset(
    {
        "beacon.chat.created",
        "beacon.chat.customer.replied",
        "convo.agent.reply.created",
        "convo.assigned",
        "convo.created",
        "convo.custom-fields",
        "convo.customer.reply.created",
        "convo.deleted",
        "convo.merged",
        "convo.moved",
        "convo.note.created",
        "convo.status",
        "convo.tags",
        "customer.created",
        "customer.deleted",
        "customer.updated",
        "message.survey.response.received",
        "satisfaction.ratings",
        "tag.created",
        "tag.deleted",
        "tag.updated",
    }
)
SECRET_MAX = 40
SIGNATURE_HEADER = "X-HelpScout-Signature"
EVENT_HEADER = "X-HelpScout-Event"
MODIFIED_SINCE = "%Y-%m-%dT%H:%M:%SZ"


def signature(body: bytes, secret: str) -> str:
    """Base64 of the HMAC-SHA1 of the raw body keyed by the webhook's secret (H-signature)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha1).digest()).decode()


def iso(moment: datetime) -> str:
    """Times are ISO 8601 in UTC with a ``Z``, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_since(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, MODIFIED_SINCE).replace(tzinfo=UTC)
    except ValueError:
        return None


def error(message: str, *errors: tuple[str, str]) -> Json:
    """``application/vnd.error+json``: a message, a log reference, the field errors."""
    body: Json = {"logRef": str(uuid.uuid4()), "message": message}
    if errors:
        body["_embedded"] = {
            "errors": [{"path": path, "message": text, "source": "JSON"} for path, text in errors]
        }
    return body


def hal_page(key: str, rows: list[Json], page: int, base: str, query: str) -> Json:
    """One page of a HAL list with its ``page`` numbers and ``_links``."""
    total_pages = max(1, -(-len(rows) // PAGE_SIZE))
    chunk = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    links: Json = {
        "self": {"href": f"{base}?{query}page={page}"},
        "first": {"href": f"{base}?{query}page=1"},
        "last": {"href": f"{base}?{query}page={total_pages}"},
        "page": {"href": f"{base}?{query}page={{page}}", "templated": True},
    }
    if page < total_pages:
        links["next"] = {"href": f"{base}?{query}page={page + 1}"}
    return {
        "_embedded": {key: chunk},
        "_links": links,
        "page": {
            "size": PAGE_SIZE,
            "totalElements": len(rows),
            "totalPages": total_pages,
            "number": page,
        },
    }
