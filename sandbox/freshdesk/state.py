"""The Freshdesk stand-in's data: tickets, conversations, contacts, companies, agents, groups,
ratings, and what changes them.

Every operation holds ``self.lock``, the lock the service counts its calls under (see
``SandboxService``), so that a test holding it sees calls and data at one moment.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sandbox.freshdesk.stats import SEEDED_FIELDS, new_stats, responded, status_changed
from sandbox.freshdesk.wire import (
    CONVERSATION_NOTE,
    CONVERSATION_REPLY,
    SOURCE_PORTAL,
    Json,
    field_error,
    html_text,
    iso,
)
from sandbox.seed import SEEDED_GROUPS


class FreshdeskState:
    lock: threading.RLock

    def __init__(self, *, api_key: str, clock: Callable[[], datetime], max_pages: int) -> None:
        self.api_key, self.clock, self.max_pages = api_key, clock, max_pages
        self.reset()

    def reset(self) -> None:
        """Forget every ticket, contact and company; seed the agents and groups again."""
        self.ids = itertools.count(100)
        self.tickets: dict[int, Json] = {}
        self.conversations: dict[int, list[Json]] = {}
        self.contacts: dict[int, Json] = {}
        self.companies: dict[int, Json] = {}
        self.ratings: dict[int, list[Json]] = {}
        self.stats: dict[int, Json] = {}
        self.ticket_fields: list[Json] = [dict(field) for field in SEEDED_FIELDS]
        self.lost: set[str] = set()  # endpoints whose next write is applied but answered 503
        self.agent_id = next(self.ids)
        # Groups and agents count on their own so that ticket and contact ids stay where they were.
        self.directory_ids = itertools.count(43_000_000_001)
        self.groups: dict[int, Json] = {}
        self.agents: dict[int, Json] = {}
        self.rules: dict[int, Json] = {}  # automation rules by id
        self._agent(self.agent_id, "Escalation Bridge", "bridge@example.com")
        for name in SEEDED_GROUPS:
            self.add_group(name)
        self.lead_agent_id = self.add_agent("Support Lead", "lead@example.com")

    # -- helpers for tests and the demo ------------------------------------------------------
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
        now = iso(self.clock())
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
        custom_fields: dict[str, Any] | None = None,
    ) -> int:
        with self.lock:
            ticket_id = next(self.ids)
            requester = requester_id or self.add_contact(
                f"Customer {ticket_id}", f"c{ticket_id}@example.com"
            )
            now = iso(self.clock())
            self.tickets[ticket_id] = {
                "id": ticket_id,
                "subject": subject,
                "description": f"<div>{description}</div>",
                "description_text": description,
                "status": status,
                "priority": priority,
                "source": SOURCE_PORTAL,
                "requester_id": requester,
                "responder_id": None,
                "group_id": None,
                "company_id": company_id,
                "tags": list(tags or []),
                "custom_fields": dict(custom_fields or {}),
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
            self.stats[ticket_id] = new_stats(now)
            return ticket_id

    def add_customer_comment(self, ticket_id: int, body: str) -> int:
        with self.lock:
            requester = self.tickets[ticket_id]["requester_id"]
            return self._conversation(
                ticket_id,
                requester,
                f"<div>{body}</div>",
                private=False,
                incoming=True,
                source=CONVERSATION_REPLY,
            )

    def add_agent_note(self, ticket_id: int, body: str) -> int:
        """A private note by the lead agent (a person, not the bridge's agent)."""
        with self.lock:
            return self._conversation(
                ticket_id,
                self.lead_agent_id,
                f"<div>{body}</div>",
                private=True,
                incoming=False,
                source=CONVERSATION_NOTE,
            )

    def change(self, ticket_id: int, **fields: Any) -> None:
        """Set status/priority/tags/group_id/responder_id/due times as an agent would."""
        with self.lock:
            now = iso(self.clock())
            old = self.tickets[ticket_id]["status"]
            self.tickets[ticket_id].update(fields, updated_at=now)
            status_changed(self.stats[ticket_id], old, self.tickets[ticket_id]["status"], now)

    def set_csat(self, ticket_id: int, rating: int, feedback: str = "") -> None:
        with self.lock:
            self.ratings.setdefault(ticket_id, []).append(
                {
                    "id": next(self.ids),
                    "ticket_id": ticket_id,
                    "ratings": {"default_question": rating},
                    "feedback": feedback,
                    "created_at": iso(self.clock()),
                    "updated_at": iso(self.clock()),
                }
            )

    def lose_next_response(self, endpoint: str) -> None:
        """Apply the next write to ``endpoint`` but answer 503, as a lost response looks."""
        self.lost.add(endpoint)

    # -- what the API does -------------------------------------------------------------------
    def take_lost(self, endpoint: str) -> bool:
        """Whether the answer to this write is to be lost (once)."""
        if endpoint not in self.lost:
            return False
        self.lost.discard(endpoint)
        return True

    def updated_since(self, since: str) -> list[Json]:
        """Copies of the tickets updated at or after ``since``, oldest update first."""
        with self.lock:
            rows = sorted(
                (t for t in self.tickets.values() if t["updated_at"] >= since),
                key=lambda t: (t["updated_at"], t["id"]),
            )
            return [dict(t) for t in rows]

    def view_ticket(self, ticket_id: int, include: set[str]) -> Json:
        """A ticket with the ``requester`` and ``stats`` embeds, if asked for."""
        with self.lock:
            body = dict(self.tickets[ticket_id])
            if "requester" in include:
                contact = self.contacts.get(body["requester_id"], {})
                body["requester"] = {
                    k: contact.get(k) for k in ("id", "name", "email", "mobile", "phone")
                }
            if "stats" in include:
                body["stats"] = dict(self.stats[ticket_id])
            return body

    def unknown_assignment(self, fields: dict[str, Any]) -> list[Json]:
        """The errors for a group or agent Freshdesk does not know."""
        return [
            field_error(field, f"There is no {kind} matching the given {field}", "invalid_value")
            for field, kind, known in (
                ("group_id", "group", self.groups),
                ("responder_id", "agent", self.agents),
            )
            if fields.get(field) is not None and fields[field] not in known
        ]

    def add_agent_post(self, ticket_id: int, body: str, *, note: bool, private: bool) -> Json:
        """A note (private or public) or a reply by the bridge's agent."""
        with self.lock:
            item_id = self._conversation(
                ticket_id,
                self.agent_id,
                body,
                private=private,
                incoming=False,
                source=CONVERSATION_NOTE if note else CONVERSATION_REPLY,
            )
            return next(c for c in self.conversations[ticket_id] if c["id"] == item_id)

    # -- internals ---------------------------------------------------------------------------
    def _conversation(
        self, ticket_id: int, user_id: int, body: str, *, private: bool, incoming: bool, source: int
    ) -> int:
        item_id = next(self.ids)
        now = iso(self.clock())
        self.conversations[ticket_id].append(
            {
                "id": item_id,
                "body": body,
                "body_text": html_text(body),
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
        responded(self.stats[ticket_id], agent=not incoming, public=not private, now=now)
        return item_id

    def _agent(self, agent_id: int, name: str, email: str) -> int:
        now = iso(self.clock())
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
