"""The outbox's vocabulary: every outbound effect is an ``ActionKind`` with one typed payload.

Kinds name what is done (a desk note, a chat post, a page), not who does it: the outbox row's
``provider`` says which provider delivers it, and each provider renders the payload in its own
wire format with pure builders. Payloads are serialised explicitly (``encode``/``decode``) and
validated on the way back, so a stored action always reads as the type mypy checked.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from connectors.base import MessageRef, TicketKey
from policies.model import Priority, Severity, Status, Tier


class ActionKind(StrEnum):
    DESK_NOTE = "desk.note"  # an internal note on the ticket
    DESK_REPLY = "desk.reply"  # a public reply to the customer
    DESK_UPDATE = "desk.update"  # group, assignee, priority, tags
    CHAT_POST = "chat.post"  # the ticket's message in a channel: first post, later thread + edit
    CHAT_REPLY = "chat.reply"  # a line under one given message
    CHAT_THREAD = "chat.thread"  # a line under every message the ticket has
    CHAT_PRIVATE = "chat.private"  # a line only one person sees
    CHAT_ALERT = "chat.alert"  # an operational alert (ownership gap, dead letter)
    CHAT_PROMPT = "chat.prompt"  # a question with one button (e.g. "Publish to Statuspage?")
    CHAT_GROUP = "chat.group"  # an outage storm's one message: posted once, then edited
    PAGE_TRIGGER = "page.trigger"
    PAGE_ACKNOWLEDGE = "page.acknowledge"
    PAGE_RESOLVE = "page.resolve"
    STATUS_OPEN = "status.open"  # a public status page incident for the ticket's outage
    STATUS_UPDATE = "status.update"
    STATUS_RESOLVE = "status.resolve"
    TASK_CREATE = "task.create"  # a follow-up task in a work tracker (the root-cause write-up)
    TASK_COMPLETE = "task.complete"


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: ClassVar[ActionKind]


# -- help desk -------------------------------------------------------------------------------


class DeskNote(Payload):
    kind = ActionKind.DESK_NOTE
    body: str


class DeskReply(Payload):
    kind = ActionKind.DESK_REPLY
    body: str


class DeskUpdate(Payload):
    """``group``/``assignee`` as the policy names them: desk ids, a group name or an e-mail."""

    kind = ActionKind.DESK_UPDATE
    group: str | None = None
    assignee: str | None = None
    priority: Priority | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    status: Status | None = None  # e.g. reopen a solved ticket for a follow-up
    clear_assignee: bool = False
    """remove the individual assignee; the group stays"""


# -- chat ------------------------------------------------------------------------------------


class TicketCard(BaseModel):
    """A ticket as notifications show it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    source: str
    ticket_id: str
    url: str = ""
    subject: str = ""
    status: str = ""
    priority: str | None = None
    customer_name: str = ""
    customer_org: str = ""


class EscalationView(BaseModel):
    """Everything a channel should see about one escalated ticket, in its current state."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    ticket: TicketCard
    severity: Severity
    tier: Tier
    reason: str
    inputs: tuple[tuple[str, str], ...] = ()  # the rule's inputs, as shown under the reason
    owner: str | None = None
    next_deadline: datetime | None = None
    acknowledged_by: str | None = None
    resolved: bool = False
    page_open: bool = True  # offer "Resolve page" only while a page may be open
    vip: bool = False


class ViewChange(BaseModel):
    """What an event changes on a ticket's message (the edit after the first post)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    owner: str | None = None
    acknowledged_by: str | None = None
    resolved: bool | None = None

    def apply(self, view: EscalationView) -> EscalationView:
        changes = self.model_dump(exclude_none=True)
        return view.model_copy(update=changes) if changes else view


class ChatPost(Payload):
    """The ticket's message in ``channel``: posted the first time, afterwards ``line`` in its
    thread and the message edited to show ``change``."""

    kind = ActionKind.CHAT_POST
    channel: str
    view: EscalationView
    change: ViewChange = ViewChange()
    line: str | None = None
    actor: str | None = None


class ChatReply(Payload):
    kind = ActionKind.CHAT_REPLY
    message: MessageRef
    line: str
    actor: str | None = None


class ChatThread(Payload):
    kind = ActionKind.CHAT_THREAD
    line: str


class ChatPrivate(Payload):
    kind = ActionKind.CHAT_PRIVATE
    channel: str
    user: str
    text: str


class ChatAlert(Payload):
    kind = ActionKind.CHAT_ALERT
    channel: str
    text: str


class ChatPrompt(Payload):
    """A question about a ticket with one button; a click comes back as a ``PersonRequest`` of
    kind ``request`` (e.g. ``publish_statuspage``)."""

    kind = ActionKind.CHAT_PROMPT
    channel: str
    ticket: TicketCard
    text: str
    request: str
    label: str


class GroupView(BaseModel):
    """An outage storm as its one chat message shows it (``policies.grouping``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str
    title: str  # what the members share, e.g. "tag outage" (may quote a ticket's subject)
    count: int
    severity: Severity
    tier: Tier  # the highest tier of its members
    opened_at: datetime
    updated_at: datetime
    examples: tuple[TicketCard, ...] = ()  # the newest members
    paged: bool = False


class ChatGroup(Payload):
    """The group's message in ``channel``: posted the first time, edited in place afterwards."""

    kind = ActionKind.CHAT_GROUP
    channel: str
    view: GroupView


# -- paging ----------------------------------------------------------------------------------

INCIDENT_KEY_MAX = 255  # PagerDuty's dedup_key limit; Opsgenie's alias allows 512


def incident_key(ticket: TicketKey) -> str:
    """``{desk}:{ticket_id}``: one incident per ticket, so a repeated trigger is harmless."""
    key = str(ticket)
    if len(key) <= INCIDENT_KEY_MAX:
        return key
    # Deterministic and still unique for an absurdly long id; never cut (cuts could collide).
    digest = hashlib.sha256(ticket.ticket_id.encode()).hexdigest()
    return f"{ticket.source}:sha256:{digest}"


class PageTrigger(Payload):
    """Open (or add to) the ticket's incident. ``routing`` names the environment variable that
    holds the integration key; the key itself never enters the outbox."""

    kind = ActionKind.PAGE_TRIGGER
    routing: str
    dedup_key: str
    ticket: TicketCard
    severity: Severity
    tier: Tier
    rule: str
    route: str
    reason: str
    inputs: dict[str, Any] = {}
    # An outage storm's page: every member ticket (``{desk}:{id}``), listed in its details.
    tickets: tuple[str, ...] = ()


class PageAcknowledge(Payload):
    kind = ActionKind.PAGE_ACKNOWLEDGE
    dedup_key: str


class PageResolve(Payload):
    kind = ActionKind.PAGE_RESOLVE
    dedup_key: str


# -- public status page -----------------------------------------------------------------------


class StatusIncident(Payload):
    """Publish the ticket's outage. Texts come from the policy, never from the ticket;
    ``{components}`` in them becomes the names of the affected components the page has."""

    kind = ActionKind.STATUS_OPEN
    rule: str
    name: str
    body: str
    components: tuple[str, ...] = ()  # names as the ticket gives them; unknown ones are dropped
    component_status: str = "major_outage"
    impact: str | None = None


class StatusUpdate(Payload):
    kind = ActionKind.STATUS_UPDATE
    rule: str
    body: str
    status: str = "identified"


class StatusResolve(Payload):
    kind = ActionKind.STATUS_RESOLVE
    rule: str
    body: str


# -- follow-up work (root cause) -----------------------------------------------------------------


class FollowUpTask(Payload):
    """The ticket's root-cause write-up as a task. ``request`` is the rendered RCA template
    (the policy's Markdown); ``owner`` is who owns the write-up as the bridge names them (an
    e-mail, an agent's or a team's name), mapped to a tracker user by the provider."""

    kind = ActionKind.TASK_CREATE
    ticket: TicketCard
    request: str
    severity: Severity
    due: datetime | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()


class FollowUpDone(Payload):
    """The write-up is recorded on the ticket: complete its task."""

    kind = ActionKind.TASK_COMPLETE
    reason: str


PAYLOADS: dict[ActionKind, type[Payload]] = {
    cls.kind: cls
    for cls in (
        DeskNote,
        DeskReply,
        DeskUpdate,
        ChatPost,
        ChatReply,
        ChatThread,
        ChatPrivate,
        ChatAlert,
        ChatPrompt,
        ChatGroup,
        PageTrigger,
        PageAcknowledge,
        PageResolve,
        StatusIncident,
        StatusUpdate,
        StatusResolve,
        FollowUpTask,
        FollowUpDone,
    )
}


def encode(payload: Payload) -> dict[str, Any]:
    return payload.model_dump(mode="json")


def decode(kind: ActionKind, data: Any) -> Payload:
    return PAYLOADS[kind].model_validate(data)


# -- the outbox's records --------------------------------------------------------------------


@dataclass(frozen=True)
class NewAction:
    """An effect to enqueue; the key makes doing it twice impossible."""

    key: str
    ticket: TicketKey
    provider: str
    payload: Payload

    @property
    def kind(self) -> ActionKind:
        return self.payload.kind


@dataclass(frozen=True)
class Action:
    """A claimed outbox action, as delivered."""

    id: int
    key: str
    ticket: TicketKey
    provider: str
    payload: Payload
    attempts: int
    created_at: datetime
    last_error: str | None = None

    @property
    def kind(self) -> ActionKind:
        return self.payload.kind
