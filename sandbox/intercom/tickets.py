"""The Intercom stand-in's tickets (API 2.11): ids of their own, ``ticket_state``, attributes by
name (``_default_title_``, ``_default_description_``) and ``ticket_parts``; the calls
``GET``/``PUT /tickets/{id}``, ``POST /tickets/{id}/reply`` and ``POST /tickets/search``, checked
as Intercom checks them (FACTS.md, Tickets)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from flask import Response, jsonify, request

from sandbox.intercom.search import search_page
from sandbox.intercom.state import BRIDGE_ADMIN_ID, IntercomState
from sandbox.intercom.wire import REPLY_TYPES, Json, error_list, unix

if TYPE_CHECKING:
    from sandbox.intercom.routes import IntercomSandbox

TICKET_STATES = ("submitted", "in_progress", "waiting_on_customer", "resolved")
# ``PUT /tickets/{id}``'s ``state``: "submitted" is where a ticket starts, not a state to set.
SETTABLE_STATES = TICKET_STATES[1:]
TICKET_TYPE = {
    "type": "ticket_type",
    "id": "108",
    "name": "Bug",
    "description": "Something is broken",
    "category": "Customer",
    "archived": False,
}


class IntercomTickets(IntercomState):
    def reset(self) -> None:
        super().reset()
        # Tickets have ids of their own, apart from the conversations' (from 700 here).
        self.ticket_ids = itertools.count(700)
        self.inbox_ids = itertools.count(1)
        self.tickets: dict[str, Json] = {}
        self.ticket_parts: dict[str, list[Json]] = {}

    def create_ticket(
        self,
        title: str,
        description: str,
        *,
        contact_id: str | None = None,
        **attributes: Any,
    ) -> str:
        """A customer ticket of the type "Bug", as ``POST /tickets`` makes one (submitted)."""
        with self.lock:
            ticket_id = str(next(self.ticket_ids))
            contact = contact_id or self.add_contact(
                f"Customer {ticket_id}", f"t{ticket_id}@example.com"
            )
            now = unix(self.clock())
            self.tickets[ticket_id] = {
                "type": "ticket",
                "id": ticket_id,
                "ticket_id": str(next(self.inbox_ids)),
                "category": "Customer",
                "ticket_attributes": {
                    "_default_title_": title,
                    "_default_description_": description,
                    **attributes,
                },
                "ticket_state": "submitted",
                "ticket_type": dict(TICKET_TYPE),
                "contacts": {
                    "type": "contact.list",
                    "contacts": [{"type": "contact", "id": contact, "external_id": None}],
                },
                "admin_assignee_id": "0",
                "team_assignee_id": "0",
                "created_at": now,
                "updated_at": now,
                "open": True,
                "snoozed_until": None,
                "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": False},
                "is_shared": True,
                "ticket_state_internal_label": "Submitted",
                "ticket_state_external_label": "Submitted",
            }
            self.ticket_parts[ticket_id] = []
            return ticket_id

    def ticket_view(self, ticket_id: str, *, with_parts: bool = True) -> Json:
        with self.lock:
            found = dict(self.tickets[ticket_id])
            if with_parts:
                parts = [dict(p) for p in self.ticket_parts[ticket_id]]
                found["ticket_parts"] = {
                    "type": "ticket_part.list",
                    "ticket_parts": parts,
                    "total_count": len(parts),
                }
            return found

    def ticket_part(
        self, ticket_id: str, kind: str, body: str | None, author: Json, **extra: Any
    ) -> Json:
        with self.lock:
            now = unix(self.clock())
            part = {
                "type": "ticket_part",
                "id": str(next(self.part_ids)),
                "part_type": kind,
                "body": body,
                "created_at": now,
                "updated_at": now,
                "author": author,
                "attachments": [],
                "redacted": False,
                **extra,
            }
            self.ticket_parts[ticket_id].append(part)
            self.tickets[ticket_id]["updated_at"] = now
            return dict(part)

    def customer_ticket_reply(self, ticket_id: str, body: str) -> None:
        """The customer writes on the ticket (a ``comment`` part by the contact)."""
        with self.lock:
            contact = self.tickets[ticket_id]["contacts"]["contacts"][0]["id"]
            author = {"type": "user", "id": contact}
            self.ticket_part(ticket_id, "comment", f"<p>{body}</p>", author)

    def set_ticket_state(self, ticket_id: str, state: str, *, by: str) -> None:
        with self.lock:
            ticket = self.tickets[ticket_id]
            previous, ticket["ticket_state"] = ticket["ticket_state"], state
            ticket["open"] = state != "resolved"
            label = state.replace("_", " ").capitalize()
            ticket["ticket_state_internal_label"] = ticket["ticket_state_external_label"] = label
            self.ticket_part(
                ticket_id,
                "ticket_state_updated_by_admin",
                None,
                self._author(by),
                ticket_state=state,
                previous_ticket_state=previous,
            )


def _answer(status: int, body: Json) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _json() -> Json:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def register_tickets(sb: IntercomSandbox) -> None:
    app = sb.app

    def find(ticket_id: str) -> Response | None:
        if ticket_id in sb.tickets:
            return None
        return _answer(404, error_list("ticket_not_found", "Ticket not found"))

    @app.get("/tickets/<ticket_id>")
    def show_ticket(ticket_id: str) -> Any:
        if (stop := sb._enter("tickets.get") or find(ticket_id)) is not None:
            return stop
        return jsonify(sb.ticket_view(ticket_id))

    @app.put("/tickets/<ticket_id>")
    def update_ticket(ticket_id: str) -> Any:
        if (stop := sb._enter("tickets.update") or find(ticket_id)) is not None:
            return stop
        body = _json()
        state = body.get("state")
        if state is not None and state not in SETTABLE_STATES:
            return _answer(400, error_list("parameter_invalid", f"state {state} is not valid"))
        assignment = body.get("assignment")
        if assignment is not None:
            if not isinstance(assignment, dict):
                return _answer(400, error_list("parameter_invalid", "assignment is invalid"))
            if (stop := sb._admin_check(assignment)) is not None:
                return stop
            assignee = str(assignment.get("assignee_id") or "")
            if assignee != "0" and assignee not in sb.admins and assignee not in sb.teams:
                return _answer(404, error_list("assignee_not_found", "Assignee not found"))
        with sb.lock:
            ticket = sb.tickets[ticket_id]
            if assignment is not None:
                by = str(assignment["admin_id"])
                if assignee == "0":
                    ticket["admin_assignee_id"] = "0"
                else:
                    key = "team_assignee_id" if assignee in sb.teams else "admin_assignee_id"
                    ticket[key] = assignee
                kind = "team" if assignee in sb.teams else "admin"
                sb.ticket_part(
                    ticket_id,
                    "assignment",
                    None,
                    sb._author(by),
                    assigned_to={"type": kind, "id": assignee},
                )
            if state is not None:
                # The change is the token's admin's (``GET /me``): the body names no admin for it.
                sb.set_ticket_state(ticket_id, str(state), by=BRIDGE_ADMIN_ID)
        return jsonify(sb.ticket_view(ticket_id))

    @app.post("/tickets/<ticket_id>/reply")
    def reply_ticket(ticket_id: str) -> Any:
        if (stop := sb._enter("tickets.reply") or find(ticket_id)) is not None:
            return stop
        body = _json()
        if body.get("type") != "admin" or body.get("message_type") not in REPLY_TYPES:
            message = "message_type must be comment or note, type admin"
            return _answer(400, error_list("parameter_invalid", message))
        if (stop := sb._admin_check(body)) is not None:
            return stop
        if not str(body.get("body") or "").strip():
            return _answer(400, error_list("parameter_not_found", "body is required"))
        author = sb._author(str(body["admin_id"]))
        return jsonify(sb.ticket_part(ticket_id, str(body["message_type"]), body["body"], author))

    @app.post("/tickets/search")
    def search_tickets() -> Any:
        if (stop := sb._enter("tickets.search")) is not None:
            return stop
        body = _json()
        if not isinstance(body.get("query"), dict):
            return _answer(400, error_list("parameter_invalid", "query is required"))
        with sb.lock:
            rows = [sb.ticket_view(i, with_parts=False) for i in sb.tickets]
        page = search_page(rows, body["query"], body.get("pagination") or {})
        return jsonify(
            {
                "type": "ticket.list",
                "tickets": page["conversations"],
                "total_count": page["total_count"],
                "pages": page["pages"],
            }
        )
