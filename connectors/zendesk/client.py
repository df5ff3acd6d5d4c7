"""Zendesk: tickets read and written through zenpy, over an HTTP session the bridge owns."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment as ZComment
from zenpy.lib.api_objects import Ticket as ZTicket

from connectors._desk.common import TTLCache, has_marker, str_id, with_marker
from connectors._desk.deliver import deliver_to_desk
from connectors._desk.directory import zendesk_directory
from connectors._desk.session import DeskAdapter, desk_session
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
from connectors.ratelimit import TokenBucket, plan_budget
from connectors.zendesk import bulk, doctor
from connectors.zendesk.changes import SyncSource, export_changes, search_changes, source_for
from connectors.zendesk.inbound import webhook_actor_id
from connectors.zendesk.mapping import field_defs_from_api, ticket_from_api_bundle
from connectors.zendesk.settings import ZendeskSettings
from policies.fields import FieldDef
from policies.model import Priority, Status, Ticket

log = logging.getLogger(__name__)
CREDENTIALS = "ZENDESK_EMAIL/ZENDESK_API_TOKEN"
# The incremental export has a limit of its own: 10 requests/minute, 30 with High Volume.
INCREMENTAL_PER_MINUTE = 10
EXPORT_PAGE_SIZE = 1000
CACHE_TTL = timedelta(minutes=15)
DEFAULT_TIMEOUT = 10.0
FIRST_SYNC_LOOKBACK = timedelta(days=1)


class ZendeskDesk:
    """The ``HelpDesk`` for Zendesk, through zenpy over a session we own."""

    name = "zendesk"

    def __init__(
        self,
        settings: ZendeskSettings,
        *,
        clock: Clock,
        budget_share: float = 0.5,
        timeout: float = DEFAULT_TIMEOUT,
        incremental_per_minute: int = INCREMENTAL_PER_MINUTE,
        page_size: int = EXPORT_PAGE_SIZE,
        lookback: timedelta = FIRST_SYNC_LOOKBACK,
    ) -> None:
        if settings.api_token is None:
            raise ValueError("Zendesk is not configured: set ZENDESK_API_TOKEN and the rest")
        self.settings = settings
        self.page_size = page_size
        self.lookback = lookback
        self.timeout = timeout
        self._clock = clock

        def seconds() -> float:
            return clock().timestamp()

        self.bucket = TokenBucket(
            plan_budget(settings.rate_limit, budget_share), clock=seconds, name="zendesk"
        )
        self.export_bucket = TokenBucket(
            incremental_per_minute, clock=seconds, name="zendesk incremental export"
        )
        rewrite = None
        if settings.base_url.rstrip("/") != settings.canonical_url:
            rewrite = (settings.canonical_url, settings.base_url.rstrip("/"))
        self.adapter = DeskAdapter(
            service="Zendesk",
            credential_hint=CREDENTIALS,
            bucket=self.bucket,
            path_buckets=[("/incremental/", self.export_bucket)],
            rewrite=rewrite,
        )
        self.session = desk_session(self.adapter)
        self.client = Zenpy(
            subdomain=settings.subdomain,
            email=settings.email,
            token=settings.api_token.get_secret_value(),
            disable_cache=True,
            session=self.session,
            timeout=timeout,
        )
        self._users: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_TTL, clock)
        self._orgs: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_TTL, clock)
        self._fields: TTLCache[str, list[dict[str, Any]]] = TTLCache(CACHE_TTL, clock)
        self.directory = zendesk_directory(self.client, ttl=CACHE_TTL, clock=clock)
        self._me: dict[str, Any] | None = None
        self._source: SyncSource | None = None

    @property
    def calls(self) -> int:
        """Requests sent so far (including refused ones that reached the desk)."""
        return self.adapter.calls

    def budget_remaining(self) -> int:
        return self.bucket.remaining()

    def bridge_user_id(self) -> str:
        return str(self.bridge_user()["id"])

    def bridge_user(self) -> dict[str, Any]:
        """The API user the bridge acts as (``GET /api/v2/users/me``): id, role, e-mail."""
        if self._me is None:
            self._me = self._api("GET", "/users/me.json").json()["user"]
        return self._me

    # -- reading -----------------------------------------------------------------------------
    def fetch_ticket(self, ticket_id: str) -> Ticket:
        """The ticket with ``slas``, its comments, its audits (the exact status history), its
        requester and organization, and the account's ticket fields (cached)."""
        raw = self.client.tickets(id=int(ticket_id), include=["slas"]).to_dict()
        comments = [c.to_dict() for c in self.client.tickets.comments(ticket=int(ticket_id))]
        audits = [a.to_dict() for a in self.client.tickets.audits(ticket=int(ticket_id))]
        # The assignee's record names the owner in messages (cached like the requester's).
        people = dict.fromkeys(
            str(raw.get(k)) for k in ("requester_id", "assignee_id") if raw.get(k)
        )
        users = [u for u in map(self._user, people) if u]
        orgs = [o for o in [self._org(raw.get("organization_id"))] if o]
        bundle = {
            "ticket": raw,
            "comments": comments,
            "audits": audits,
            "users": users,
            "organizations": orgs,
            "ticket_fields": self._ticket_field_rows(),
        }
        return ticket_from_api_bundle(bundle, bridge_user_id=self.bridge_user_id())

    def ticket_fields(self) -> tuple[FieldDef, ...]:
        """``GET /api/v2/ticket_fields.json``, cached for ``CACHE_TTL``."""
        return field_defs_from_api(self._ticket_field_rows())

    def _ticket_field_rows(self) -> list[dict[str, Any]]:
        rows = self._fields.get("all")
        if rows is None:
            rows = [field.to_dict() for field in self.client.ticket_fields()]
            self._fields.put("all", rows)
        return rows

    def _user(self, user_id: object) -> dict[str, Any] | None:
        key = str_id(user_id)
        if key is None:
            return None
        cached = self._users.get(key)
        if cached is None:
            cached = self.client.users(id=int(key)).to_dict()
            self._users.put(key, cached)
        return cached

    def _org(self, org_id: object) -> dict[str, Any] | None:
        key = str_id(org_id)
        if key is None:
            return None
        cached = self._orgs.get(key)
        if cached is None:
            cached = self.client.organizations(id=int(key)).to_dict()
            self._orgs.put(key, cached)
        return cached

    def changes(self, cursor: str | None, now: datetime) -> ChangeBatch:
        """What changed since ``cursor``, through the export the bridge's role allows."""
        if self.sync_source() is SyncSource.EXPORT:
            try:
                return export_changes(self, cursor, now)
            except AuthError as exc:
                if exc.status != 403:
                    raise
                log.warning(
                    "zendesk: the incremental export is for admins (%s); finding changed tickets "
                    "through the search export instead. Make %s an admin to use the export.",
                    exc,
                    self.settings.email,
                )
                self._source = SyncSource.SEARCH
        return search_changes(self, cursor, now)

    def sync_source(self) -> SyncSource:
        """Which API finds changed tickets: the incremental export for an admin, else search."""
        if self._source is None:
            self._source = source_for(self.bridge_user()["role"])
            log.info("zendesk: changed tickets come from the %s", self._source.value)
        return self._source

    def _export_page(self, **query: Any) -> Mapping[str, Any]:
        generator = self.client.tickets.incremental(per_page=self.page_size, **query)
        # zenpy's generator would page on by itself; the raw page keeps us in charge of paging.
        page: Mapping[str, Any] = generator._response_json
        return page

    # -- writing -----------------------------------------------------------------------------
    def add_note(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        return self._post(ticket_id, body, public=False, idempotency_key=idempotency_key)

    def reply(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        return self._post(ticket_id, body, public=True, idempotency_key=idempotency_key)

    def _post(self, ticket_id: str, body: str, *, public: bool, idempotency_key: str) -> str:
        """Post once: a retry after a lost response finds the marker and returns that comment."""
        existing = self.find_marked_comment(ticket_id, idempotency_key)
        if existing is not None:
            return existing
        ticket = ZTicket(id=int(ticket_id))
        ticket.comment = ZComment(body=with_marker(body, idempotency_key), public=public)
        audit = self.client.tickets.update(ticket)
        for event in _audit_events(audit):
            if event.get("type") == "Comment":
                return str(event["id"])
        return self.find_marked_comment(ticket_id, idempotency_key) or ""

    def find_marked_comment(self, ticket_id: str, idempotency_key: str) -> str | None:
        for comment in self.client.tickets.comments(ticket=int(ticket_id)):
            if has_marker(str(comment.body or ""), idempotency_key):
                return str(comment.id)
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
        """One ticket PUT for group, assignee and priority; tags through the tags API.

        A single-ticket ``PUT /api/v2/tickets/{id}`` replaces ``tags`` and ignores
        ``additional_tags``/``remove_tags`` (bulk updates only), so tags go through
        ``PUT``/``DELETE /api/v2/tickets/{id}/tags``, which add and remove without touching the
        others, as safe updates (``updated_stamp``: a 409 if someone changed the ticket
        meanwhile, retried by the outbox). https://developer.zendesk.com/api-reference/ticketing/ticket-management/tags/

        ``group_id``/``assignee_id`` may be ids, a group name or an agent e-mail (see
        ``DeskDirectory``); an unknown name raises ``PermanentError`` before anything is written.
        ``clear_assignee`` (without an assignee) sends ``"assignee_id": null``: the ticket stays
        in its group with nobody assigned (FACTS.md, D-unassign).
        """
        fields: dict[str, Any] = {
            "group_id": int(self.directory.group_id(group_id)) if group_id else None,
            "assignee_id": int(self.directory.agent_id(assignee_id)) if assignee_id else None,
            "priority": priority.value if priority else None,
            "status": status.value if status else None,
        }
        fields = {key: value for key, value in fields.items() if value is not None}
        clear = clear_assignee and not assignee_id
        if fields or clear:
            ticket = ZTicket(id=int(ticket_id), **fields)
            if clear:
                # zenpy drops a None given to the constructor and sends an attribute set after
                # it, so the null goes on the wire.
                ticket.assignee_id = None
            self.client.tickets.update(ticket)
        added, removed = set(add_tags), set(remove_tags)
        if added or removed:
            self._change_tags(int(ticket_id), added, removed)

    def _change_tags(self, ticket_id: int, added: set[str], removed: set[str]) -> None:
        for method, wanted in (("PUT", added), ("DELETE", removed)):
            current = self._api("GET", f"/tickets/{ticket_id}.json").json()["ticket"]
            present = set(current.get("tags") or ())
            todo = wanted - present if method == "PUT" else wanted & present
            if not todo:
                continue
            body = {
                "tags": sorted(todo),
                "safe_update": True,
                "updated_stamp": current["updated_at"],
            }
            try:
                self._api(method, f"/tickets/{ticket_id}/tags.json", json=body)
            except PermanentError as exc:
                if exc.status != 409:
                    raise
                raise RetryableError(
                    f"Zendesk ticket {ticket_id} changed while its tags were updated; retrying",
                    status=409,
                ) from exc

    def _api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A Support API call zenpy does not offer, over the same budgeted session."""
        url = f"{self.settings.canonical_url}/api/v2{path}"
        return self.session.request(method, url, timeout=self.timeout, **kwargs)

    def _paged_list(self, path: str, key: str) -> Iterator[Mapping[str, Any]]:
        """Every row of an offset-paginated list, following ``next_page``."""
        page = self._api("GET", path, params={"per_page": 100}).json()
        while True:
            yield from page.get(key) or ()
            if not page.get("next_page"):
                return
            page = self._get_url(str(page["next_page"])).json()

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]:
        """``bridge doctor``'s checks (``connectors.zendesk.doctor``)."""
        return doctor.diagnose(self, needs)

    def _get_url(self, url: str) -> requests.Response:
        """A next-page link as Zendesk gave it (on the canonical host, or on ``ZENDESK_URL``)."""
        return self.session.get(url, timeout=self.timeout)

    # -- loop guard and delivery --------------------------------------------------------------
    def webhook_from_bridge(self, body: bytes) -> bool:
        """True when the webhook reports a change the bridge's own API user made."""
        actor = webhook_actor_id(body)
        return actor is not None and actor == self.bridge_user_id()

    def deliver_many(self, actions: Sequence[Action]) -> list[Reference | ConnectorError]:
        """Up to 100 first attempts in one ``update_many`` job (``connectors.zendesk.bulk``)."""
        entries: dict[int, dict[str, Any] | ConnectorError] = {}
        for index, action in enumerate(actions[: bulk.BULK_MAX]):
            try:
                entries[index] = bulk.ticket_object(
                    action, self.directory.group_id, self.directory.agent_id
                )
            except ConnectorError as error:
                entries[index] = error
        sent = [e for e in entries.values() if not isinstance(e, ConnectorError)]
        job: Any = {"status": "completed", "results": []}
        if sent:
            answer = self._api("PUT", "/tickets/update_many.json", json={"tickets": sent})
            job = answer.json().get("job_status") or {}
            if job.get("status") in ("queued", "working") and job.get("id"):
                job = self._api("GET", f"/job_statuses/{job['id']}.json").json().get("job_status")
        return bulk.outcomes(actions[: bulk.BULK_MAX], entries, job)

    def deliver(self, action: Action, log: SentLog) -> Reference:
        return deliver_to_desk(self, action)

    def close(self) -> None:
        self.session.close()


def _audit_events(audit: Any) -> list[dict[str, Any]]:
    inner = getattr(audit, "audit", None)
    events = getattr(inner, "events", None) or []
    return [e if isinstance(e, dict) else e.to_dict() for e in events]
