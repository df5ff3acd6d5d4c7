"""The Zendesk stand-in's data: tickets, comments, users, groups, webhooks, and what changes them.

Every operation holds ``self.lock``, the lock the service counts its calls under (see
``SandboxService``), so that a test holding it sees calls and data at one moment.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sandbox.seed import SEEDED_GROUPS
from sandbox.zendesk.trail import AuditTrail, comment_event
from sandbox.zendesk.wire import (
    ASSIGNABLE_ROLES,
    EXPORT_PAGE_MAX,
    PAGE_MAX,
    Json,
    invalid_value,
    iso,
    ticket_json,
)


class ZendeskState(AuditTrail):
    lock: threading.RLock

    def __init__(self, *, email: str, token: str, clock: Callable[[], datetime]) -> None:
        self.email, self.token, self.clock = email, token, clock
        self.reset()

    def reset(self) -> None:
        """Forget every ticket, user, group, webhook and trigger; seed the directory again."""
        self.ids = itertools.count(1000)
        self.seq = itertools.count(1)
        self.tickets: dict[int, Json] = {}
        self.comments: dict[int, list[Json]] = {}
        self.jobs: dict[str, Json] = {}  # update_many jobs by id (``jobs.py``)
        self.reset_trail()
        self.changed: dict[int, int] = {}  # ticket id -> change sequence (incremental export)
        self.users: dict[int, Json] = {}
        self.orgs: dict[int, Json] = {}
        self.webhooks: dict[str, Json] = {}
        self.triggers: dict[int, Json] = {}
        self.lost: set[str] = set()  # endpoints whose next write is applied but answered 503
        self.export_page_size = EXPORT_PAGE_MAX  # tests lower it to see paging
        self.group_page_size = PAGE_MAX  # tests lower it to see paging
        self.trigger_page_size = PAGE_MAX
        self.hook_page_size = PAGE_MAX
        self.bridge_user_id = self.add_user("Escalation Bridge", self.email, role="admin")
        # Groups and agents count on their own so that ticket and user ids stay where they were.
        self.directory_ids = itertools.count(360_000_001)
        self.groups: dict[int, Json] = {}
        for name in SEEDED_GROUPS:
            self.add_group(name)
        self.lead_agent_id = self.add_agent("Support Lead", "lead@example.com")

    # -- helpers for tests and the demo ------------------------------------------------------
    def add_user(self, name: str, email: str, *, role: str = "end-user", **extra: Any) -> int:
        user_id = next(self.ids)
        self.users[user_id] = {**_person(user_id, name, email, role), **extra}
        return user_id

    def set_bridge_role(self, role: str) -> None:
        """Make the bridge's API user an ``agent`` (or ``admin`` again)."""
        with self.lock:
            self.users[self.bridge_user_id]["role"] = role

    def add_agent(self, name: str, email: str, *, role: str = "agent") -> int:
        """An agent (or admin) tickets can be assigned to."""
        agent_id = next(self.directory_ids)
        self.users[agent_id] = _person(agent_id, name, email, role)
        return agent_id

    def add_group(self, name: str, *, description: str = "", deleted: bool = False) -> int:
        group_id = next(self.directory_ids)
        now = iso(self.clock())
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
        custom_fields: dict[int, Any] | None = None,
        ticket_type: str | None = None,
        problem_id: int | None = None,
    ) -> int:
        with self.lock:
            ticket_id = next(self.ids)
            requester = requester_id or self.add_user(
                f"Customer {ticket_id}", f"c{ticket_id}@example.com"
            )
            now = iso(self.clock())
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
                "custom_fields": [{"id": k, "value": v} for k, v in (custom_fields or {}).items()],
                "satisfaction_rating": None,
                "via": {"channel": "web"},
                "created_at": now,
                "updated_at": now,
                "type": ticket_type,  # problem, incident, question, task
                "problem_id": problem_id,  # an incident's problem ticket
            }
            self.comments[ticket_id] = []
            self._comment(ticket_id, requester, description or subject, public=True)
            events = [comment_event(self.comments[ticket_id][-1])]
            self.audit(
                ticket_id, requester, events + self.field_events("Create", self.tickets[ticket_id])
            )
            return ticket_id

    def add_customer_comment(self, ticket_id: int, body: str) -> int:
        with self.lock:
            requester = self.tickets[ticket_id]["requester_id"]
            comment_id = self._comment(ticket_id, requester, body, public=True)
            self.audit(ticket_id, requester, [comment_event(self.comments[ticket_id][-1])])
            return comment_id

    def add_agent_note(self, ticket_id: int, body: str) -> int:
        """An internal note by the lead agent (a person, not the bridge's API user)."""
        with self.lock:
            comment_id = self._comment(ticket_id, self.lead_agent_id, body, public=False)
            self.audit(ticket_id, self.lead_agent_id, [comment_event(self.comments[ticket_id][-1])])
            return comment_id

    def change(self, ticket_id: int, **fields: Any) -> None:
        """Set priority/status/tags/group_id/assignee_id/satisfaction_rating/slas, as an agent
        (the lead agent, whom the audit names)."""
        with self.lock:
            before = dict(self.tickets[ticket_id])
            self.tickets[ticket_id].update(fields)
            events = self.field_events("Change", fields, before)
            if events:
                self.audit(ticket_id, self.lead_agent_id, events)
            self._touch(ticket_id)

    def set_field(self, ticket_id: int, title: str, value: Any) -> None:
        """Fill in a custom field by its title, as an agent would."""
        field_id = next(f["id"] for f in self.ticket_fields if f["title"] == title)
        with self.lock:
            rows = [f for f in self.tickets[ticket_id]["custom_fields"] if f["id"] != field_id]
            self.change(ticket_id, custom_fields=[*rows, {"id": field_id, "value": value}])

    def set_csat(self, ticket_id: int, score: str | int, comment: str = "") -> None:
        self.change(
            ticket_id,
            satisfaction_rating={
                "id": next(self.ids),
                "score": score,
                "comment": comment,
                "updated_at": iso(self.clock()),
            },
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

    def show_ticket(self, ticket_id: int, base_url: str) -> Json:
        with self.lock:
            return ticket_json(self.tickets[ticket_id], base_url)

    def invalid_assignment(self, fields: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
        """What Zendesk refuses in an update: a group or assignee it does not know."""
        details: dict[str, list[dict[str, str]]] = {}
        group = self.groups.get(fields.get("group_id") or 0)
        if fields.get("group_id") is not None and (group is None or group["deleted"]):
            details["group"] = invalid_value("Group")
        assignee = self.users.get(fields.get("assignee_id") or 0, {})
        if fields.get("assignee_id") is not None and assignee.get("role") not in ASSIGNABLE_ROLES:
            details["assignee"] = invalid_value("Assignee")
        return details

    def update_ticket(self, ticket_id: int, fields: dict[str, Any]) -> Json:
        """Apply a ticket update by the bridge's user; returns its audit."""
        with self.lock:
            events, ticket = [], self.tickets[ticket_id]
            comment = fields.pop("comment", None)
            if isinstance(comment, dict):
                self._comment(
                    ticket_id,
                    self.bridge_user_id,
                    str(comment.get("body", "")),
                    public=bool(comment.get("public", True)),
                )
                events.append(comment_event(self.comments[ticket_id][-1]))
            # D-tickets: additional_tags / remove_tags belong to bulk updates; a single-ticket
            # update ignores them, and ``tags`` replaces the ticket's list.
            fields.pop("additional_tags", None)
            fields.pop("remove_tags", None)
            for key in ("group_id", "assignee_id", "priority", "status", "tags"):
                if key in fields:
                    events.append(
                        {
                            "id": next(self.ids),
                            "type": "Change",
                            "field_name": key,
                            "value": fields[key],
                            "previous_value": ticket.get(key),
                        }
                    )
                    ticket[key] = fields[key]
            self._touch(ticket_id)
            return self.audit(ticket_id, self.bridge_user_id, events)

    def bulk_update(self, ticket_id: int, fields: dict[str, Any]) -> Json:
        """One ticket of an ``update_many`` job: as a single update, except that
        ``additional_tags``/``remove_tags`` add to and remove from the list (D-tickets)."""
        with self.lock:
            added, removed = fields.pop("additional_tags", None), fields.pop("remove_tags", None)
            if added or removed:
                tags = set(self.tickets[ticket_id]["tags"]) | set(added or ())
                fields["tags"] = sorted(tags - set(removed or ()))
            return self.update_ticket(ticket_id, fields)

    def change_tags(self, ticket_id: int, tags: list[str], *, add: bool) -> list[str]:
        """The tags API (OAS ``tags``): PUT adds to the list, DELETE removes from it."""
        with self.lock:
            ticket = self.tickets[ticket_id]
            current = set(ticket["tags"])
            ticket["tags"] = sorted(current | set(tags) if add else current - set(tags))
            self._touch(ticket_id)
            return list(ticket["tags"])

    def comment_slice(self, ticket_id: int, start: int, size: int) -> tuple[list[Json], bool]:
        """Comments from ``start`` on, oldest first, and whether more follow."""
        with self.lock:
            rows = self.comments[ticket_id][start : start + size]
            return rows, start + size < len(self.comments[ticket_id])

    def search_users(self, query: str) -> list[Json]:
        """``email:address`` matches exactly; anything else is a substring of name or email."""
        field, _, value = query.partition(":")
        with self.lock:
            if field == "email":
                return [u for u in self.users.values() if str(u["email"]).casefold() == value]
            return [
                u
                for u in self.users.values()
                if query in str(u["name"]).casefold() or query in str(u["email"]).casefold()
            ]

    def export_page(
        self, *, after: int | None, start_time: int, size: int, base_url: str
    ) -> tuple[list[Json], int, bool]:
        """One page of the incremental export: the tickets changed after the cursor position
        ``after`` (or, without one, since ``start_time`` in unix seconds) in change order, the
        position to resume after, and whether the stream has ended."""
        with self.lock:
            if after is None:
                order = sorted(
                    (s, i)
                    for i, s in self.changed.items()
                    if datetime.fromisoformat(
                        self.tickets[i]["updated_at"].replace("Z", "+00:00")
                    ).timestamp()
                    >= start_time
                )
                after = order[0][0] - 1 if order else max(self.changed.values(), default=0)
            else:
                order = sorted((s, i) for i, s in self.changed.items() if s > after)
            page = order[:size]
            rows = [
                {
                    **ticket_json(self.tickets[i], base_url),
                    "generated_timestamp": int(self.clock().timestamp()),
                }
                for _, i in page
            ]
            return rows, page[-1][0] if page else after, len(order) <= size

    def add_webhook(self, hook: Json) -> Json:
        with self.lock:
            hook.update(id=f"01SANDBOX{len(self.webhooks):017d}", secret=secrets.token_urlsafe(24))
            self.webhooks[hook["id"]] = hook
            return hook

    def add_trigger(self, trigger: Json) -> Json:
        with self.lock:
            trigger.setdefault("active", True)
            trigger["id"] = next(self.ids)
            self.triggers[trigger["id"]] = trigger
            return trigger

    # -- internals ---------------------------------------------------------------------------
    def _touch(self, ticket_id: int) -> None:
        self.tickets[ticket_id]["updated_at"] = iso(self.clock())
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
                "created_at": iso(self.clock()),
                "via": {"channel": "api"},
            }
        )
        self._touch(ticket_id)
        return comment_id


def _person(user_id: int, name: str, email: str, role: str) -> Json:
    return {
        "id": user_id,
        "name": name,
        "email": email,
        "role": role,
        "tags": [],
        "user_fields": {},
    }
