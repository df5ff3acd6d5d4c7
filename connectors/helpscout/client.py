"""Help Scout: conversations read and written through the Mailbox API 2.0 (OAuth2 client
credentials).

Every request and its body follow Help Scout's reference; ``sandbox/helpscout/FACTS.md`` lists
the sources. Writes are made as the user the app belongs to (``GET /v2/users/me``), which is
also who the loop guard recognises.
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
    AuthError,
    ChangeBatch,
    Check,
    Clock,
    ConnectorError,
    PermanentError,
    PolicyNeeds,
    Reference,
    RetryableError,
    SentLog,
)
from connectors.helpscout import doctor
from connectors.helpscout.inbound import made_by_user
from connectors.helpscout.mapping import (
    PRIORITY_TAGS,
    conversation_to_ticket,
    fields_to_defs,
    html_body,
    marked_thread,
    tag_names,
)
from connectors.helpscout.session import (
    REMAINING_HEADER,
    HelpScoutAdapter,
    TokenSource,
    write_costs_double,
)
from connectors.helpscout.settings import HelpScoutSettings
from connectors.helpscout.sync import fresh, list_pages, next_cursor, parse_cursor
from connectors.ratelimit import TokenBucket, plan_budget
from policies.fields import FieldDef
from policies.model import Priority, Status, Ticket

log = logging.getLogger(__name__)
CACHE_TTL = timedelta(minutes=15)
DEFAULT_TIMEOUT = 10.0
FIRST_SYNC_LOOKBACK = timedelta(days=1)
# What an update's status asks of ``PATCH /status`` (H-update).
STATUS_VALUES: dict[Status, str] = {
    Status.NEW: "active",
    Status.OPEN: "active",
    Status.PENDING: "pending",
    Status.HOLD: "pending",
    Status.SOLVED: "closed",
    Status.CLOSED: "closed",
}


class HelpScoutDesk:
    """The ``HelpDesk`` for Help Scout conversations, through requests."""

    name = "helpscout"

    def __init__(
        self,
        settings: HelpScoutSettings,
        *,
        clock: Clock,
        budget_share: float = 0.5,
        timeout: float = DEFAULT_TIMEOUT,
        lookback: timedelta = FIRST_SYNC_LOOKBACK,
    ) -> None:
        if settings.app_id is None or settings.app_secret is None:
            raise ValueError(
                "Help Scout is not configured: set HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET"
            )
        self.settings = settings
        self.url = settings.base_url
        self.web_url = settings.web_url
        self.timeout = timeout
        self.lookback = lookback

        def seconds() -> float:
            return clock().timestamp()

        self.bucket = TokenBucket(
            plan_budget(settings.rate_limit, budget_share), clock=seconds, name="helpscout"
        )
        self.adapter = HelpScoutAdapter(
            service="Help Scout",
            credential_hint="HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET",
            bucket=self.bucket,
            class_bucket=write_costs_double(self.bucket),
            remaining_header=REMAINING_HEADER,
            share=budget_share,
        )
        self.session = desk_session(self.adapter)
        self.session.headers.update({"Accept": "application/json"})
        self.tokens = TokenSource(
            self.session,
            self.url,
            app_id=settings.app_id,
            app_secret=settings.app_secret.get_secret_value(),
            seconds=seconds,
            timeout=timeout,
        )
        self._me: dict[str, Any] | None = None
        self._customers: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_TTL, clock)
        self._fields: TTLCache[str, tuple[FieldDef, ...]] = TTLCache(CACHE_TTL, clock)
        self.directory = DeskDirectory(
            "helpscout",
            list_groups=self._mailboxes,
            find_agent=self._user_with_email,
            ttl=CACHE_TTL,
            clock=clock,
        )

    @property
    def calls(self) -> int:
        return self.adapter.calls

    def budget_remaining(self) -> int:
        return self.bucket.remaining()

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request with the current token; a 401 means it expired early: a new token and
        one more try."""
        for attempt in (1, 2):
            headers = {"Authorization": self.tokens.bearer()}
            try:
                return self.session.request(
                    method, self.url + path, headers=headers, timeout=self.timeout, **kwargs
                )
            except AuthError as exc:
                if exc.status != 401 or attempt == 2:
                    raise
                self.tokens.forget()
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._send(method, path, **kwargs)
        return response.json() if response.content else {}

    def whoami(self) -> dict[str, Any]:
        """``GET /v2/users/me``: the user the app's token acts as (cached for the process)."""
        if self._me is None:
            self._me = dict(self._call("GET", "/v2/users/me"))
        return self._me

    def bridge_user_id(self) -> str:
        return str(self.whoami()["id"])

    # -- reading -----------------------------------------------------------------------------
    def fetch_ticket(self, ticket_id: str) -> Ticket:
        data = self._conversation(ticket_id)
        return conversation_to_ticket(
            data,
            bridge_user_id=self.bridge_user_id(),
            customer=self._customer(data),
            fields=self.ticket_fields(),
            web_url=self.web_url,
        )

    def _conversation(self, ticket_id: str) -> Mapping[str, Any]:
        if not (ticket_id.isascii() and ticket_id.isdigit()):
            raise PermanentError(f"Help Scout conversation ids are numbers, not {ticket_id!r}")
        return dict(
            self._call("GET", f"/v2/conversations/{ticket_id}", params={"embed": "threads"})
        )

    def _customer(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        customer_id = str_id((data.get("primaryCustomer") or {}).get("id"))
        if customer_id is None:
            return None
        found = self._customers.get(customer_id)
        if found is None:
            found = dict(self._call("GET", f"/v2/customers/{customer_id}"))
            self._customers.put(customer_id, found)
        return found

    def ticket_fields(self) -> tuple[FieldDef, ...]:
        """Every mailbox's custom fields (``GET /v2/mailboxes/{id}/fields``), cached."""
        found = self._fields.get("all")
        if found is None:
            found = fields_to_defs(self.field_rows())
            self._fields.put("all", found)
        return found

    def field_rows(self) -> list[Mapping[str, Any]]:
        rows: list[Mapping[str, Any]] = []
        for mailbox_id, _ in self._mailboxes():
            answer = self._call("GET", f"/v2/mailboxes/{mailbox_id}/fields")
            rows += [r for r in _embedded(answer, "fields") if isinstance(r, Mapping)]
        return rows

    def changes(self, cursor: str | None, now: datetime) -> ChangeBatch:
        """``GET /v2/conversations`` modified since the cursor (``connectors.helpscout.sync``)."""
        start = self.calls
        since, seen = parse_cursor(cursor) if cursor else (now - self.lookback, {})
        rows: dict[str, Mapping[str, Any]] = {}
        user_id = ""
        try:
            user_id = self.bridge_user_id()
            rows, prints = fresh(list_pages(self._call, since), seen)
            following = next_cursor(now, since, prints)
            complete = True
        except RetryableError as exc:
            # Nothing is reported from a listing cut short: the same cursor reads it again.
            log.info("helpscout sync paused: %s (retry in %ss)", exc, exc.retry_after)
            following, complete = cursor or next_cursor(since, since, {}), False
        tickets = tuple(
            conversation_to_ticket(row, bridge_user_id=user_id, web_url=self.web_url)
            for row in rows.values()
        )
        return ChangeBatch(
            ticket_ids=tuple(rows),
            next_cursor=following,
            tickets=tickets,
            calls=self.calls - start,
            complete=complete,
        )

    # -- writing -----------------------------------------------------------------------------
    def add_note(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        return self._post(ticket_id, "notes", {}, body, idempotency_key)

    def reply(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        """A reply goes to a customer, who must be named: the conversation's primary one."""
        data = self._conversation(ticket_id)
        customer = str_id((data.get("primaryCustomer") or {}).get("id"))
        if customer is None or not customer.isdigit():
            raise PermanentError(f"Help Scout conversation {ticket_id} has no customer to reply to")
        return self._post(
            ticket_id, "reply", {"customer": {"id": int(customer)}}, body, idempotency_key, data
        )

    def _post(
        self,
        ticket_id: str,
        kind: str,
        extra: dict[str, Any],
        body: str,
        key: str,
        data: Mapping[str, Any] | None = None,
    ) -> str:
        """Help Scout has no idempotency key: look for our marker before posting again. The
        new thread's id comes back in ``Resource-ID`` (the body is empty)."""
        existing = marked_thread(data if data is not None else self._conversation(ticket_id), key)
        if existing is not None:
            return existing
        text = html_body(with_marker(body, key))
        response = self._send(
            "POST", f"/v2/conversations/{ticket_id}/{kind}", json={**extra, "text": text}
        )
        return response.headers.get("Resource-ID") or ticket_id

    def find_marked_thread(self, ticket_id: str, idempotency_key: str) -> str | None:
        return marked_thread(self._conversation(ticket_id), idempotency_key)

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
        """Mailbox, assignee and status are one JSON-patch operation each, tags one set; each
        sent only when the conversation is not already so (a repeated delivery is harmless)."""
        data = self._conversation(ticket_id)
        if group_id:
            mailbox = self.directory.group_id(group_id)
            if str_id(data.get("mailboxId")) != mailbox:
                self._patch(ticket_id, "move", "/mailboxId", int(mailbox))
        current = str_id((data.get("assignee") or {}).get("id"))
        if assignee_id:
            user = self.directory.agent_id(assignee_id)
            if current != user:
                self._patch(ticket_id, "replace", "/assignTo", int(user))
        elif clear_assignee and current is not None:
            self._patch(ticket_id, "remove", "/assignTo")
        if status is not None and data.get("status") != STATUS_VALUES[status]:
            self._patch(ticket_id, "replace", "/status", STATUS_VALUES[status])
        self._retag(ticket_id, tag_names(data.get("tags")), add_tags, remove_tags, priority)

    def _patch(self, ticket_id: str, op: str, path: str, value: Any = None) -> None:
        """``PATCH /v2/conversations/{id}`` takes one operation object (H-update)."""
        operation: dict[str, Any] = {"op": op, "path": path}
        if value is not None:
            operation["value"] = value
        self._send("PATCH", f"/v2/conversations/{ticket_id}", json=operation)

    def _retag(
        self,
        ticket_id: str,
        current: list[str],
        add: Iterable[str],
        remove: Iterable[str],
        priority: Priority | None,
    ) -> None:
        """``PUT /tags`` replaces the whole set: read, merge, write. A priority is its tag
        (``priority-<level>``), replacing any other priority tag."""
        wanted = [t for t in current if t not in set(remove)]
        if priority is not None:
            wanted = [t for t in wanted if t not in PRIORITY_TAGS]
            add = [*add, f"priority-{priority.value}"]
        wanted += [t for t in dict.fromkeys(add) if t not in wanted]
        if set(wanted) != set(current):
            self._send("PUT", f"/v2/conversations/{ticket_id}/tags", json={"tags": wanted})

    def webhooks(self) -> list[Mapping[str, Any]]:
        """``GET /v2/webhooks`` (the secret is never listed)."""
        return _embedded(self._call("GET", "/v2/webhooks"), "webhooks")

    def create_webhook(self, body: Mapping[str, Any]) -> str:
        """``POST /v2/webhooks``: 201, the new webhook's id in ``Resource-ID``."""
        return self._send("POST", "/v2/webhooks", json=dict(body)).headers.get("Resource-ID", "?")

    # -- the directory -----------------------------------------------------------------------
    def _mailboxes(self) -> Iterator[tuple[str, str]]:
        """Help Scout's queues are its mailboxes (Teams are assignees, not queues)."""
        for mailbox in _embedded(self._call("GET", "/v2/mailboxes"), "mailboxes"):
            yield str(mailbox["id"]), str(mailbox["name"])

    def _user_with_email(self, email: str) -> str | None:
        answer = self._call("GET", "/v2/users", params={"email": email})
        for user in _embedded(answer, "users"):
            if str(user.get("email") or "").casefold() == email:
                return str(user["id"])
        return None

    # -- loop guard and delivery --------------------------------------------------------------
    def webhook_from_bridge(self, body: bytes) -> bool:
        """Without the bridge's own user id (Help Scout unreachable) the event counts as a
        person's: the re-read that follows is retried, so nothing is lost or looped."""
        try:
            user_id = self.bridge_user_id()
        except ConnectorError as exc:
            log.info("helpscout: loop guard without the bridge's user: %s", exc)
            return False
        return made_by_user(body, user_id)

    def deliver(self, action: Action, log: SentLog) -> Reference:
        return deliver_to_desk(self, action)

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]:
        """``bridge doctor``'s checks (``connectors.helpscout.doctor``)."""
        return doctor.diagnose(self, needs)

    def close(self) -> None:
        self.session.close()


def _embedded(answer: Any, key: str) -> list[Mapping[str, Any]]:
    """HAL lists: ``{"_embedded": {key: [...]}, "_links": …, "page": …}``."""
    rows = ((answer or {}).get("_embedded") or {}).get(key) or []
    return [row for row in rows if isinstance(row, Mapping)]
