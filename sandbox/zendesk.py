"""A local stand-in for the part of the Zendesk Support API the bridge uses, in its wire shapes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
from flask import Response, jsonify, request

from sandbox.common import SandboxService

Json = dict[str, Any]
# The groups policies/default.yaml names, so the demo and tests can escalate by name.
SEEDED_GROUPS = (
    "frontline",
    "senior-support",
    "engineering-support",
    "support-management",
    "customer-success",
    "support-managers",
    "warranty-claims",
    "integration-specialists",
)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_cursor(value: int) -> str:
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


class ZendeskSandbox(SandboxService):
    name = "zendesk"

    def __init__(
        self,
        *,
        email: str = "bridge@example.com",
        token: str = "sandbox-token",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self.email, self.token, self.clock = email, token, clock
        self.reset()
        self._routes()

    def reset(self) -> None:
        """Forget every ticket, user, fault and count (a served sandbox is reused across tests)."""
        self.calls.clear()
        self.faults.clear()
        self.ids = itertools.count(1000)
        self.seq = itertools.count(1)
        self.tickets: dict[int, Json] = {}
        self.comments: dict[int, list[Json]] = {}
        self.changed: dict[int, int] = {}  # ticket id -> change sequence (incremental export)
        self.users: dict[int, Json] = {}
        self.orgs: dict[int, Json] = {}
        self.webhooks: dict[str, Json] = {}
        self.triggers: dict[int, Json] = {}
        self.lost: set[str] = set()  # endpoints whose next write is applied but answered 503
        self.export_page_size = 1000  # Zendesk's maximum; tests lower it to see paging
        self.group_page_size = 100  # the offset-paged default; tests lower it to see paging
        self.bridge_user_id = self.add_user("Escalation Bridge", self.email, role="admin")
        # Groups and agents count on their own so that ticket and user ids stay where they were.
        self.directory_ids = itertools.count(360_000_001)
        self.groups: dict[int, Json] = {}
        for name in SEEDED_GROUPS:
            self.add_group(name)
        self.lead_agent_id = self.add_agent("Support Lead", "lead@example.com")

    # -- state for tests and the demo --------------------------------------------------------
    def add_user(self, name: str, email: str, *, role: str = "end-user", **extra: Any) -> int:
        user_id = next(self.ids)
        self.users[user_id] = {
            "id": user_id,
            "name": name,
            "email": email,
            "role": role,
            "tags": [],
            "user_fields": {},
            **extra,
        }
        return user_id

    def add_agent(self, name: str, email: str, *, role: str = "agent") -> int:
        """An agent (or admin) tickets can be assigned to."""
        agent_id = next(self.directory_ids)
        self.users[agent_id] = {
            "id": agent_id,
            "name": name,
            "email": email,
            "role": role,
            "tags": [],
            "user_fields": {},
        }
        return agent_id

    def add_group(self, name: str, *, description: str = "", deleted: bool = False) -> int:
        group_id = next(self.directory_ids)
        now = _iso(self.clock())
        self.groups[group_id] = {
            "id": group_id,
            "name": name,
            "description": description,
            "default": not self.groups,
            "deleted": deleted,
            "is_public": True,
            "created_at": now,
            "updated_at": now,
        }
        return group_id

    def add_org(self, name: str, *, tags: list[str] | None = None, **fields: Any) -> int:
        org_id = next(self.ids)
        self.orgs[org_id] = {
            "id": org_id,
            "name": name,
            "tags": tags or [],
            "organization_fields": fields,
        }
        return org_id

    def create_ticket(
        self,
        subject: str,
        *,
        requester_id: int | None = None,
        organization_id: int | None = None,
        priority: str | None = "normal",
        status: str = "new",
        tags: list[str] | None = None,
        description: str = "",
    ) -> int:
        with self.lock:
            ticket_id = next(self.ids)
            requester = requester_id or self.add_user(
                f"Customer {ticket_id}", f"c{ticket_id}@example.com"
            )
            now = _iso(self.clock())
            self.tickets[ticket_id] = {
                "id": ticket_id,
                "subject": subject,
                "raw_subject": subject,
                "description": description or subject,
                "priority": priority,
                "status": status,
                "requester_id": requester,
                "submitter_id": requester,
                "assignee_id": None,
                "organization_id": organization_id,
                "group_id": None,
                "tags": list(tags or []),
                "custom_fields": [],
                "satisfaction_rating": None,
                "via": {"channel": "web"},
                "created_at": now,
                "updated_at": now,
                "type": None,
            }
            self.comments[ticket_id] = []
            self._comment(ticket_id, requester, description or subject, public=True)
            return ticket_id

    def add_customer_comment(self, ticket_id: int, body: str) -> int:
        with self.lock:
            return self._comment(
                ticket_id, self.tickets[ticket_id]["requester_id"], body, public=True
            )

    def change(self, ticket_id: int, **fields: Any) -> None:
        """Set priority/status/tags/group_id/assignee_id/satisfaction_rating/slas, as an agent."""
        with self.lock:
            self.tickets[ticket_id].update(fields)
            self._touch(ticket_id)

    def set_csat(self, ticket_id: int, score: str | int, comment: str = "") -> None:
        self.change(
            ticket_id,
            satisfaction_rating={
                "id": next(self.ids),
                "score": score,
                "comment": comment,
                "updated_at": _iso(self.clock()),
            },
        )

    def lose_next_response(self, endpoint: str) -> None:
        """Apply the next write to ``endpoint`` but answer 503, as a lost response looks."""
        self.lost.add(endpoint)

    def deliver_webhook(
        self, url: str, payload: Json, secret: str, *, timeout: float = 5.0
    ) -> requests.Response:
        """POST a trigger body to the bridge, signed and headed like Zendesk does."""
        body = json.dumps(payload, indent=3).encode()
        timestamp = _iso(self.clock())
        return requests.post(
            url,
            data=body,
            timeout=timeout,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Zendesk Webhook",
                "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
                "X-Zendesk-Webhook-Signature": sign(secret, timestamp, body),
                "X-Zendesk-Webhook-Id": "01SANDBOXWEBHOOK",
                "X-Zendesk-Webhook-Invocation-Id": secrets.token_hex(13).upper(),
            },
        )

    # -- internals ---------------------------------------------------------------------------
    def _touch(self, ticket_id: int) -> None:
        self.tickets[ticket_id]["updated_at"] = _iso(self.clock())
        self.changed[ticket_id] = next(self.seq)

    def _comment(self, ticket_id: int, author_id: int, body: str, *, public: bool) -> int:
        comment_id = next(self.ids)
        self.comments[ticket_id].append(
            {
                "id": comment_id,
                "type": "Comment",
                "author_id": author_id,
                "body": body,
                "plain_body": body,
                "html_body": f"<p>{body}</p>",
                "public": public,
                "attachments": [],
                "created_at": _iso(self.clock()),
                "via": {"channel": "api"},
            }
        )
        self._touch(ticket_id)
        return comment_id

    def _ticket_json(self, ticket_id: int) -> Json:
        base = self.request_base_url()
        return {"url": f"{base}/api/v2/tickets/{ticket_id}.json", **self.tickets[ticket_id]}

    def _enter(self, endpoint: str) -> Response | None:
        fault = self.hit(endpoint)
        if fault is not None:
            return fault
        auth = request.authorization
        if auth is None or auth.username != f"{self.email}/token" or auth.password != self.token:
            return error_response(401, "Couldn't authenticate you")
        return None

    def _missing(self, ticket_id: int) -> Response | None:
        return (
            None
            if ticket_id in self.tickets
            else error_response(404, "RecordNotFound", "Not found")
        )

    def _routes(self) -> None:
        from sandbox.zendesk_routes import register

        register(self)


def error_response(status: int, error: str, description: str = "") -> Response:
    body: Json = {"error": error, "description": description} if description else {"error": error}
    response = jsonify(body)
    response.status_code = status
    return response
