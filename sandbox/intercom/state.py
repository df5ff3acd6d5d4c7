"""The Intercom stand-in's data: admins, teams, contacts, companies, tags, conversation data
attributes and conversations with their parts, and what changes them.

Every operation holds ``self.lock``, the lock the service counts its calls under (see
``SandboxService``), so that a test holding it sees calls and data at one moment.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sandbox.intercom.wire import Json, tag_list, unix
from sandbox.seed import SEEDED_GROUPS

BRIDGE_ADMIN_ID = "991267600"
LEAD_ADMIN_ID = "991267601"
# Conversation data attributes every stand-in workspace starts with (names are what people see).
SEEDED_ATTRIBUTES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Refund amount", "float", ()),
    ("Category", "string", ("Warranty", "Billing", "Integration")),
    ("Engineering issue", "string", ()),
    ("Impact", "string", ("system_down", "data_loss", "security", "major_feature_broken")),
)


class IntercomState:
    lock: threading.RLock

    def __init__(self, *, token: str, clock: Callable[[], datetime]) -> None:
        self.token, self.clock = token, clock
        self.reset()

    def reset(self) -> None:
        """Forget every conversation, contact, company and tag; seed admins and teams again."""
        self.conversation_ids = itertools.count(100)
        self.part_ids = itertools.count(1000)
        self.object_ids = itertools.count(1)
        self.tag_ids = itertools.count(7_522_900)
        self.conversations: dict[str, Json] = {}
        self.parts: dict[str, list[Json]] = {}
        self.contacts: dict[str, Json] = {}
        self.companies: dict[str, Json] = {}
        self.tags: dict[str, Json] = {}  # by name
        self.admins: dict[str, Json] = {}
        self.teams: dict[str, Json] = {}
        self._admin(BRIDGE_ADMIN_ID, "Escalation Bridge", "bridge@example.com")
        self._admin(LEAD_ADMIN_ID, "Support Lead", "lead@example.com")
        team_ids = itertools.count(5_000_001)
        for name in SEEDED_GROUPS:
            team_id = str(next(team_ids))
            self.teams[team_id] = {
                "type": "team",
                "id": team_id,
                "name": name,
                "admin_ids": [int(LEAD_ADMIN_ID)],
            }
        self.attributes: list[Json] = [
            {
                "type": "data_attribute",
                "id": 10 + i,
                "model": "conversation",
                "name": name,
                "full_name": f"custom_attributes.{name}",
                "label": name,
                "description": "",
                "data_type": kind,
                "options": list(options),
                "api_writable": True,
                "ui_writable": True,
                "custom": True,
                "archived": False,
            }
            for i, (name, kind, options) in enumerate(SEEDED_ATTRIBUTES)
        ]

    # -- helpers for tests and the demo ------------------------------------------------------
    def _hex_id(self) -> str:
        return f"{next(self.object_ids):024x}"

    def add_company(
        self, name: str, *, tags: Sequence[str] = (), plan: str | None = None, **attributes: Any
    ) -> str:
        with self.lock:
            company_id = self._hex_id()
            self.companies[company_id] = {
                "type": "company",
                "id": company_id,
                "company_id": f"ext-{company_id[-6:]}",
                "name": name,
                "plan": {"type": "plan", "id": "1", "name": plan} if plan else {},
                "custom_attributes": dict(attributes),
                "tags": tag_list([self._tag(t) for t in tags]),
                "monthly_spend": 0,
                "user_count": 1,
                "created_at": unix(self.clock()),
                "updated_at": unix(self.clock()),
            }
            return company_id

    def add_contact(
        self,
        name: str,
        email: str,
        *,
        company_id: str | None = None,
        tags: Sequence[str] = (),
        **attributes: Any,
    ) -> str:
        with self.lock:
            contact_id = self._hex_id()
            companies = [{"type": "company", "id": company_id}] if company_id else []
            self.contacts[contact_id] = {
                "type": "contact",
                "id": contact_id,
                "role": "user",
                "email": email,
                "name": name,
                "custom_attributes": dict(attributes),
                # A contact's tags are references only: no names (I-contacts).
                "tags": {
                    "type": "list",
                    "data": [
                        {"type": "tag", "id": t["id"], "url": f"/tags/{t['id']}"}
                        for t in (self._tag(n) for n in tags)
                    ],
                },
                "companies": {"type": "list", "data": companies},
                "created_at": unix(self.clock()),
                "updated_at": unix(self.clock()),
            }
            return contact_id

    def create_conversation(
        self,
        body: str,
        *,
        title: str | None = None,
        contact_id: str | None = None,
        priority: bool = False,
        state: str = "open",
        tags: Sequence[str] = (),
        custom_attributes: dict[str, Any] | None = None,
    ) -> str:
        """A conversation a customer started (``delivered_as: customer_initiated``)."""
        with self.lock:
            conversation_id = str(next(self.conversation_ids))
            contact = contact_id or self.add_contact(
                f"Customer {conversation_id}", f"c{conversation_id}@example.com"
            )
            now = unix(self.clock())
            self.conversations[conversation_id] = {
                "type": "conversation",
                "id": conversation_id,
                "title": title,
                "created_at": now,
                "updated_at": now,
                "waiting_since": now,
                "snoozed_until": None,
                "open": state != "closed",
                "state": "open",
                "read": False,
                "priority": "priority" if priority else "not_priority",
                "admin_assignee_id": None,
                "team_assignee_id": None,
                "tags": tag_list([self._tag(t) for t in tags]),
                "conversation_rating": None,
                "source": {
                    "type": "conversation",
                    "id": str(next(self.part_ids)),
                    "delivered_as": "customer_initiated",
                    "subject": "",
                    "body": f"<p>{body}</p>",
                    "author": {"type": "user", "id": contact, "name": "", "email": ""},
                    "attachments": [],
                    "url": None,
                    "redacted": False,
                },
                "contacts": {
                    "type": "contact.list",
                    "contacts": [{"type": "contact", "id": contact, "external_id": None}],
                },
                "teammates": {"type": "admin.list", "admins": []},
                "custom_attributes": dict(custom_attributes or {}),
                "sla_applied": None,
                "statistics": None,
            }
            self.parts[conversation_id] = []
            if state != "open":
                self.set_state(conversation_id, state)
            return conversation_id

    def add_customer_reply(self, conversation_id: str, body: str) -> None:
        """The customer writes again: a snoozed or closed conversation opens (I-states)."""
        with self.lock:
            conversation = self.conversations[conversation_id]
            contact = conversation["contacts"]["contacts"][0]["id"]
            self._part(
                conversation_id, "comment", f"<p>{body}</p>", {"type": "user", "id": contact}
            )
            conversation.update(state="open", open=True, snoozed_until=None)
            conversation["waiting_since"] = conversation["updated_at"]

    def set_state(self, conversation_id: str, state: str, *, by: str = LEAD_ADMIN_ID) -> None:
        """An admin opens, snoozes (for a day) or closes the conversation."""
        with self.lock:
            kind = {"open": "open", "closed": "close", "snoozed": "snoozed"}[state]
            self._part(conversation_id, kind, None, self._author(by))
            snoozed = unix(self.clock()) + 86_400 if state == "snoozed" else None
            self.conversations[conversation_id].update(
                state=state, open=state != "closed", snoozed_until=snoozed
            )

    def retag(self, conversation_id: str, names: Sequence[str]) -> None:
        with self.lock:
            self.conversations[conversation_id]["tags"] = tag_list([self._tag(n) for n in names])
            self._touch(conversation_id)

    def set_attribute(self, conversation_id: str, name: str, value: Any) -> None:
        with self.lock:
            self.conversations[conversation_id]["custom_attributes"][name] = value
            self._touch(conversation_id)

    def rate(self, conversation_id: str, rating: int, remark: str = "") -> None:
        with self.lock:
            contact = self.conversations[conversation_id]["contacts"]["contacts"][0]["id"]
            self.conversations[conversation_id]["conversation_rating"] = {
                "rating": rating,
                "remark": remark,
                "created_at": unix(self.clock()),
                "contact": {"type": "contact", "id": contact},
                "teammate": None,
            }
            self._touch(conversation_id)

    # -- what the API does -------------------------------------------------------------------
    def view(self, conversation_id: str, *, with_parts: bool = True) -> Json:
        """A conversation as ``GET /conversations/{id}`` answers it (parts) or search (none)."""
        with self.lock:
            body = dict(self.conversations[conversation_id])
            if with_parts:
                parts = [dict(p) for p in self.parts[conversation_id]]
                body["conversation_parts"] = {
                    "type": "conversation_part.list",
                    "conversation_parts": parts,
                    "total_count": len(parts),
                }
            return body

    def admin_post(self, conversation_id: str, kind: str, body: str, admin_id: str) -> Json:
        """A reply (``comment``) or a note by an admin."""
        with self.lock:
            self._part(conversation_id, kind, body, self._author(admin_id))
            if kind == "comment":
                self.conversations[conversation_id]["waiting_since"] = None
            return self.view(conversation_id)

    def assign(self, conversation_id: str, kind: str, assignee_id: str, admin_id: str) -> None:
        with self.lock:
            key = "team_assignee_id" if kind == "team" else "admin_assignee_id"
            value: Any = None if assignee_id == "0" else assignee_id
            if kind == "admin" and value is not None:
                value = int(value)  # admin_assignee_id is a number, team_assignee_id a string
            self.conversations[conversation_id][key] = value
            assigned = self.teams.get(assignee_id) or self.admins.get(assignee_id)
            target = {"type": kind, "id": assignee_id, "name": (assigned or {}).get("name")}
            self._part(conversation_id, "assignment", None, self._author(admin_id), target)

    def tag_named(self, name: str) -> Json:
        with self.lock:
            return self._tag(name)

    def attach(self, conversation_id: str, tag_id: str) -> Json | None:
        with self.lock:
            tag = next((t for t in self.tags.values() if t["id"] == tag_id), None)
            if tag is None:
                return None
            current = self.conversations[conversation_id]["tags"]["tags"]
            if all(t["id"] != tag_id for t in current):
                current.append({**tag, "applied_at": unix(self.clock())})
            self._touch(conversation_id)
            return tag

    def detach(self, conversation_id: str, tag_id: str) -> Json | None:
        with self.lock:
            tags = self.conversations[conversation_id]["tags"]
            found = next((t for t in tags["tags"] if t["id"] == tag_id), None)
            if found is not None:
                tags["tags"] = [t for t in tags["tags"] if t["id"] != tag_id]
                self._touch(conversation_id)
            return found

    # -- internals ---------------------------------------------------------------------------
    def _part(
        self,
        conversation_id: str,
        kind: str,
        body: str | None,
        author: Json,
        assigned_to: Json | None = None,
    ) -> None:
        now = unix(self.clock())
        self.parts[conversation_id].append(
            {
                "type": "conversation_part",
                "id": str(next(self.part_ids)),
                "part_type": kind,
                "body": body,
                "created_at": now,
                "updated_at": now,
                "notified_at": now,
                "assigned_to": assigned_to,
                "author": author,
                "attachments": [],
                "external_id": None,
                "redacted": False,
            }
        )
        self._touch(conversation_id)

    def _touch(self, conversation_id: str) -> None:
        self.conversations[conversation_id]["updated_at"] = unix(self.clock())

    def _author(self, admin_id: str) -> Json:
        admin = self.admins[admin_id]
        return {"type": "admin", "id": admin_id, "name": admin["name"], "email": admin["email"]}

    def _tag(self, name: str) -> Json:
        if name not in self.tags:
            self.tags[name] = {"type": "tag", "id": str(next(self.tag_ids)), "name": name}
        return dict(self.tags[name])

    def _admin(self, admin_id: str, name: str, email: str) -> None:
        self.admins[admin_id] = {
            "type": "admin",
            "id": admin_id,
            "name": name,
            "email": email,
            "job_title": None,
            "away_mode_enabled": False,
            "away_mode_reassign": False,
            "has_inbox_seat": True,
            "team_ids": [],
        }
