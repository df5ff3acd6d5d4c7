"""Intercom: conversations read and written through the REST API (bearer token, API 2.11).

Every request and its body follow Intercom's reference; ``sandbox/intercom/FACTS.md`` lists the
sources. Writes are made as the bridge's admin (``INTERCOM_ADMIN_ID``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

from connectors._desk.common import TTLCache, str_id, with_marker
from connectors._desk.deliver import deliver_to_desk
from connectors._desk.directory import DeskDirectory
from connectors._desk.session import desk_session
from connectors.actions import Action
from connectors.base import (
    ChangeBatch,
    Check,
    Clock,
    PermanentError,
    PolicyNeeds,
    Reference,
    RetryableError,
    SentLog,
)
from connectors.intercom import doctor
from connectors.intercom.inbound import made_by_admin
from connectors.intercom.mapping import (
    attributes_to_fields,
    conversation_to_ticket,
    html_body,
    marked_part,
    part_with_marker,
)
from connectors.intercom.session import IntercomAdapter
from connectors.intercom.settings import API_VERSION, DEFAULT_URL, IntercomSettings
from connectors.intercom.sync import fresh, next_cursor, parse_cursor, search_pages
from connectors.intercom.tickets import (
    PREFIX,
    STATE_WRITES,
    TICKET_STATES,
    api_id,
    ticket_to_ticket,
)
from connectors.ratelimit import TokenBucket, plan_budget
from policies.fields import FieldDef
from policies.model import Priority, Status, Ticket

log = logging.getLogger(__name__)
CACHE_TTL = timedelta(minutes=15)
DEFAULT_TIMEOUT = 10.0
FIRST_SYNC_LOOKBACK = timedelta(days=1)
# Where people open a conversation; ``_`` stands for the workspace of the signed-in teammate.
INBOX_PATH = "/a/inbox/_/inbox/conversation"
INBOX_URL = "https://app.intercom.com" + INBOX_PATH
# What an update's status asks of Intercom's "manage a conversation" (``message_type``).
STATE_CHANGES: dict[Status, str] = {
    Status.OPEN: "open",
    Status.SOLVED: "close",
    Status.CLOSED: "close",
}


class IntercomDesk:
    """The ``HelpDesk`` for Intercom conversations, through requests."""

    name = "intercom"

    def __init__(
        self,
        settings: IntercomSettings,
        *,
        clock: Clock,
        budget_share: float = 0.5,
        timeout: float = DEFAULT_TIMEOUT,
        lookback: timedelta = FIRST_SYNC_LOOKBACK,
    ) -> None:
        if settings.access_token is None or settings.admin_id is None:
            raise ValueError(
                "Intercom is not configured: set INTERCOM_ACCESS_TOKEN and INTERCOM_ADMIN_ID"
            )
        self.settings = settings
        self.url = settings.base_url
        self.admin_id = settings.admin_id
        self.timeout = timeout
        self.lookback = lookback
        self.web_url = (
            INBOX_URL if self.url == DEFAULT_URL else f"{self.url}/a/inbox/_/inbox/conversation"
        )

        def seconds() -> float:
            return clock().timestamp()

        self.bucket = TokenBucket(
            plan_budget(settings.rate_limit, budget_share), clock=seconds, name="intercom"
        )
        self.adapter = IntercomAdapter(
            seconds=seconds,
            service="Intercom",
            credential_hint="INTERCOM_ACCESS_TOKEN",
            bucket=self.bucket,
            remaining_header="X-RateLimit-Remaining",
            share=budget_share,
        )
        self.session = desk_session(self.adapter)
        self.session.headers.update(
            {
                "Authorization": f"Bearer {settings.access_token.get_secret_value()}",
                "Intercom-Version": API_VERSION,
                "Accept": "application/json",
            }
        )
        self._contacts: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_TTL, clock)
        self._companies: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_TTL, clock)
        self._attributes: TTLCache[str, tuple[FieldDef, ...]] = TTLCache(CACHE_TTL, clock)
        self._tags: TTLCache[str, str] = TTLCache(CACHE_TTL, clock)
        self._tag_names: TTLCache[str, dict[str, str]] = TTLCache(CACHE_TTL, clock)
        self.directory = DeskDirectory(
            "intercom",
            list_groups=self._teams,
            find_agent=self._admin_with_email,
            ttl=CACHE_TTL,
            clock=clock,
        )

    @property
    def calls(self) -> int:
        return self.adapter.calls

    def budget_remaining(self) -> int:
        return self.bucket.remaining()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response: requests.Response = self.session.request(
            method, self.url + path, timeout=self.timeout, **kwargs
        )
        return response.json() if response.content else {}

    def bridge_user_id(self) -> str:
        return self.admin_id

    # -- reading -----------------------------------------------------------------------------
    def fetch_ticket(self, ticket_id: str) -> Ticket:
        data = self._conversation(ticket_id)
        contact = self._contact(data)
        company = self._company(contact)
        if api_id(ticket_id) is not None:
            return ticket_to_ticket(
                data,
                bridge_admin_id=self.admin_id,
                contact=contact,
                company=company,
                web_url=self.web_url,
            )
        return conversation_to_ticket(
            data,
            bridge_admin_id=self.admin_id,
            contact=contact,
            company=company,
            attributes=self.ticket_fields(),
            web_url=self.web_url,
            flagged=self.settings.flagged,
        )

    def _conversation(self, ticket_id: str) -> Mapping[str, Any]:
        """``GET /conversations/{id}``, or ``GET /tickets/{id}`` for a ticket (``t<id>``)."""
        return dict(self._call("GET", self._path(ticket_id)))

    def _path(self, ticket_id: str) -> str:
        """Conversations and tickets have separate ids and endpoints (FACTS.md I-tickets)."""
        ticket = api_id(ticket_id)
        if ticket is not None:
            return f"/tickets/{ticket}"
        if not ticket_id.isdigit():
            raise PermanentError(
                f"Intercom ids are numbers or t<number> (tickets), not {ticket_id!r}"
            )
        return f"/conversations/{ticket_id}"

    def _contact(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        contacts = (data.get("contacts") or {}).get("contacts") or []
        contact_id = str_id(contacts[0].get("id")) if contacts else None
        if contact_id is None:
            return None
        found = self._contacts.get(contact_id)
        if found is None:
            found = self._named_tags(dict(self._call("GET", f"/contacts/{contact_id}")))
            self._contacts.put(contact_id, found)
        return found

    def _named_tags(self, contact: dict[str, Any]) -> dict[str, Any]:
        """A contact lists its tags by reference only (``{type, id, url}``): the names, which
        a policy's VIP tags are, come from the workspace's tag list (``GET /tags``, cached)."""
        refs = (contact.get("tags") or {}).get("data") or []
        if not refs:
            return contact
        names = self._tag_names.get("all")
        if names is None:
            rows = self._call("GET", "/tags").get("data") or ()
            names = {str(row["id"]): str(row["name"]) for row in rows}
            self._tag_names.put("all", names)
        named = [{**ref, "name": ref.get("name") or names.get(str(ref.get("id")))} for ref in refs]
        return {**contact, "tags": {**contact["tags"], "data": named}}

    def _company(self, contact: Mapping[str, Any] | None) -> dict[str, Any] | None:
        companies = ((contact or {}).get("companies") or {}).get("data") or []
        company_id = str_id(companies[0].get("id")) if companies else None
        if company_id is None:
            return None
        found = self._companies.get(company_id)
        if found is None:
            found = dict(self._call("GET", f"/companies/{company_id}"))
            self._companies.put(company_id, found)
        return found

    def ticket_fields(self) -> tuple[FieldDef, ...]:
        """``GET /data_attributes?model=conversation``, cached for ``CACHE_TTL``."""
        found = self._attributes.get("conversation")
        if found is None:
            found = attributes_to_fields(self.attribute_rows())
            self._attributes.put("conversation", found)
        return found

    def attribute_rows(self) -> list[Mapping[str, Any]]:
        rows = self._call("GET", "/data_attributes", params={"model": "conversation"})
        return [row for row in rows.get("data") or () if isinstance(row, dict)]

    def whoami(self) -> dict[str, Any]:
        """``GET /me``: the admin the token belongs to, with its workspace (``app``)."""
        return dict(self._call("GET", "/me"))

    def admin(self, admin_id: str) -> dict[str, Any] | None:
        for row in self._call("GET", "/admins").get("admins") or ():
            if str(row.get("id")) == admin_id:
                return dict(row)
        return None

    def changes(self, cursor: str | None, now: datetime) -> ChangeBatch:
        """``POST /conversations/search`` on ``updated_at`` (``connectors.intercom.sync``)."""
        start = self.calls
        first = int((now - self.lookback).timestamp())
        since, seen = parse_cursor(cursor) if cursor else (first, set())
        rows: dict[str, Mapping[str, Any]] = {}
        tickets: dict[str, Mapping[str, Any]] = {}
        complete = True
        try:
            rows = fresh(search_pages(self._call, since), since, seen)
            tickets = fresh(search_pages(self._call, since, "tickets"), since, seen, PREFIX)
        except RetryableError as exc:
            # Search results come in no promised order: keep the watermark, read again later.
            log.info("intercom sync paused: %s (retry in %ss)", exc, exc.retry_after)
            complete = False
        mapped = [
            conversation_to_ticket(
                row,
                bridge_admin_id=self.admin_id,
                web_url=self.web_url,
                flagged=self.settings.flagged,
            )
            for row in rows.values()
        ]
        mapped += [
            ticket_to_ticket(row, bridge_admin_id=self.admin_id, web_url=self.web_url)
            for row in tickets.values()
        ]
        both = {**rows, **tickets}
        return ChangeBatch(
            ticket_ids=tuple(both),
            next_cursor=next_cursor(both if complete else {}, since, seen),
            tickets=tuple(mapped),
            calls=self.calls - start,
            complete=complete,
        )

    # -- writing -----------------------------------------------------------------------------
    def add_note(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        return self._post(ticket_id, "note", body, idempotency_key)

    def reply(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        return self._post(ticket_id, "comment", body, idempotency_key)

    def _post(self, ticket_id: str, message_type: str, body: str, key: str) -> str:
        """Intercom has no idempotency key: look for our marker before posting again."""
        existing = self.find_marked_part(ticket_id, key)
        if existing is not None:
            return existing
        answer = self._call(
            "POST",
            f"{self._path(ticket_id)}/reply",
            json={
                "message_type": message_type,
                "type": "admin",
                "admin_id": self.admin_id,
                "body": html_body(with_marker(body, key)),
            },
        )
        # A ticket's reply answers the new part; a conversation's answers the conversation.
        return str(answer["id"]) if api_id(ticket_id) else part_with_marker(answer, key)

    def find_marked_part(self, ticket_id: str, idempotency_key: str) -> str | None:
        return marked_part(self._conversation(ticket_id), idempotency_key)

    def update(
        self,
        ticket_id: str,
        *,
        group_id: str | None = None,
        assignee_id: str | None = None,
        priority: Priority | None = None,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
        status: Status | None = None,
        clear_assignee: bool = False,
    ) -> None:
        """Assignments, state and tags are separate calls on Intercom, each made only when the
        conversation is not already so (which keeps a repeated delivery harmless).
        ``clear_assignee`` assigns the admin ``0`` (unassigned) and leaves the team."""
        added, removed = set(add_tags), set(remove_tags)
        clear = clear_assignee and not assignee_id
        if api_id(ticket_id) is not None:
            self._update_ticket(ticket_id, group_id, assignee_id, status, clear=clear)
            if priority is not None or added or removed:
                log.info("intercom: ticket %s has no priority; its tags are left", ticket_id)
            return
        reads = added or removed or group_id or assignee_id or clear
        data = self._conversation(ticket_id) if reads else {}
        if group_id:
            team = self.directory.group_id(group_id)
            if str_id(data.get("team_assignee_id")) != team:
                self._manage(ticket_id, message_type="assignment", type="team", assignee_id=team)
        if assignee_id:
            admin = self.directory.agent_id(assignee_id)
            if str_id(data.get("admin_assignee_id")) != admin:
                self._manage(ticket_id, message_type="assignment", type="admin", assignee_id=admin)
        if clear and data.get("admin_assignee_id") is not None:
            # "Set 0 if you want this assign to no admin or team" (FACTS.md, I-manage).
            self._manage(ticket_id, message_type="assignment", type="admin", assignee_id="0")
        if priority is not None:
            # The priority flag cannot be set through the REST API (FACTS.md I-priority).
            log.info(
                "intercom: priority %s for conversation %s left to the team", priority, ticket_id
            )
        if status is not None:
            self._set_state(ticket_id, status)
        if added or removed:
            self._retag(ticket_id, data, added, removed)

    def _update_ticket(
        self,
        ticket_id: str,
        group_id: str | None,
        assignee_id: str | None,
        status: Status | None,
        *,
        clear: bool,
    ) -> None:
        """``PUT /tickets/{id}``: ``assignment`` names one assignee, admin or team, per call
        (``0`` unassigns), and ``state``; each is sent only when the ticket is not already so.
        The clearing goes first so that a hand-over's team is what stays."""
        data = self._conversation(ticket_id)
        wanted: list[str] = []
        if clear and str(data.get("admin_assignee_id") or "0") != "0":
            wanted.append("0")
        if group_id:
            team = self.directory.group_id(group_id)
            if str_id(data.get("team_assignee_id")) != team:
                wanted.append(team)
        if assignee_id:
            admin = self.directory.agent_id(assignee_id)
            if str_id(data.get("admin_assignee_id")) != admin:
                wanted.append(admin)
        for assignee in wanted:
            assignment = {"admin_id": self.admin_id, "assignee_id": assignee}
            self._call("PUT", self._path(ticket_id), json={"assignment": assignment})
        state = STATE_WRITES.get(status) if status is not None else None
        current = TICKET_STATES.get(str(data.get("ticket_state")))
        if state is not None and current is not TICKET_STATES[state]:
            self._call("PUT", self._path(ticket_id), json={"state": state})

    def _manage(self, ticket_id: str, **fields: Any) -> None:
        """``POST /conversations/{id}/parts``: an assignment's ``type`` is the assignee's kind
        (admin or team); a close is made by ``type: admin``; an open takes no ``type``."""
        body = {"admin_id": self.admin_id, **fields}
        self._call("POST", f"/conversations/{ticket_id}/parts", json=body)

    def _set_state(self, ticket_id: str, status: Status) -> None:
        message_type = STATE_CHANGES.get(status)
        if message_type is None:
            raise PermanentError(
                f"Intercom has no state for {status.value}: snoozing needs a time to wake up"
            )
        if message_type == "close":
            self._manage(ticket_id, message_type=message_type, type="admin")
        else:
            self._manage(ticket_id, message_type=message_type)

    def _retag(
        self, ticket_id: str, data: Mapping[str, Any], added: set[str], removed: set[str]
    ) -> None:
        current = {
            str(t.get("name")): str(t.get("id")) for t in (data.get("tags") or {}).get("tags") or ()
        }
        for name in sorted(added - set(current)):
            tag_id = self._tag_id(name)
            self._call(
                "POST",
                f"/conversations/{ticket_id}/tags",
                json={"id": tag_id, "admin_id": self.admin_id},
            )
        for name in sorted(removed & set(current)):
            self._call(
                "DELETE",
                f"/conversations/{ticket_id}/tags/{current[name]}",
                json={"admin_id": self.admin_id},
            )

    def _tag_id(self, name: str) -> str:
        """``POST /tags`` creates the tag or answers the existing one with that name."""
        found = self._tags.get(name)
        if found is None:
            found = str(self._call("POST", "/tags", json={"name": name})["id"])
            self._tags.put(name, found)
        return found

    # -- the directory -----------------------------------------------------------------------
    def _teams(self) -> Iterator[tuple[str, str]]:
        for team in self._call("GET", "/teams").get("teams") or ():
            yield str(team["id"]), str(team["name"])

    def _admin_with_email(self, email: str) -> str | None:
        for admin in self._call("GET", "/admins").get("admins") or ():
            if str(admin.get("email") or "").casefold() == email:
                return str(admin["id"])
        return None

    # -- loop guard and delivery --------------------------------------------------------------
    def webhook_from_bridge(self, body: bytes) -> bool:
        return made_by_admin(body, self.admin_id)

    def deliver(self, action: Action, log: SentLog) -> Reference:
        return deliver_to_desk(self, action)

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]:
        """``bridge doctor``'s checks (``connectors.intercom.doctor``)."""
        return doctor.diagnose(self, needs)

    def close(self) -> None:
        self.session.close()
