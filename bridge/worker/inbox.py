"""The inbox job: what each stored request means for the engine, then the engine on it.

A help desk's webhook (or a sync entry) is a hint that a ticket changed. What other providers
post is parsed by the provider's inbound into a typed event (a person's request, a page event),
and each type becomes a ticket event here the same way whichever provider it came from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from bridge.store import inbox, outbox, sentlog, tickets
from bridge.store.inbox import InboxItem
from bridge.worker.decide import Escalator, TicketEvent, TicketUnknown
from bridge.worker.integrations import Integrations
from bridge.worker.sweep import wake_for_next_check
from bridge.worker.waker import Waker
from connectors.actions import (
    ActionKind,
    ChatPrivate,
    ChatReply,
    ChatThread,
    DeskNote,
    NewAction,
)
from connectors.base import (
    Ignored,
    PageChanged,
    PermanentError,
    PersonRequest,
    PersonRequestKind,
    RetryableError,
    TaskChanged,
    TicketKey,
    resolve_ticket,
    ticket_number,
)
from connectors.registry import spec
from policies.model import ManualRequest, Source

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 8
REQUEST_LINES = {
    PersonRequestKind.ACKNOWLEDGE: "✋ Acknowledged",
    PersonRequestKind.TAKE_OWNERSHIP: "🙋 Took ownership",
    PersonRequestKind.ESCALATE: "⬆️ Asked to escalate",
    PersonRequestKind.RESOLVE_PAGE: "✅ Asked to resolve the page",
    PersonRequestKind.PUBLISH_STATUSPAGE: "📣 Asked to publish the outage on Statuspage",
}
PAGE_LINES = {
    "acknowledged": "✋ {pager} {noun} acknowledged",
    "resolved": "✅ {pager} {noun} resolved",
    "annotated": "🗒️ {pager} note",
}
PAGE_REQUESTS = {"acknowledged": "acknowledge", "resolved": "resolve_page"}
DESKS = frozenset(source.value for source in Source)


class InboxJob:
    def __init__(
        self,
        db: Engine,
        integrations: Integrations,
        escalator: Escalator,
        clock: Callable[[], datetime],
        waker: Waker,
    ) -> None:
        self.db = db
        self.integrations = integrations
        self.escalator = escalator
        self.clock = clock
        self.waker = waker
        self.paused: dict[str, datetime] = {}  # source -> no new attempts before
        self._unmatched_logged: set[str] = set()  # pagers whose unmatched incidents were logged

    def run(self) -> int:
        with self.db.connect() as connection:
            items = inbox.unprocessed(connection, BATCH)
        handled = 0
        for item in items:
            now = self.clock()
            if self.paused.get(item.source, now) > now:
                continue
            if self._process(item, now):
                handled += 1
        wake_for_next_check(self.db, self.waker)
        if handled:
            self.waker.wake_delivery()
        return handled

    def _process(self, item: InboxItem, now: datetime) -> bool:
        try:
            for event in self.events_for(item, now):
                self.escalator.handle(event)
        except RetryableError as error:
            attempts = self._fail(item, str(error))
            pause = error.retry_after or min(60.0, 2.0**attempts)
            self.paused[item.source] = now + timedelta(seconds=pause)
            log.warning(
                "inbox item will be retried",
                extra={
                    "source": item.source,
                    "ticket": item.ticket_id,
                    "error": str(error),
                    "pause_seconds": pause,
                },
            )
            return False
        except (PermanentError, TicketUnknown, ValueError) as error:
            self._finish(item, now, f"set aside: {error}")
            log.warning(
                "inbox item set aside",
                extra={"source": item.source, "kind": item.kind, "error": str(error)},
            )
            return False
        except Exception as error:
            attempts = self._fail(item, f"{type(error).__name__}: {error}")
            log.exception("inbox item failed", extra={"source": item.source, "attempts": attempts})
            if attempts >= MAX_ATTEMPTS:
                self._finish(item, now, f"gave up: {error}")
            return False
        self._finish(item, self.clock())
        return True

    def _fail(self, item: InboxItem, error: str) -> int:
        with self.db.begin() as connection:
            return inbox.fail(connection, item.id, error)

    def _finish(self, item: InboxItem, now: datetime, error: str | None = None) -> None:
        with self.db.begin() as connection:
            inbox.finish(connection, item.id, now, error)

    # -- what an item means ------------------------------------------------------------------

    def events_for(self, item: InboxItem, now: datetime) -> list[TicketEvent]:
        """The engine events for one inbox item; an empty list when there is nothing to do.

        Raises ValueError for an item that can never be processed (it is then set aside)."""
        if item.source in DESKS:
            return self._desk(item)
        inbound = spec(item.source).inbound_for(item.kind)
        if inbound is None:
            raise ValueError(f"{item.source} posts nothing the bridge reads")
        event = inbound.parse(item.body)
        if isinstance(event, PersonRequest):
            return self._person(item, event, now)
        if isinstance(event, PageChanged):
            return self._page(item, event, now)
        if isinstance(event, TaskChanged):
            return self._task(item, event)
        if isinstance(event, Ignored):
            return []
        raise ValueError(f"{item.source} {item.kind}: {type(event).__name__} is not expected")

    def _desk(self, item: InboxItem) -> list[TicketEvent]:
        if item.ticket_id is None:
            raise ValueError("help-desk item without a ticket id")
        if item.kind == "sync":
            return [
                TicketEvent(
                    TicketKey(item.source, item.ticket_id), "sync", note={"kind": item.kind}
                )
            ]
        desk = self.integrations.desks.get(item.source)
        if desk is not None and desk.webhook_from_bridge(item.body):
            log.debug("ignored a change the bridge made itself", extra={"ticket": item.ticket_id})
            return []
        return [
            TicketEvent(TicketKey(item.source, item.ticket_id), "webhook", note={"kind": item.kind})
        ]

    def _person(self, item: InboxItem, request: PersonRequest, now: datetime) -> list[TicketEvent]:
        ticket = resolve_ticket(request.ticket, list(self.integrations.desks))
        who = request.user_name or request.user_id
        key = f"{item.source}-click:{item.id}"
        chat = self.integrations.chats.get(item.source)
        log_of_chat = sentlog.SentLog(self.db, item.source, self.clock)
        refusal = chat.refusal(request, ticket, log_of_chat) if chat is not None else None
        if refusal is not None:
            log.warning(
                "person request refused",
                extra={"source": item.source, "kind": request.kind.value, "why": refusal.reason},
            )
            answers: tuple[NewAction, ...] = ()
            if refusal.answer and request.channel_id:
                answer = ChatPrivate(
                    channel=request.channel_id, user=request.user_id, text=refusal.answer
                )
                answers = (NewAction(key, ticket, item.source, answer),)
            return [
                TicketEvent(
                    ticket,
                    item.source,
                    refresh=False,
                    actions=answers,
                    note={"refused": request.kind.value, "by": who, "why": refusal.reason},
                )
            ]
        manual = ManualRequest(kind=request.kind.value, by=who, at=now, reason=request.reason)
        if request.reply_to is None:  # a command, typed rather than clicked on a message
            typed = {"command": "/escalate", "by": who, "reason": request.reason}
            return [TicketEvent(ticket, "command", manual=manual, note=typed)]
        line = REQUEST_LINES[request.kind]
        actions = (
            NewAction(
                key, ticket, item.source, ChatReply(message=request.reply_to, line=line, actor=who)
            ),
            NewAction(
                f"{key}:note",
                ticket,
                ticket.source,
                DeskNote(body=f"{line} by {who} in {request.via}."),
            ),
        )
        note: dict[str, Any] = {"click": request.kind.value, "by": who, "user": request.user_id}
        return [
            TicketEvent(
                ticket, item.source, refresh=False, manual=manual, actions=actions, note=note
            )
        ]

    def _page(self, item: InboxItem, event: PageChanged, now: datetime) -> list[TicketEvent]:
        """Acknowledge and resolve go through the policy like a click (so the page state, the
        chat message and the ticket agree); every incident event also leaves a note."""
        ticket = self._incident_ticket(item.source, event, now)
        settings = spec(item.source).settings
        pager = settings.title
        line = PAGE_LINES.get(event.event_type, "").format(pager=pager, noun=settings.page_noun)
        if not line or ticket is None:
            return []  # other event types, incidents the bridge did not open
        if event.by_integration and event.event_type != "annotated":
            # Made through an integration, the bridge's Events API calls among them: the bridge
            # already noted its own acknowledgement or resolution, so this is no news. A change
            # PagerDuty made itself (no agent, e.g. an auto-resolution) is news and goes on.
            return []
        text = line + (f" by {event.agent}" if event.agent else "")
        text += f": {event.note}" if event.note else ""
        actions = [
            NewAction(
                f"{item.source}:{item.dedup_key}:note",
                ticket,
                ticket.source,
                DeskNote(body=text + (f"\n{event.url}" if event.url else "")),
            )
        ]
        chat = self.integrations.chat_name
        if event.event_type == "annotated" and chat:
            actions.append(
                NewAction(
                    f"{item.source}:{item.dedup_key}:slack", ticket, chat, ChatThread(line=text)
                )
            )
        manual = None
        if event.event_type in PAGE_REQUESTS:
            kind = PAGE_REQUESTS[event.event_type]
            manual = ManualRequest(kind=kind, by=event.agent or pager, at=now, reason=pager)
        details = {
            "event_type": event.event_type,
            "agent": event.agent,
            "incident": event.incident_id,
        }
        return [
            TicketEvent(
                ticket,
                item.source,
                refresh=False,
                manual=manual,
                actions=tuple(actions),
                note=details,
            )
        ]

    def _task(self, item: InboxItem, event: TaskChanged) -> list[TicketEvent]:
        """A follow-up task finished in the tracker: the root cause counts as written on its
        ticket, which gets a note saying so. Other status changes, tasks the bridge did not
        make and tickets whose root cause is already recorded (the bridge closed the task
        itself) change nothing."""
        if not event.done:
            return []
        with self.db.connect() as connection:
            ticket = sentlog.incident_ticket(connection, item.source, event.task_id)
            if ticket is None:
                return []
            state = tickets.load_state(connection, ticket.source, ticket.ticket_id)
            made = outbox.reference_of(connection, item.source, ticket, ActionKind.TASK_CREATE)
        if state is not None and state.rca_recorded:
            return []
        tracker = spec(item.source).settings.title
        text = f"✅ Root-cause task completed in {tracker}"
        text += (f" by {event.by}" if event.by else "") + f" (status “{event.status}”)."
        url = made.get("url") if made else None
        text += f"\n{url}" if url else ""
        note = NewAction(
            f"{item.source}:{event.task_id}:done", ticket, ticket.source, DeskNote(body=text)
        )
        details = {"task": event.task_id, "status": event.status, "by": event.by}
        return [
            TicketEvent(
                ticket,
                item.source,
                refresh=False,
                actions=(note,),
                note=details,
                rca_recorded=True,
            )
        ]

    def _incident_ticket(
        self, provider: str, event: PageChanged, now: datetime
    ) -> TicketKey | None:
        """Our ticket for an incident: from its key (our dedup key), else from an earlier event."""
        source, _, ticket_id = (event.incident_key or "").partition(":")
        with self.db.begin() as connection:
            if source in DESKS and ticket_number(ticket_id, source) == ticket_id:
                ticket = TicketKey(source, ticket_id)
                if event.incident_id:
                    sentlog.remember_incident(connection, provider, event.incident_id, ticket, now)
                return ticket
            found = None
            if event.incident_id is not None:
                found = sentlog.incident_ticket(connection, provider, event.incident_id)
        if found is None and provider not in self._unmatched_logged:
            # Incidents are matched to tickets through incident_key (the Events API dedup_key
            # the bridge sent) or an earlier event that carried it; one without either was not
            # opened by the bridge, or PagerDuty left the key out. Ignored, said once.
            self._unmatched_logged.add(provider)
            log.warning(
                "%s incident %s has no incident_key the bridge knows: ignored (logged once)",
                provider,
                event.incident_id,
            )
        return found
