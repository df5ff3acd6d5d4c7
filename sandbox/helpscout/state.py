"""The Help Scout stand-in's data: users, mailboxes with their custom fields, customers,
conversations with their threads, webhooks, and what changes them.

Every operation holds ``self.lock``, the lock the service counts its calls under (see
``SandboxService``), so that a test holding it sees calls and data at one moment.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sandbox.helpscout.wire import Json, iso
from sandbox.seed import SEEDED_GROUPS

BRIDGE_USER_ID = "431280"
INTAKE_MAILBOX = "support"
LEAD_USER_ID = "431281"
# Custom fields every stand-in mailbox has: (name, type, drop-down labels).
SEEDED_FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Refund amount", "NUMBER", ()),
    ("Category", "DROPDOWN", ("Warranty", "Billing", "Integration")),
    ("Engineering issue", "SINGLE_LINE", ()),
    ("Impact", "DROPDOWN", ("system_down", "data_loss", "security", "major_feature_broken")),
)


class HelpScoutState:
    lock: threading.RLock

    def __init__(self, *, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        """Forget every conversation, customer and webhook; seed users, mailboxes, fields."""
        self.conversation_ids = itertools.count(2_391_938_100)
        self.numbers = itertools.count(340)
        self.thread_ids = itertools.count(9_100_000_001)
        self.customer_ids = itertools.count(52_000_001)
        self.tag_ids = itertools.count(70)
        self.conversations: dict[str, Json] = {}
        self.threads: dict[str, list[Json]] = {}
        self.modified: dict[str, datetime] = {}
        self.customers: dict[str, Json] = {}
        self.tags: dict[str, int] = {}
        self.webhooks: list[Json] = []
        self.users: dict[str, Json] = {}
        self._user(BRIDGE_USER_ID, "Escalation", "Bridge", "bridge@example.com")
        self._user(LEAD_USER_ID, "Support", "Lead", "lead@example.com")
        mailbox_ids = itertools.count(20_000)
        self.mailboxes: dict[str, Json] = {}
        # New mail arrives in the first mailbox, ``support``; the others are escalation queues.
        for name in (INTAKE_MAILBOX, *SEEDED_GROUPS):
            mailbox_id = str(next(mailbox_ids))
            self.mailboxes[mailbox_id] = {
                "id": int(mailbox_id),
                "name": name,
                "slug": f"{mailbox_id}abc",
                "email": f"{name}@support.example.com",
                "createdAt": iso(self.clock()),
                "updatedAt": iso(self.clock()),
            }
        option_ids = itertools.count(500)
        self.fields: list[Json] = [
            {
                "id": 8_000 + i,
                "name": name,
                "type": kind,
                "order": i + 1,
                "required": False,
                "options": [
                    {"id": next(option_ids), "order": n + 1, "label": label}
                    for n, label in enumerate(labels)
                ],
            }
            for i, (name, kind, labels) in enumerate(SEEDED_FIELDS)
        ]

    # -- helpers for tests and the demo ------------------------------------------------------
    def add_customer(
        self,
        first: str,
        last: str,
        email: str,
        *,
        organization: str = "",
        properties: dict[str, Any] | None = None,
    ) -> str:
        with self.lock:
            customer_id = str(next(self.customer_ids))
            self.customers[customer_id] = {
                "id": int(customer_id),
                "firstName": first,
                "lastName": last,
                "gender": "unknown",
                "jobTitle": "",
                "organization": organization,
                "photoType": "unknown",
                "createdAt": iso(self.clock()),
                "updatedAt": iso(self.clock()),
                "background": "",
                "properties": [
                    {"type": "text", "slug": slug, "name": slug.title(), "value": value}
                    for slug, value in (properties or {}).items()
                ],
                "_embedded": {
                    "emails": [{"id": int(customer_id) + 1, "value": email, "type": "work"}]
                },
            }
            return customer_id

    def create_conversation(
        self,
        subject: str,
        text: str,
        *,
        customer_id: str | None = None,
        mailbox: str | None = None,
        status: str = "active",
        tags: Sequence[str] = (),
        fields: dict[str, Any] | None = None,
    ) -> str:
        """A customer writes in by e-mail: one ``customer`` thread."""
        with self.lock:
            conversation_id = str(next(self.conversation_ids))
            customer = customer_id or self.add_customer(
                "Customer", conversation_id, f"c{conversation_id}@example.com"
            )
            person = self.customers[customer]
            now = iso(self.clock())
            primary = {
                "id": person["id"],
                "first": person["firstName"],
                "last": person["lastName"],
                "email": person["_embedded"]["emails"][0]["value"],
                "type": "customer",
            }
            self.conversations[conversation_id] = {
                "id": int(conversation_id),
                "number": next(self.numbers),
                "threads": 0,
                "type": "email",
                "folderId": 1,
                "status": "active",
                "state": "published",
                "subject": subject,
                "preview": text[:185],
                "mailboxId": int(mailbox or next(iter(self.mailboxes))),
                "createdBy": {"id": person["id"], "type": "customer", "email": primary["email"]},
                "createdAt": now,
                "closedBy": 0,
                "closedAt": None,
                "userUpdatedAt": now,
                "customerWaitingSince": {"time": now, "friendly": "just now"},
                "source": {"type": "email", "via": "customer"},
                "tags": [],
                "cc": [],
                "bcc": [],
                "primaryCustomer": primary,
                "customFields": [],
            }
            self.threads[conversation_id] = []
            self._thread(conversation_id, "customer", f"<div>{text}</div>", primary, "active")
            self.set_tags(conversation_id, list(tags))
            for name, value in (fields or {}).items():
                self.set_field(conversation_id, name, value)
            if status != "active":
                self.set_status(conversation_id, status)
            return conversation_id

    def add_customer_reply(self, conversation_id: str, text: str) -> None:
        """The customer writes again: the conversation is active again (H-conversation)."""
        with self.lock:
            conversation = self.conversations[conversation_id]
            self._thread(
                conversation_id,
                "customer",
                f"<div>{text}</div>",
                conversation["primaryCustomer"],
                "active",
            )
            conversation["status"] = "active"
            conversation.pop("snooze", None)

    def user_thread(self, conversation_id: str, kind: str, html: str, user_id: str) -> str:
        """A note or a reply by a user; returns the thread's id (``Resource-ID``)."""
        with self.lock:
            status = self.conversations[conversation_id]["status"]
            return self._thread(conversation_id, kind, html, self._person(user_id), status)

    def set_status(self, conversation_id: str, status: str, *, by: str = LEAD_USER_ID) -> None:
        """A user changes the status: a line item records it."""
        with self.lock:
            conversation = self.conversations[conversation_id]
            conversation["status"] = status
            if status == "closed":
                conversation.update(closedBy=int(by), closedAt=iso(self.clock()))
            action = {"type": "changed-ticket-status", "text": f"marked as {status}"}
            self._thread(conversation_id, "lineitem", None, self._person(by), status, action)

    def set_tags(self, conversation_id: str, names: Sequence[str]) -> None:
        with self.lock:
            self.conversations[conversation_id]["tags"] = [
                {"id": self._tag(n), "color": "#929499", "tag": n} for n in dict.fromkeys(names)
            ]
            self._touch(conversation_id)

    def set_field(self, conversation_id: str, name: str, value: Any) -> None:
        """Fill in a custom field by its name (a drop-down by its label)."""
        with self.lock:
            field = next(f for f in self.fields if f["name"] == name)
            option = next((o for o in field["options"] if o["label"] == value), None)
            entry = {
                "id": field["id"],
                "name": name,
                "value": str(option["id"]) if option else str(value),
                "text": str(value),
            }
            current = self.conversations[conversation_id]["customFields"]
            current[:] = [f for f in current if f["id"] != field["id"]] + [entry]
            self._touch(conversation_id)

    def rate(self, conversation_id: str, rating: str, comments: str = "") -> None:
        """The customer rates the newest reply: ``Great``, ``Okay`` or ``Bad``."""
        with self.lock:
            replies = [t for t in self.threads[conversation_id] if t["type"] == "reply"]
            target = replies[-1] if replies else self.threads[conversation_id][-1]
            target["rating"] = {
                "id": next(self.thread_ids),
                "rating": rating,
                "comments": comments,
                "createdAt": iso(self.clock()),
            }
            self._touch(conversation_id)

    def assign(self, conversation_id: str, user_id: str | None, *, by: str = LEAD_USER_ID) -> None:
        """A user (un)assigns the conversation: a line item by them records it, as for a status
        change (so a webhook's newest thread names who acted)."""
        with self.lock:
            conversation = self.conversations[conversation_id]
            if user_id is None:
                conversation.pop("assignee", None)
                text = "unassigned"
            else:
                conversation["assignee"] = {**self._person(user_id), "type": "user"}
                text = f"assigned to {conversation['assignee']['first']}"
            action = {"type": "changed-ticket-assignee", "text": text}
            status = conversation["status"]
            self._thread(conversation_id, "lineitem", None, self._person(by), status, action)

    def move(self, conversation_id: str, mailbox_id: str, *, by: str = LEAD_USER_ID) -> None:
        with self.lock:
            conversation = self.conversations[conversation_id]
            source = conversation["mailboxId"]
            conversation["mailboxId"] = int(mailbox_id)
            action = {
                "type": "movedFromMailbox",
                "text": "moved from another mailbox",
                "associatedEntities": {"mailbox": source},
            }
            status = conversation["status"]
            self._thread(conversation_id, "lineitem", None, self._person(by), status, action)

    # -- what the API answers ----------------------------------------------------------------
    def view(self, conversation_id: str, *, base: str = "", threads: bool = True) -> Json:
        """A conversation as ``GET /v2/conversations/{id}`` answers it (threads embedded)."""
        with self.lock:
            body = dict(self.conversations[conversation_id])
            body["tags"] = [dict(t) for t in body["tags"]]
            body["customFields"] = [dict(f) for f in body["customFields"]]
            if threads:
                newest_first = [dict(t) for t in reversed(self.threads[conversation_id])]
                body["_embedded"] = {"threads": newest_first}
            body["_links"] = {
                "self": {"href": f"{base}/v2/conversations/{conversation_id}"},
                "mailbox": {"href": f"{base}/v2/mailboxes/{body['mailboxId']}"},
                "web": {"href": f"{base}/conversation/{conversation_id}/{body['number']}"},
            }
            return body

    # -- internals ---------------------------------------------------------------------------
    def _thread(
        self,
        conversation_id: str,
        kind: str,
        body: str | None,
        author: Json,
        status: str,
        action: Json | None = None,
    ) -> str:
        thread_id = next(self.thread_ids)
        now = iso(self.clock())
        thread: Json = {
            "id": thread_id,
            "type": kind,
            "status": status,
            "state": "published",
            "body": body,
            "source": {"type": "email", "via": "customer" if kind == "customer" else "user"},
            "customer": self.conversations[conversation_id]["primaryCustomer"],
            "createdBy": author,
            "assignedTo": self.conversations[conversation_id].get("assignee"),
            "to": [],
            "cc": [],
            "bcc": [],
            "attachments": [],
            "createdAt": now,
            "openedAt": None,
        }
        if action is not None:
            thread["action"] = action
        self.threads[conversation_id].append(thread)
        conversation = self.conversations[conversation_id]
        conversation["threads"] = len(self.threads[conversation_id])
        if kind != "lineitem":
            conversation["userUpdatedAt"] = now
            conversation["preview"] = (body or "")[:185]
        self._touch(conversation_id)
        return str(thread_id)

    def _touch(self, conversation_id: str) -> None:
        self.modified[conversation_id] = self.clock()

    def _person(self, user_id: str) -> Json:
        user = self.users[user_id]
        return {
            "id": user["id"],
            "type": "user",
            "first": user["firstName"],
            "last": user["lastName"],
            "email": user["email"],
        }

    def _tag(self, name: str) -> int:
        if name not in self.tags:
            self.tags[name] = next(self.tag_ids)
        return self.tags[name]

    def _user(self, user_id: str, first: str, last: str, email: str) -> None:
        self.users[user_id] = {
            "id": int(user_id),
            "firstName": first,
            "lastName": last,
            "email": email,
            "role": "user",
            "timezone": "UTC",
            "type": "user",
            "mention": first.lower(),
            "initials": first[0] + last[0],
        }
