"""Freshdesk: tickets read and written through the REST API v2 (Basic auth ``api_key:X``)."""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from connectors._desk.common import TTLCache, has_marker, parse_time, str_id, with_marker
from connectors._desk.deliver import deliver_to_desk
from connectors._desk.directory import freshdesk_directory
from connectors._desk.session import DeskAdapter, desk_session
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
from connectors.freshdesk import doctor
from connectors.freshdesk.fields import field_defs_from_api
from connectors.freshdesk.limits import class_buckets
from connectors.freshdesk.mapping import PRIORITIES, STATUSES, ticket_from_api_bundle
from connectors.freshdesk.settings import FreshdeskSettings
from connectors.ratelimit import TokenBucket, plan_budget
from policies.fields import FieldDef
from policies.model import Priority, Status, Ticket

log = logging.getLogger(__name__)
PAGE_SIZE = 100
MAX_PAGES = 300  # the list endpoint stops at page 300; the watermark rolls on
CACHE_TTL = timedelta(minutes=15)
DEFAULT_TIMEOUT = 10.0
FIRST_SYNC_LOOKBACK = timedelta(days=1)


class FreshdeskDesk:
    """The ``HelpDesk`` for Freshdesk, through requests (Basic auth ``api_key:X``)."""

    name = "freshdesk"

    def __init__(
        self,
        settings: FreshdeskSettings,
        *,
        clock: Clock,
        budget_share: float = 0.5,
        timeout: float = DEFAULT_TIMEOUT,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
        lookback: timedelta = FIRST_SYNC_LOOKBACK,
    ) -> None:
        if settings.api_key is None:
            raise ValueError(
                "Freshdesk is not configured: set FRESHDESK_DOMAIN and FRESHDESK_API_KEY"
            )
        self.settings = settings
        self.url = settings.base_url
        self.status_map = settings.statuses
        self.timeout = timeout
        self.page_size = page_size
        self.max_pages = max_pages
        self.lookback = lookback

        def seconds() -> float:
            return clock().timestamp()

        limits = settings.limits
        self.bucket = TokenBucket(
            plan_budget(limits.total, budget_share), clock=seconds, name="freshdesk"
        )
        self.adapter = DeskAdapter(
            service="Freshdesk",
            credential_hint="FRESHDESK_API_KEY",
            bucket=self.bucket,
            class_bucket=class_buckets(limits, budget_share, seconds),
            remaining_header="X-RateLimit-Remaining",
            share=budget_share,
        )
        self.session = desk_session(self.adapter)
        self.session.auth = (settings.api_key.get_secret_value(), "X")
        self._contacts: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_TTL, clock)
        self._companies: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_TTL, clock)
        self._agents: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_TTL, clock)
        self._fields: TTLCache[str, list[Any]] = TTLCache(CACHE_TTL, clock)
        self.directory = freshdesk_directory(
            get=self._get, paged=self._paged, ttl=CACHE_TTL, clock=clock
        )
        self._me: str | None = None

    @property
    def calls(self) -> int:
        return self.adapter.calls

    def budget_remaining(self) -> int:
        return self.bucket.remaining()

    def _call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if url.startswith("/"):
            url = self.url + url
        return self.session.request(method, url, timeout=self.timeout, **kwargs)

    def _get(self, path: str, **params: Any) -> Any:
        return self._call("GET", path, params=params or None).json()

    def _paged(self, path: str, **params: Any) -> Iterator[Mapping[str, Any]]:
        """Follow ``Link: <…>; rel="next"`` until the desk stops sending it."""
        response = self._call("GET", path, params=params)
        while True:
            yield from response.json()
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return
            response = self._call("GET", next_url)

    def bridge_user_id(self) -> str:
        if self._me is None:
            self._me = str(self._get("/api/v2/agents/me")["id"])
        return self._me

    # -- reading -----------------------------------------------------------------------------
    def fetch_ticket(self, ticket_id: str) -> Ticket:
        data = dict(self._get(f"/api/v2/tickets/{int(ticket_id)}", include="stats,requester"))
        data["conversations"] = list(self._conversations(ticket_id))
        data["contact"] = self._cached(self._contacts, "contacts", data.get("requester_id"))
        data["company"] = self._cached(self._companies, "companies", data.get("company_id"))
        data["agent"] = self._assignee(data.get("responder_id"))
        data["ticket_fields"] = self._ticket_field_rows()
        if data.get("status") in (4, 5):  # surveys go out on resolution
            data["satisfaction_ratings"] = self._get(
                f"/api/v2/tickets/{int(ticket_id)}/satisfaction_ratings"
            )
        return ticket_from_api_bundle(
            data,
            status_map=self.status_map,
            bridge_user_id=self.bridge_user_id(),
            base_url=self.url,
        )

    def ticket_fields(self) -> tuple[FieldDef, ...]:
        """``GET /api/v2/ticket_fields``, cached for ``CACHE_TTL``."""
        return field_defs_from_api(self._ticket_field_rows())

    def _ticket_field_rows(self) -> list[Any]:
        rows = self._fields.get("all")
        if rows is None:
            rows = list(self._get("/api/v2/ticket_fields"))
            self._fields.put("all", rows)
        return rows

    def _conversations(self, ticket_id: str) -> Iterator[Mapping[str, Any]]:
        return self._paged(f"/api/v2/tickets/{int(ticket_id)}/conversations", per_page=100)

    def _cached(
        self, cache: TTLCache[str, dict[str, Any]], kind: str, key_value: object
    ) -> dict[str, Any] | None:
        key = str_id(key_value)
        if key is None:
            return None
        value = cache.get(key)
        if value is None:
            value = dict(self._get(f"/api/v2/{kind}/{int(key)}"))
            cache.put(key, value)
        return value

    def _assignee(self, responder_id: object) -> dict[str, Any] | None:
        """The assignee's agent record (``GET /api/v2/agents/{id}``, "View an Agent"): its
        ``contact.name`` names the owner in messages. An agent deleted since is no reason to
        fail the whole read."""
        try:
            return self._cached(self._agents, "agents", responder_id)
        except PermanentError as exc:
            if exc.status != 404:
                raise
            return None

    def changes(self, cursor: str | None, now: datetime) -> ChangeBatch:
        """Tickets updated since the watermark, oldest first, past the 300-page cap."""
        start = self.calls
        watermark, seen = _parse_cursor(cursor) if cursor else (now - self.lookback, set())
        latest: dict[str, Mapping[str, Any]] = {}
        complete = True
        try:
            while True:
                rolled, fresh = False, 0
                for page_number, page in enumerate(self._updated_pages(watermark), start=1):
                    for row in page:
                        key = (str(row["id"]), str(row.get("updated_at")))
                        if key in seen:
                            continue
                        fresh += 1
                        latest.pop(key[0], None)
                        latest[key[0]] = row
                        stamp = parse_time(row.get("updated_at")) or watermark
                        if stamp > watermark:
                            watermark, seen = stamp, set()
                        seen.add(key)
                    if page_number >= self.max_pages and len(page) == self.page_size:
                        rolled = True
                        break
                if not rolled:
                    break
                if not fresh:
                    # More than max_pages of tickets share one second: the watermark cannot move.
                    complete = False
                    break
        except RetryableError as exc:
            log.info("freshdesk sync paused: %s (retry in %ss)", exc, exc.retry_after)
            complete = False
        tickets = tuple(
            ticket_from_api_bundle(row, status_map=self.status_map, base_url=self.url)
            for row in latest.values()
        )
        return ChangeBatch(
            ticket_ids=tuple(latest),
            next_cursor=_format_cursor(watermark, seen),
            tickets=tickets,
            calls=self.calls - start,
            complete=complete,
        )

    def _updated_pages(self, since: datetime) -> Iterator[list[Mapping[str, Any]]]:
        response = self._call(
            "GET",
            "/api/v2/tickets",
            params={
                "updated_since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "order_by": "updated_at",
                "order_type": "asc",
                "per_page": self.page_size,
            },
        )
        while True:
            yield list(response.json())
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return
            response = self._call("GET", next_url)

    # -- writing -----------------------------------------------------------------------------
    def add_note(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        return self._post(ticket_id, "notes", body, idempotency_key, private=True)

    def reply(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        return self._post(ticket_id, "reply", body, idempotency_key, private=None)

    def _post(self, ticket_id: str, kind: str, body: str, key: str, *, private: bool | None) -> str:
        """Freshdesk has no idempotency key: look for our marker before posting again."""
        existing = self.find_marked_comment(ticket_id, key)
        if existing is not None:
            return existing
        payload: dict[str, Any] = {"body": _html(with_marker(body, key))}
        if private is not None:
            payload["private"] = private
        response = self._call("POST", f"/api/v2/tickets/{int(ticket_id)}/{kind}", json=payload)
        return str(response.json()["id"])

    def find_marked_comment(self, ticket_id: str, idempotency_key: str) -> str | None:
        for item in self._conversations(ticket_id):
            if has_marker(str(item.get("body_text") or item.get("body") or ""), idempotency_key):
                return str(item["id"])
        return None

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
        """``tags`` replaces the list on Freshdesk, so tags are read, merged and written back.

        Group and assignee may be ids, a group name or an agent e-mail (``DeskDirectory``).
        ``clear_assignee`` is not sent: Freshdesk documents ``responder_id`` as an agent's id and
        no way to unassign a ticket (FACTS.md, F-unassign), so the previous agent stays assigned
        and the bridge's ownership check does not count them as the new owner."""
        if clear_assignee and not assignee_id:
            log.info(
                "freshdesk: ticket %s keeps its agent (no documented way to unassign)", ticket_id
            )
        payload: dict[str, Any] = {}
        if group_id:
            payload["group_id"] = int(self.directory.group_id(group_id))
        if assignee_id:
            payload["responder_id"] = int(self.directory.agent_id(assignee_id))
        if priority:
            payload["priority"] = PRIORITY_CODES[priority]
        if status:
            payload["status"] = STATUS_CODES[status]
        added, removed = set(add_tags), set(remove_tags)
        if added or removed:
            current = self._get(f"/api/v2/tickets/{int(ticket_id)}").get("tags") or []
            merged = [t for t in current if t not in removed]
            merged += sorted(added - set(merged))
            if merged != current:
                payload["tags"] = merged
        if payload:
            self._call("PUT", f"/api/v2/tickets/{int(ticket_id)}", json=payload)

    # -- loop guard and delivery --------------------------------------------------------------
    def webhook_from_bridge(self, body: bytes) -> bool:
        """The automation webhook body names no actor; the rule itself excludes the bridge's
        agent (``bridge setup freshdesk``), and the bridge's notes carry its marker."""
        return False

    def deliver(self, action: Action, log: SentLog) -> Reference:
        return deliver_to_desk(self, action)

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]:
        """``bridge doctor``'s checks (``connectors.freshdesk.doctor``)."""
        return doctor.diagnose(self, needs)

    def close(self) -> None:
        self.session.close()


PRIORITY_CODES: dict[Priority, int] = {p: code for code, p in PRIORITIES.items()}
# The built-in statuses (custom ones are the account's own); new and on hold have none.
STATUS_CODES: dict[Status, int] = {s: code for code, s in STATUSES.items()}


def _html(text: str) -> str:
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())


def _format_cursor(watermark: datetime, seen: set[tuple[str, str]]) -> str:
    ids = ",".join(sorted(ticket_id for ticket_id, _ in seen))
    return f"{watermark.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}|{ids}"


def _parse_cursor(cursor: str) -> tuple[datetime, set[tuple[str, str]]]:
    """``<watermark>|<ids already seen at exactly that second>`` (updated_since is inclusive)."""
    stamp, _, ids = cursor.partition("|")
    watermark = parse_time(stamp)
    if watermark is None:
        raise ValueError(f"not a Freshdesk sync cursor: {cursor!r}")
    text = watermark.strftime("%Y-%m-%dT%H:%M:%SZ")
    return watermark, {(i, text) for i in ids.split(",") if i}
