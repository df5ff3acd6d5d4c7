"""Salesforce Service Cloud: Cases read and written through the REST API with
``simple-salesforce`` (its requests session is the bridge's: budget and typed errors).

Every request follows Salesforce's reference; ``sandbox/salesforce/FACTS.md`` lists the
sources. The bridge signs in as its own user (a connected app's client credentials run as one,
or a username and password): its user id (``/services/oauth2/userinfo``) is the loop guard.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from connectors._desk.common import TTLCache, has_marker
from connectors._desk.deliver import deliver_to_desk
from connectors._desk.directory import DeskDirectory
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
    record_id,
)
from connectors.salesforce import doctor
from connectors.salesforce.api import CREDENTIALS, SalesforceApi
from connectors.salesforce.builders import case_changes, fit_comment
from connectors.salesforce.inbound import changed_by
from connectors.salesforce.mapping import (
    QUEUE_PREFIX,
    USER_PREFIX,
    CaseRecords,
    case_to_ticket,
    describe_to_fields,
)
from connectors.salesforce.settings import SalesforceSettings
from connectors.salesforce.soql import (
    case_queries,
    comment_query,
    soql_string,
    topic_assignments_query,
)
from connectors.salesforce.sync import changes_query, fresh, next_cursor, parse_cursor
from policies.fields import FieldDef
from policies.model import Priority, Status, Ticket

log = logging.getLogger(__name__)
CACHE_TTL = timedelta(minutes=15)
DEFAULT_TIMEOUT = 10.0
FIRST_SYNC_LOOKBACK = timedelta(days=1)


def checked_id(ticket_id: str) -> str:
    """A Case id fit to put in a path or a SOQL literal; ``PermanentError`` otherwise."""
    case_id = record_id(ticket_id)
    if case_id is None:
        raise PermanentError(
            f"Salesforce record ids have 15 or 18 letters and digits, not {ticket_id[:40]!r}"
        )
    return case_id


class SalesforceDesk:
    """The ``HelpDesk`` for Salesforce Cases."""

    name = "salesforce"

    def __init__(
        self,
        settings: SalesforceSettings,
        *,
        clock: Clock,
        budget_share: float = 0.5,
        timeout: float = DEFAULT_TIMEOUT,
        lookback: timedelta = FIRST_SYNC_LOOKBACK,
    ) -> None:
        if not settings.enabled:
            raise ValueError(
                f"Salesforce is not configured: set SALESFORCE_INSTANCE_URL and {CREDENTIALS}"
            )
        self.settings = settings
        self.url = settings.base_url
        self.timeout = timeout
        self.lookback = lookback
        self.terms = settings.terms()

        self.api = SalesforceApi(settings, clock=clock, budget_share=budget_share, timeout=timeout)
        self._user_id: str | None = None
        self._records: TTLCache[str, dict[str, Any]] = TTLCache(CACHE_TTL, clock)
        self._fields: TTLCache[str, tuple[FieldDef, ...]] = TTLCache(CACHE_TTL, clock)
        self._topics: TTLCache[str, str] = TTLCache(CACHE_TTL, clock)
        self.directory = DeskDirectory(
            "salesforce",
            list_groups=self._queues,
            find_agent=self._user_with_email,
            ttl=CACHE_TTL,
            clock=clock,
        )

    @property
    def calls(self) -> int:
        return self.api.adapter.calls

    def budget_remaining(self) -> int:
        return self.api.bucket.remaining()

    def query(self, soql: str) -> list[dict[str, Any]]:
        return self.api.query(soql)

    def _rest(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.api.rest(method, path, **kwargs)

    def bridge_user_id(self) -> str:
        """The bridge's own user (``GET /services/oauth2/userinfo``), read once."""
        if self._user_id is None:
            self._user_id = str(self.whoami()["user_id"])
        return self._user_id

    def whoami(self) -> dict[str, Any]:
        """``GET /services/oauth2/userinfo``: the bridge's user and its org."""
        return self.api.userinfo()

    def limits(self) -> dict[str, Any]:
        return dict(self._rest("GET", "limits/") or {})

    # -- reading -----------------------------------------------------------------------------
    def fetch_ticket(self, ticket_id: str) -> Ticket:
        case = self._case(ticket_id)
        rows = {name: tuple(self.query(soql)) for name, soql in case_queries(case["Id"]).items()}
        records = CaseRecords(
            case=case,
            contact=self._record("Contact", case.get("ContactId")),
            account=self._record("Account", case.get("AccountId")),
            **rows,
        )
        terms = dataclasses.replace(self.terms, fields=self.ticket_fields())
        return case_to_ticket(
            records, terms, bridge_user_id=self.bridge_user_id(), web_url=self.url
        )

    def _case(self, ticket_id: str) -> dict[str, Any]:
        return dict(self._rest("GET", f"sobjects/Case/{checked_id(ticket_id)}") or {})

    def _record(self, kind: str, value: object) -> dict[str, Any] | None:
        record = record_id(value)
        if record is None:
            return None
        found = self._records.get(record)
        if found is None:
            found = dict(self._rest("GET", f"sobjects/{kind}/{record}") or {})
            self._records.put(record, found)
        return found

    def ticket_fields(self) -> tuple[FieldDef, ...]:
        """Custom Case fields by label (``GET /sobjects/Case/describe``), cached."""
        found = self._fields.get("Case")
        if found is None:
            found = describe_to_fields(self.describe_case())
            self._fields.put("Case", found)
        return found

    def describe_case(self) -> dict[str, Any]:
        return dict(self._rest("GET", "sobjects/Case/describe") or {})

    def changes(self, cursor: str | None, now: datetime) -> ChangeBatch:
        """SOQL on ``SystemModstamp`` (``connectors.salesforce.sync``)."""
        start = self.calls
        since, seen = (
            parse_cursor(cursor)
            if cursor
            else ((now - self.lookback).replace(microsecond=0), set())
        )
        rows: dict[str, Mapping[str, Any]] = {}
        complete = True
        try:
            rows = fresh(self.query(changes_query(since)), since, seen)
        except RetryableError as exc:
            log.info("salesforce sync paused: %s (retry in %ss)", exc, exc.retry_after)
            complete = False
        tickets = tuple(
            case_to_ticket(CaseRecords(case=row), self.terms, web_url=self.url)
            for row in rows.values()
        )
        return ChangeBatch(
            ticket_ids=tuple(rows),
            next_cursor=next_cursor(rows if complete else {}, since, seen),
            tickets=tickets,
            calls=self.calls - start,
            complete=complete,
        )

    # -- writing -----------------------------------------------------------------------------
    def add_note(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        return self._comment(ticket_id, body, idempotency_key, published=False)

    def reply(self, ticket_id: str, body: str, *, idempotency_key: str) -> str:
        return self._comment(ticket_id, body, idempotency_key, published=True)

    def _comment(self, ticket_id: str, body: str, key: str, *, published: bool) -> str:
        """A CaseComment (``IsPublished`` false: an internal note). Salesforce takes no
        idempotency key: the marker is looked for first, so a lost answer posts nothing twice."""
        case_id = checked_id(ticket_id)
        existing = self.find_marked_comment(case_id, key)
        if existing is not None:
            return existing
        answer = self._rest(
            "POST",
            "sobjects/CaseComment/",
            json={
                "ParentId": case_id,
                "CommentBody": fit_comment(body, key),
                "IsPublished": published,
            },
        )
        return str(answer["id"])

    def find_marked_comment(self, case_id: str, key: str) -> str | None:
        for row in reversed(self.query(comment_query(case_id))):
            if has_marker(str(row.get("CommentBody") or ""), key):
                return str(row["Id"])
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
        """One PATCH of the Case with what differs, then Topics one by one. A Case has one
        owner, a user or a queue: an assignee is the owner; a group is its queue, which becomes
        the owner when the assignee is cleared or no user owns the Case (``OwnerId`` cannot be
        empty, FACTS.md S-owner)."""
        case = self._case(ticket_id)
        owner = self._owner(group_id, assignee_id, clear_assignee, str(case.get("OwnerId") or ""))
        changes = case_changes(case, self.terms, owner=owner, priority=priority, status=status)
        if changes:
            self._rest("PATCH", f"sobjects/Case/{case['Id']}", json=changes)
        added, removed = set(add_tags), set(remove_tags)
        if added or removed:
            self._retag(case["Id"], added, removed)

    def _owner(
        self, group: str | None, assignee: str | None, clear: bool, current: str
    ) -> str | None:
        """The new ``OwnerId``, or None to leave it. A user who owns the Case keeps it unless
        the update clears the assignee: handing to the queue is what removes them (someone
        who took the Case since the hand-over, or a ``keep_assignee`` route, stays owner)."""
        if assignee:  # a named assignee replaces whoever owns the Case, cleared or not
            return self._id_or(assignee, USER_PREFIX, self.directory.agent_id)
        if group and (clear or not current.startswith(USER_PREFIX)):
            return self._id_or(group, QUEUE_PREFIX, self.directory.group_id)
        if clear and not group:
            raise PermanentError(
                "Salesforce cannot leave a Case without an owner: clearing the assignee "
                "needs the route's group (its queue becomes the owner)"
            )
        return None

    @staticmethod
    def _id_or(value: str, prefix: str, lookup: Callable[[str], str]) -> str:
        given = record_id(value)
        return given if given is not None and given.startswith(prefix) else lookup(value)

    def _retag(self, case_id: str, added: set[str], removed: set[str]) -> None:
        """Tags are the Case's Topics: a TopicAssignment per topic (FACTS.md S-topics)."""
        current = {
            str((row.get("Topic") or {}).get("Name")): str(row["Id"])
            for row in self.query(topic_assignments_query(case_id))
        }
        for name in sorted(added - set(current)):
            self._rest(
                "POST",
                "sobjects/TopicAssignment/",
                json={"EntityId": case_id, "TopicId": self._topic_id(name)},
            )
        for name in sorted(removed & set(current)):
            self._rest("DELETE", f"sobjects/TopicAssignment/{current[name]}")

    def _topic_id(self, name: str) -> str:
        found = self._topics.get(name)
        if found is None:
            rows = self.query(f"SELECT Id, Name FROM Topic WHERE Name = {soql_string(name)}")
            if rows:
                found = str(rows[0]["Id"])
            else:
                found = str(self._rest("POST", "sobjects/Topic/", json={"Name": name})["id"])
            self._topics.put(name, found)
        return found

    # -- the directory -----------------------------------------------------------------------
    def _queues(self) -> Iterator[tuple[str, str]]:
        for row in self.query("SELECT Id, Name, DeveloperName FROM Group WHERE Type = 'Queue'"):
            yield str(row["Id"]), str(row["Name"])

    def _user_with_email(self, email: str) -> str | None:
        rows = self.query(
            f"SELECT Id FROM User WHERE Email = {soql_string(email)} AND IsActive = true LIMIT 1"
        )
        return str(rows[0]["Id"]) if rows else None

    # -- loop guard and delivery --------------------------------------------------------------
    def webhook_from_bridge(self, body: bytes) -> bool:
        return changed_by(body, self.bridge_user_id())

    def deliver(self, action: Action, log: SentLog) -> Reference:
        return deliver_to_desk(self, action)

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]:
        """``bridge doctor``'s checks (``connectors.salesforce.doctor``)."""
        return doctor.diagnose(self, needs)

    def close(self) -> None:
        self.api.close()
