"""What every provider shares: the protocols it implements, the typed errors it raises, and the
small value types that cross between the bridge and the connectors.

A provider is one folder under ``connectors/`` with the same shape (client, pure builders or
mapping, pure inbound verify + parse, settings) and one line in ``connectors.registry``:

- a ``HelpDesk`` reads and writes tickets (Zendesk, Freshdesk);
- a ``Notifier`` carries out outbox actions somewhere people work (Slack, PagerDuty);
- an ``Inbound`` verifies and parses what the service posts to the bridge, without I/O, so the
  web layer is a table of endpoints and the worker a table of event types.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from policies.fields import FieldDef
from policies.model import Priority, Status, Ticket

if TYPE_CHECKING:
    from connectors._desk.directory import DeskDirectory
    from connectors.actions import Action, ActionKind

Clock = Callable[[], datetime]
Reference = dict[str, Any]  # what a provider answered (a Slack ts, a dedup key), kept in the outbox


# -- typed errors ----------------------------------------------------------------------------


class ConnectorError(Exception):
    """An outbound call failed; subclasses say whether trying again can help."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RetryableError(ConnectorError):
    """429, 408, 5xx, timeouts, connection errors: the outbox tries again later."""


class Deferred(RetryableError):
    """Nothing was sent: the service's pace asks to wait. Not a failure, so not an attempt."""


class PermanentError(ConnectorError):
    """The request itself is wrong (400, 404, 422, a Slack channel that does not exist)."""


class AuthError(PermanentError):
    """Credentials rejected (401/403); the message names the variable to check."""


class NotConfigured(PermanentError):
    """The action needs a provider this bridge has no credentials for."""


class SignatureError(Exception):
    """Missing or wrong signature, or a stale timestamp (answered 401)."""


class WebhookParseError(ValueError):
    """The body is not a request the bridge understands (answered 400)."""


class NotStored(Exception):
    """An authentic request with nothing to act on (a mistyped slash command, an event too old
    to act on): answered as the endpoint answers a stored request, so the sender neither retries
    nor disables its subscription, and not stored."""


# -- references ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketKey:
    """A ticket as the bridge names it: ``zendesk:123``."""

    source: str
    ticket_id: str

    def __str__(self) -> str:
        return f"{self.source}:{self.ticket_id}"


# A desk's ticket id is a positive 64-bit integer: at most 19 digits; one more for leeway.
TICKET_ID_DIGITS = 20


def numeric_id(value: object) -> str | None:
    """A help desk's ticket id as text, or None if ``value`` is not one: ASCII digits only, at
    most ``TICKET_ID_DIGITS``. ``str.isdigit`` alone also accepts "١٢٣" (which ``int`` reads as
    123, another ticket) and "²" (which ``int`` refuses); a 300-digit id overflows the columns."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip() if isinstance(value, str) else str(value)
    if 0 < len(text) <= TICKET_ID_DIGITS and text.isascii() and text.isdigit():
        return text
    return None


# A Salesforce record id: 15 case-sensitive or 18 case-insensitive letters and digits.
_RECORD_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def record_id(value: object) -> str | None:
    """A Salesforce record id as text, or None: exactly 15 or 18 ASCII letters and digits."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if _RECORD_ID.fullmatch(text) else None


def intercom_id(value: object) -> str | None:
    """An Intercom conversation id (a number) or ticket id (``t`` and a number: tickets have ids
    of their own, apart from conversations'), or None."""
    if isinstance(value, str) and value.strip().startswith("t"):
        number = numeric_id(value.strip()[1:])
        return f"t{number}" if number is not None else None
    return numeric_id(value)


# Desks whose ticket ids are not plain numbers, and how each writes them.
_DESK_IDS: dict[str, Callable[[object], str | None]] = {
    "salesforce": record_id,
    "intercom": intercom_id,
}


def ticket_number(value: object, source: str = "") -> str | None:
    """A ticket id as ``source`` writes it: a Salesforce record id for Salesforce, a
    conversation or ``t``-ticket id for Intercom, a number (``numeric_id``) for the other desks;
    any of these when the desk is not known."""
    if source:
        return _DESK_IDS.get(source, numeric_id)(value)
    return numeric_id(value) or record_id(value) or intercom_id(value)


def resolve_ticket(reference: str, desks: list[str]) -> TicketKey:
    """A ticket as a person writes it: ``zendesk:123`` as is, a bare ``123`` for the one
    configured desk; ValueError with what to write otherwise."""
    source, sep, ticket_id = reference.partition(":")
    desk = source if sep else (desks[0] if len(desks) == 1 else "")
    number = ticket_number(ticket_id if sep else reference, desk)
    if number is None:
        raise ValueError(f"not a ticket number: {reference[:40]!r}")
    if sep:
        if source not in desks:
            raise ValueError(f"{source[:40]} is not configured here")
        return TicketKey(source, number)
    if len(desks) != 1:
        raise ValueError("say which help desk: e.g. zendesk:123 or freshdesk:45")
    return TicketKey(desks[0], number)


@dataclass(frozen=True)
class MessageRef:
    """A chat message: the channel id the service answered with, and the message's id (ts)."""

    channel_id: str
    ts: str


def body_digest(body: bytes) -> str:
    """A stable dedup key for deliveries that carry no id of their own."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


# -- inbound ---------------------------------------------------------------------------------


# The width of the columns ticket ids and provider references are stored in (varchar(64)).
STORED_ID_MAX = 64


@dataclass(frozen=True)
class Receipt:
    """What the web layer stores for a verified request: its kind, the ticket it names (if it
    names one) and the key that makes a redelivery a duplicate.

    The key comes from what the signature covers, never from an unsigned header (a replay can
    carry any header). ``dedup_for`` bounds how long the key makes a request a duplicate, for
    keys that are a hash of a body which two genuine changes may share; None: for good.
    ``occurred_at`` is when the sender says the event happened, for senders whose events are
    ignored once too old (``ProviderSettings.event_max_age``)."""

    kind: str
    ticket_id: str | None
    dedup_key: str
    dedup_for: timedelta | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class TicketChanged:
    """A help desk says "ticket N may have changed" (a hint: the bridge re-reads the ticket)."""

    ticket_id: str
    kind: str = "ticket.changed"


class PersonRequestKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    TAKE_OWNERSHIP = "take_ownership"
    ESCALATE = "escalate"
    RESOLVE_PAGE = "resolve_page"
    PUBLISH_STATUSPAGE = "publish_statuspage"  # the answer to "Publish to Statuspage?"


# What an allow-list restricts: everything that moves, takes or closes a ticket or publishes.
# Acknowledging only says "someone is looking" and stays open to everyone.
RESTRICTED_REQUESTS = frozenset(
    {
        PersonRequestKind.TAKE_OWNERSHIP,
        PersonRequestKind.ESCALATE,
        PersonRequestKind.RESOLVE_PAGE,
        PersonRequestKind.PUBLISH_STATUSPAGE,
    }
)


@dataclass(frozen=True)
class PersonRequest:
    """Someone asked for something from where they work (a button, a slash command)."""

    kind: PersonRequestKind
    ticket: str  # as given: "zendesk:123", or a bare "123" when one desk is configured
    user_id: str
    user_name: str
    via: str  # shown to people, e.g. "Slack"
    reason: str = ""
    channel_id: str = ""  # where it was asked, for an answer only the person sees
    reply_to: MessageRef | None = None  # the message the request was made on, if any
    workspace: str = ""  # the chat workspace (Slack team id) the request says it came from
    app: str = ""  # the chat app (Slack app id) it was sent to


@dataclass(frozen=True)
class Refusal:
    """Why a person's request is not carried out, and what they are told (only them); no
    answer for a request that is not from this bridge's own workspace or message."""

    reason: str
    answer: str | None = None


@dataclass(frozen=True)
class PageChanged:
    """A pager reports an incident event (acknowledged, resolved, a note added, ...)."""

    event_type: str  # acknowledged | resolved | annotated | another type the bridge ignores
    event_id: str
    incident_id: str | None
    incident_key: str | None  # our dedup key, for incidents the bridge opened
    by_person: bool  # a person did it (not an integration such as the bridge itself)
    agent: str | None
    note: str | None
    url: str | None
    occurred_at: datetime | None
    # Done through an integration (the bridge's own Events API calls among them); neither a
    # person nor the pager itself (an auto-resolution names no one).
    by_integration: bool = False


@dataclass(frozen=True)
class TaskChanged:
    """A work tracker reports that one of its tasks changed status (e.g. the root-cause task
    was completed). The bridge knows its tasks by id: the tracker names no ticket."""

    task_id: str
    event_id: str
    status: str
    done: bool  # the new status means the work is finished
    by: str | None  # who changed it, as the tracker names them


@dataclass(frozen=True)
class Ignored:
    """A request the bridge stores but does not act on (a ping, an unknown event type)."""

    reason: str


InboundEvent = TicketChanged | PersonRequest | PageChanged | TaskChanged | Ignored


class Inbound(Protocol):
    """Pure: verify a request over its raw body, then read what it says. No I/O. ``headers``
    is a case-insensitive mapping, as HTTP header names are."""

    content_type: str

    def verify(self, headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
        """Raise ``SignatureError`` unless the request is authentic and fresh."""

    def receipt(self, headers: Mapping[str, str], body: bytes) -> Receipt:
        """What to store; ``WebhookParseError``/``ValueError`` for a body it cannot read."""

    def parse(self, body: bytes) -> InboundEvent:
        """What the stored request means, for the worker."""


class Reply(StrEnum):
    """How the web layer answers a stored request."""

    ACCEPTED = "accepted"  # 202 with a small JSON body
    EMPTY = "empty"  # a bare 200 (Slack interactivity)
    COMMAND = "command"  # a slash command's ephemeral answer
    SOAP_ACK = "soap_ack"  # a SOAP acknowledgement (Salesforce Outbound Messages)
    PAGE = "page"  # an HTML page for a person's browser (Teams' confirmation form)


@dataclass(frozen=True)
class Endpoint:
    path: str
    inbound: Inbound
    reply: Reply = Reply.ACCEPTED
    # The receipt kinds this endpoint stores, where a provider has several endpoints; empty:
    # every kind the provider's other endpoints do not claim.
    kinds: tuple[str, ...] = ()


# -- outbound --------------------------------------------------------------------------------


class SentLog(Protocol):
    """What was already sent for a ticket through one provider (see ``bridge.store.sentlog``)."""

    def message(self, ticket: TicketKey, channel: str) -> MessageRef | None: ...

    def messages(self, ticket: TicketKey) -> list[MessageRef]: ...

    def remember_message(self, ticket: TicketKey, channel: str, ref: MessageRef) -> None: ...

    def remember_object(self, ticket: TicketKey, object_id: str) -> None:
        """Something the provider made for the ticket (a task, an incident) by its own id, so
        the provider's webhooks that name only that id find the ticket."""

    def reference(self, ticket: TicketKey, kind: ActionKind) -> Mapping[str, Any] | None:
        """The provider reference of the ticket's latest finished action of ``kind``."""


class Notifier(Protocol):
    """Carries out outbox actions. Every failure is one of the typed errors above, so the
    outbox knows whether to try again; nothing here sleeps for a rate limit."""

    name: str

    def deliver(self, action: Action, log: SentLog) -> Reference: ...

    def close(self) -> None: ...


class ChatNotifier(Notifier, Protocol):
    default_channel: str | None

    def refusal(self, request: PersonRequest, ticket: TicketKey, log: SentLog) -> Refusal | None:
        """None when this person may do this, here; otherwise why not. ``log`` is what this
        provider sent for ``ticket`` (a click must come from one of those messages)."""


@dataclass(frozen=True)
class ChangeBatch:
    """What changed since a cursor: ids (in the desk's order), light tickets, the next cursor.

    ``tickets`` are mapped from list/export rows: no comments or requester details; the engine
    re-reads a ticket with ``fetch_ticket`` before deciding. ``complete`` is False when the
    request budget ran out mid-way: the cursor is still safe to store, the rest comes next sync.
    """

    ticket_ids: tuple[str, ...]
    next_cursor: str
    tickets: tuple[Ticket, ...] = ()
    calls: int = 0
    complete: bool = True


class HelpDesk(Notifier, Protocol):
    """Reads and writes tickets in one help desk, and delivers the desk's outbox actions."""

    # Group names and agent e-mails from the policy to the desk's ids (cached).
    directory: DeskDirectory

    def fetch_ticket(self, ticket_id: str) -> Ticket: ...

    def changes(self, cursor: str | None, now: datetime) -> ChangeBatch: ...

    def add_note(self, ticket_id: str, body: str, *, idempotency_key: str) -> str: ...

    def reply(self, ticket_id: str, body: str, *, idempotency_key: str) -> str: ...

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
        """Change what is given; ``clear_assignee`` removes the individual assignee and keeps
        the group (``DeskUpdate``), where the desk's API documents a way to."""

    def ticket_fields(self) -> tuple[FieldDef, ...]:
        """The desk's ticket fields (id, title, key, drop-down options), so a policy can name a
        custom field by its title; cached (15 minutes) like the group list."""

    def bridge_user_id(self) -> str: ...

    def webhook_from_bridge(self, body: bytes) -> bool:
        """True when a webhook reports a change the bridge's own API user made (loop guard)."""

    def budget_remaining(self) -> int: ...

    @property
    def calls(self) -> int: ...


# -- diagnosis (``bridge doctor``) -----------------------------------------------------------


class CheckStatus(StrEnum):
    OK = "ok"
    WARN = "warn"  # works, but not as well as it could (told at worker start-up too)
    FAIL = "fail"  # will not work: ``bridge doctor`` exits non-zero


@dataclass(frozen=True)
class Check:
    """One line of ``bridge doctor``: what was checked, what was found and, unless all is
    well, what to do about it. Never a secret in any of them."""

    name: str  # "zendesk: webhook", "slack: channel #support"
    status: CheckStatus
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class PolicyNeeds:
    """What the policy names that a provider must have: groups and agents (names, e-mails or
    ids) in the desks, ticket fields, chat channels, and the variables of pager keys."""

    groups: frozenset[str] = frozenset()
    agents: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    routing_keys: frozenset[str] = frozenset()
    opsgenie_keys: frozenset[str] = frozenset()  # variables of Opsgenie API keys


@runtime_checkable
class Diagnosable(Protocol):
    """A provider that can say whether its installation is right. Read-only, except that
    ``send_test`` allows one harmless round trip (a test page triggered and resolved)."""

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]: ...


@runtime_checkable
class BulkDesk(Protocol):
    """A help desk that carries out many tickets' first attempts at notes, replies and updates
    in one call (Zendesk ``update_many``). One outcome per action, in order: its reference, or
    the typed error to handle as a single delivery would. A retry goes through ``deliver``,
    which looks for a note's marker before posting, so an unknown outcome repeats nothing."""

    def deliver_many(self, actions: Sequence[Action]) -> list[Reference | ConnectorError]: ...
