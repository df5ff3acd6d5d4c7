"""Zendesk Support API wire format: answer and error shapes, cursors, webhook signing.

Sources for every shape and number are listed in FACTS.md beside this module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]

# "per_page ... defaults to and maxes at 1000":
# https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/
EXPORT_PAGE_MAX = 1000
# "Returns a maximum of 100 records per page" (List Groups, List Comments):
# https://developer.zendesk.com/api-reference/ticketing/groups/groups/
PAGE_MAX = 100
# A ticket's assignee is an agent ("assignee_id: The agent currently assigned"); admins are agents:
# https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/
ASSIGNABLE_ROLES = ("agent", "admin")
UNAUTHENTICATED = "Couldn't authenticate you"
# Condition fields a ticket trigger may use: the shared conditions and the ticket-trigger ones of
# the conditions reference (D-conditions), plus custom fields as ``custom_fields_{id}``. A field
# outside the list (for example ``current_user``, which is only a *value* there) is refused.
TRIGGER_CONDITION_FIELDS = frozenset(
    {
        "group_id", "assignee_id", "requester_id", "organization_id", "current_tags",
        "via_id", "custom_status_id", "recipient", "status", "type", "priority",
        "description_includes_word", "locale_id", "satisfaction_score", "brand_id",
        "ticket_form_id", "subject_includes_word", "comment_includes_word", "current_via_id",
        "update_type", "comment_is_public", "ticket_is_public", "reopens", "replies",
        "agent_stations", "group_stations", "in_business_hours", "requester_role", "role",
        "sla_next_breach_at", "assignee_id_was", "group_id_was", "requester_id_was",
        "ticket_type_id", "problem_id", "exact_created_at",
    }
)  # fmt: skip
UPDATE_TYPES = ("Create", "Change")


def iso(moment: datetime) -> str:
    """Zendesk's timestamps: UTC, whole seconds, ``Z`` (every recorded body)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_cursor(value: int) -> str:
    """An opaque base64 cursor, as Zendesk's are (their content is not documented)."""
    return base64.urlsafe_b64encode(f"seq:{value}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        return -1


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Zendesk's webhook signature: base64 HMAC-SHA256 over timestamp + raw body."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_request(payload: Json, secret: str, timestamp: str) -> tuple[bytes, dict[str, str]]:
    """The body (pretty-printed with three spaces, as recorded) and headers of a delivery."""
    body = json.dumps(payload, indent=3).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Zendesk Webhook",
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        "X-Zendesk-Webhook-Signature": sign(secret, timestamp, body),
        "X-Zendesk-Webhook-Id": "01SANDBOXWEBHOOK",
        "X-Zendesk-Webhook-Invocation-Id": secrets.token_hex(13).upper(),
    }
    return body, headers


def error_body(error: str, description: str = "") -> Json:
    """``{"error": ..., "description": ...}``, as in the recorded 404 and 400 bodies."""
    return {"error": error, "description": description} if description else {"error": error}


def record_invalid(details: Mapping[str, list[dict[str, str]]]) -> Json:
    return {"error": "RecordInvalid", "description": "Record validation errors", "details": details}


def invalid_value(what: str) -> list[dict[str, str]]:
    return [{"description": f"{what}: is invalid", "error": "InvalidValue"}]


def condition_problems(conditions: Any) -> list[dict[str, str]]:
    """What a trigger's ``conditions`` break (D-conditions): unknown fields, bad update types."""
    problems = []
    groups = conditions if isinstance(conditions, dict) else {}
    for part in ("all", "any"):
        for condition in groups.get(part) or []:
            field = str((condition or {}).get("field", ""))
            known = field in TRIGGER_CONDITION_FIELDS or field.startswith("custom_fields_")
            if not known:
                problems.append({"description": f"Conditions: {field} is not a valid condition"})
            elif field == "update_type" and condition.get("value") not in UPDATE_TYPES:
                problems.append({"description": "Conditions: update_type is Create or Change"})
    return problems


def ticket_json(ticket: Mapping[str, Any], base_url: str) -> Json:
    return {"url": f"{base_url}/api/v2/tickets/{ticket['id']}.json", **ticket}


def cursor_page(
    key: str, rows: list[Json], *, more: bool, after: str, next_url: str | None
) -> Json:
    """A page of a cursor-paginated list (comments, audits, ticket fields)."""
    return {
        key: rows,
        "meta": {"has_more": more, "after_cursor": after, "before_cursor": None},
        "links": {"prev": None, "next": next_url if more else None},
    }


def offset_page(
    key: str, rows: list[Json], count: int, *, next_url: str | None, previous_url: str | None
) -> Json:
    return {key: rows, "next_page": next_url, "previous_page": previous_url, "count": count}


def export_page(rows: list[Json], *, cursor: str, after_url: str, end: bool) -> Json:
    return {
        "tickets": rows,
        "after_url": after_url,
        "after_cursor": cursor,
        "before_url": None,
        "before_cursor": None,
        "end_of_stream": end,
    }
