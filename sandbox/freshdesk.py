"""A local stand-in for the part of the Freshdesk API v2 the bridge uses, in its wire shapes."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import requests
from flask import Response, jsonify, request

from sandbox.common import SandboxService
from sandbox.zendesk import SEEDED_GROUPS

Json = dict[str, Any]
STATUS_LABELS = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
PRIORITY_LABELS = {1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(html_body: str) -> str:
    return re.sub(r"<[^>]+>", "\n", html_body).replace("\n\n", "\n").strip()


class FreshdeskSandbox(SandboxService):
    name = "freshdesk"

    def __init__(
        self,
        *,
        api_key: str = "sandbox-key",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_pages: int = 300,
    ) -> None:
        super().__init__()
        self.api_key, self.clock, self.max_pages = api_key, clock, max_pages
        self.reset()
        self._routes()

    def reset(self) -> None:
        """Forget every ticket, contact, fault and count (a served sandbox is reused in tests)."""
        self.calls.clear()
        self.faults.clear()
        self.ids = itertools.count(100)
        self.tickets: dict[int, Json] = {}
        self.conversations: dict[int, list[Json]] = {}
        self.contacts: dict[int, Json] = {}
        self.companies: dict[int, Json] = {}
        self.ratings: dict[int, list[Json]] = {}
        self.lost: set[str] = set()
        self.agent_id = next(self.ids)
        # Groups and agents count on their own so that ticket and contact ids stay where they were.
        self.directory_ids = itertools.count(43_000_000_001)
        self.groups: dict[int, Json] = {}
        self.agents: dict[int, Json] = {}
        self._agent(self.agent_id, "Escalation Bridge", "bridge@example.com")
        for name in SEEDED_GROUPS:
            self.add_group(name)
        self.lead_agent_id = self.add_agent("Support Lead", "lead@example.com")

    # -- state for tests and the demo --------------------------------------------------------
    def add_contact(self, name: str, email: str, **extra: Any) -> int:
        contact_id = next(self.ids)
        self.contacts[contact_id] = {
            "id": contact_id,
            "name": name,
            "email": email,
            "tags": [],
            "custom_fields": {},
            "company_id": None,
            **extra,
        }
        return contact_id

    def add_agent(self, name: str, email: str) -> int:
        """An agent tickets can be assigned to (``responder_id``)."""
        return self._agent(next(self.directory_ids), name, email)

    def add_group(self, name: str, *, description: str = "", agent_ids: Iterable[int] = ()) -> int:
        group_id = next(self.directory_ids)
        now = _iso(self.clock())
        self.groups[group_id] = {
            "id": group_id,
            "name": name,
            "description": description,
            "escalate_to": None,
            "unassigned_for": None,
            "business_hour_id": None,
            "group_type": "support_agent_group",
            "agent_ids": list(agent_ids),
            "auto_ticket_assign": False,
            "created_at": now,
            "updated_at": now,
        }
        return group_id

    def add_company(self, name: str, *, account_tier: str | None = None, **extra: Any) -> int:
        company_id = next(self.ids)
        self.companies[company_id] = {
            "id": company_id,
            "name": name,
            "account_tier": account_tier,
            "domains": [],
            "custom_fields": {},
            **extra,
        }
        return company_id

    def create_ticket(
        self,
        subject: str,
        *,
        requester_id: int | None = None,
        company_id: int | None = None,
        priority: int = 2,
        status: int = 2,
        tags: list[str] | None = None,
        description: str = "",
        due_by: str | None = None,
        fr_due_by: str | None = None,
    ) -> int:
        with self.lock:
            ticket_id = next(self.ids)
            requester = requester_id or self.add_contact(
                f"Customer {ticket_id}", f"c{ticket_id}@example.com"
            )
            now = _iso(self.clock())
            self.tickets[ticket_id] = {
                "id": ticket_id,
                "subject": subject,
                "description": f"<div>{description}</div>",
                "description_text": description,
                "status": status,
                "priority": priority,
                "source": 2,
                "requester_id": requester,
                "responder_id": None,
                "group_id": None,
                "company_id": company_id,
                "tags": list(tags or []),
                "custom_fields": {},
                "due_by": due_by,
                "fr_due_by": fr_due_by,
                "nr_due_by": None,
                "is_escalated": False,
                "fr_escalated": False,
                "nr_escalated": False,
                "created_at": now,
                "updated_at": now,
                "type": None,
            }
            self.conversations[ticket_id] = []
            return ticket_id

    def add_customer_comment(self, ticket_id: int, body: str) -> int:
        with self.lock:
            requester = self.tickets[ticket_id]["requester_id"]
            return self._conversation(
                ticket_id, requester, f"<div>{body}</div>", private=False, incoming=True, source=0
            )

    def change(self, ticket_id: int, **fields: Any) -> None:
        """Set status/priority/tags/group_id/responder_id/due times as an agent would."""
        with self.lock:
            self.tickets[ticket_id].update(fields, updated_at=_iso(self.clock()))

    def set_csat(self, ticket_id: int, rating: int, feedback: str = "") -> None:
        with self.lock:
            self.ratings.setdefault(ticket_id, []).append(
                {
                    "id": next(self.ids),
                    "ticket_id": ticket_id,
                    "ratings": {"default_question": rating},
                    "feedback": feedback,
                    "created_at": _iso(self.clock()),
                    "updated_at": _iso(self.clock()),
                }
            )

    def lose_next_response(self, endpoint: str) -> None:
        self.lost.add(endpoint)

    def deliver_webhook(
        self,
        url: str,
        ticket_id: int,
        secret: str,
        *,
        event: str = "{ticket_action:updated}",
        timeout: float = 5.0,
    ) -> requests.Response:
        """POST an automation body with HTTP Basic (the secret as password), as Freshdesk does."""
        ticket = self.tickets[ticket_id]
        body = {
            "freshdesk_webhook": {
                "triggered_event": event,
                "ticket_id": str(ticket_id),
                "ticket_url": f"{self.base_url}/a/tickets/{ticket_id}",
                "ticket_subject": ticket["subject"],
                "ticket_status": STATUS_LABELS.get(ticket["status"], f"Status {ticket['status']}"),
                "ticket_priority": PRIORITY_LABELS.get(ticket["priority"], "Medium"),
            }
        }
        return requests.post(url, json=body, auth=("freshdesk", secret), timeout=timeout)

    # -- internals ---------------------------------------------------------------------------
    def _conversation(
        self, ticket_id: int, user_id: int, body: str, *, private: bool, incoming: bool, source: int
    ) -> int:
        item_id = next(self.ids)
        now = _iso(self.clock())
        self.conversations[ticket_id].append(
            {
                "id": item_id,
                "body": body,
                "body_text": _text(body),
                "private": private,
                "incoming": incoming,
                "user_id": user_id,
                "source": source,
                "ticket_id": ticket_id,
                "category": 2 if private else 3,
                "attachments": [],
                "created_at": now,
                "updated_at": now,
            }
        )
        self.tickets[ticket_id]["updated_at"] = now
        return item_id

    def _agent(self, agent_id: int, name: str, email: str) -> int:
        now = _iso(self.clock())
        self.agents[agent_id] = {
            "id": agent_id,
            "available": True,
            "occasional": False,
            "ticket_scope": 1,
            "group_ids": [],
            "role_ids": [],
            "type": "support_agent",
            "contact": {
                "active": True,
                "email": email,
                "name": name,
                "language": "en",
                "time_zone": "UTC",
                "created_at": now,
                "updated_at": now,
            },
            "created_at": now,
            "updated_at": now,
        }
        return agent_id

    def _enter(self, endpoint: str) -> Response | None:
        fault = self.hit(endpoint)
        if fault is not None:
            return fault
        auth = request.authorization
        if auth is None or auth.username != self.api_key:
            return error_response(
                401, "invalid_credentials", "You have to be logged in to perform this action."
            )
        return None

    def _find(self, ticket_id: int) -> Response | None:
        return (
            None
            if ticket_id in self.tickets
            else error_response(404, "not_found", "Ticket not found")
        )

    def _page(self, rows: list[Json], path: str, args: dict[str, Any]) -> Response:
        per_page = min(100, int(request.args.get("per_page", 30)))
        page = int(request.args.get("page", 1))
        chunk = rows[(page - 1) * per_page : page * per_page]
        response = jsonify(chunk)
        if page * per_page < len(rows):
            query = urlencode({**args, "per_page": per_page, "page": page + 1})
            response.headers["Link"] = f'<{self.request_base_url()}{path}?{query}>; rel="next"'
        return response

    def _routes(self) -> None:
        from sandbox.freshdesk_routes import register

        register(self)


def error_response(status: int, code: str, message: str) -> Response:
    response = jsonify({"code": code, "message": message, "description": message})
    response.status_code = status
    return response
