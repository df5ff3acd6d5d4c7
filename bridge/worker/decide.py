"""The escalation engine: one path for every input. Refresh the ticket, evaluate the policy,
then record the mirror, the state, the audit log and the outbox actions in one transaction.

Outside calls happen before the transaction (reading the ticket) or after it (delivery); none
inside it, and none in a web request.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from bridge.store import outbox, tickets
from bridge.worker.comment_context import Plan
from bridge.worker.integrations import Integrations
from bridge.worker.ownership import hand_over, ownership_gap, rca_written
from bridge.worker.plan import Planner, jsonable, previous_agent
from bridge.worker.storms import StormRouter
from connectors.actions import NewAction
from connectors.base import TicketKey
from policies import Evaluation, Policy, annotate, apply_decisions, evaluate
from policies.history import remember_statuses
from policies.model import Comment, Decision, EscalationState, ManualRequest, Ticket

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TicketEvent:
    """Something happened to a ticket: a webhook, a sync, a timer, a click, a page update."""

    ticket: TicketKey
    origin: str  # "webhook" | "sync" | "timer" | "slack" | "command" | "pagerduty"
    refresh: bool = True  # re-read the ticket from the help desk first
    manual: ManualRequest | None = None
    actions: tuple[NewAction, ...] = ()  # effects the input itself asks for (e.g. a note)
    note: dict[str, Any] | None = None  # what to write in the audit log about the input
    # The input says the root cause is written (its follow-up task was completed).
    rca_recorded: bool = False


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket
    evaluation: Evaluation
    enqueued: int


class TicketUnknown(LookupError):
    """An input names a ticket the bridge has never seen and cannot read."""


def carry_signals(previous: Ticket | None, current: Ticket) -> Ticket:
    """Reuse signals already computed for the same comments and subject: text is scored once."""
    if previous is None:
        return current
    if current.subject_phrases is None and previous.subject == current.subject:
        current = dataclasses.replace(current, subject_phrases=previous.subject_phrases)
    known = {c.id: c.signals for c in previous.comments if c.signals is not None}
    if not known:
        return current
    comments: list[Comment] = [
        dataclasses.replace(c, signals=known[c.id]) if c.signals is None and c.id in known else c
        for c in current.comments
    ]
    return dataclasses.replace(current, comments=tuple(comments))


def is_vip(state: EscalationState) -> bool:
    """Shown on messages: did the policy's VIP rule fire for this ticket?"""
    return any(":vip:" in key for key in state.fired) or any(
        entry.rule == "vip" for entry in state.history
    )


class Escalator:
    def __init__(
        self,
        db: Engine,
        policy: Policy,
        integrations: Integrations,
        clock: Callable[[], datetime],
        planner: Planner,
        storms: StormRouter | None = None,
    ) -> None:
        self.db = db
        self.policy = policy
        self.integrations = integrations
        self.clock = clock
        self.planner = planner
        self.storms = storms

    def handle(self, event: TicketEvent) -> Outcome:
        key = event.ticket
        fetched = self._fetch(key) if event.refresh else None
        with self.db.begin() as connection:
            previous = tickets.load_ticket(connection, key.source, key.ticket_id)
            if previous is not None or fetched is not None:
                return self._decide(connection, event, previous, fetched, self.clock())
        # An input that does not re-read the ticket (a click) for a ticket never mirrored.
        fetched = self._fetch(key)
        with self.db.begin() as connection:
            previous = tickets.load_ticket(connection, key.source, key.ticket_id)
            return self._decide(connection, event, previous, fetched, self.clock())

    def _fetch(self, key: TicketKey) -> Ticket:
        desk = self.integrations.desks.get(key.source)
        if desk is None:
            raise TicketUnknown(f"{key.source} is not configured; cannot read ticket {key}")
        return desk.fetch_ticket(key.ticket_id)

    def _decide(
        self,
        connection: Connection,
        event: TicketEvent,
        previous: Ticket | None,
        fetched: Ticket | None,
        now: datetime,
    ) -> Outcome:
        source, ticket_id = event.ticket.source, event.ticket.ticket_id
        ticket = fetched or previous
        if ticket is None:
            raise TicketUnknown(f"ticket {event.ticket} could not be read")
        # A slow read must not overwrite a newer mirror written meanwhile.
        if (
            fetched is not None
            and previous is not None
            and fetched.updated_at < previous.updated_at
        ):
            ticket = previous
        # Every status the bridge has seen stays known, so paused time stays paused.
        ticket = remember_statuses(previous, ticket)
        ticket = annotate(carry_signals(previous, ticket), self.policy.compiled.phrases)
        state = tickets.lock_state(connection, source, ticket_id, now)
        inputs = list(event.actions)
        if not state.rca_recorded and (event.rca_recorded or rca_written(ticket, self.policy)):
            state = dataclasses.replace(state, rca_recorded=True)
            if not event.rca_recorded:  # written on the ticket: its task is done too
                inputs += self.planner.rca_recorded(ticket, "recorded on the ticket")
        if event.manual is not None:
            state = dataclasses.replace(state, manual=(*state.manual, event.manual))
        evaluation = evaluate(ticket, state, self.policy, now)
        new_state = hand_over(state, apply_decisions(state, evaluation, now), ticket)
        gap = ownership_gap(ticket, new_state, now)
        if gap.alert:
            new_state = dataclasses.replace(new_state, fired={**new_state.fired, gap.key: now})
        next_check = min((t for t in (evaluation.next_check_at, gap.check_at) if t), default=None)
        tickets.save_ticket(connection, ticket, now, next_check)
        tickets.save_state(connection, source, ticket_id, new_state, now)
        if event.note is not None:
            tickets.audit(
                connection,
                at=now,
                source=source,
                ticket_id=ticket_id,
                kind="input",
                rule=None,
                data={"origin": event.origin, **event.note},
            )
        actions: list[NewAction] = []
        plan = Plan(
            ticket=ticket,
            state=new_state,
            next_deadline=evaluation.next_check_at,
            policy=self.policy,
            now=now,
            vip=is_vip(new_state),
        )
        enabled = self.integrations.enabled()
        for decision in evaluation.decisions:
            planned = self.planner.actions(decision, plan)
            actions += [a for a in planned if a.provider in enabled]
            skipped = sorted({a.provider for a in planned if a.provider not in enabled})
            tickets.audit(
                connection,
                at=now,
                source=source,
                ticket_id=ticket_id,
                kind="decision",
                rule=decision.rule,
                data=explain(decision, evaluation, event.origin, skipped)
                | hand_over_words(decision, ticket, planned),
            )
        if gap.alert:
            route = self.policy.compiled.tiers[new_state.tier].route
            alert = self.planner.ownership_alert(ticket, new_state, gap.key, route)
            actions += [a for a in alert if a.provider in enabled]
        if self.storms is not None:
            # A member of an outage storm signals through its group (``bridge.worker.storms``).
            actions = self.storms.route(connection, ticket, evaluation, actions, now)
        enqueued = outbox.enqueue(connection, [*inputs, *actions], now)
        if evaluation.decisions:
            log.info(
                "decided",
                extra={
                    "ticket": str(event.ticket),
                    "origin": event.origin,
                    "tier": str(evaluation.tier),
                    "decisions": [d.key for d in evaluation.decisions],
                },
            )
        return Outcome(ticket=ticket, evaluation=evaluation, enqueued=enqueued)


def hand_over_words(decision: Decision, ticket: Ticket, planned: list[NewAction]) -> dict[str, Any]:
    words = previous_agent(decision, ticket, planned)
    return {"previous_assignee": words} if words else {}


def explain(
    decision: Decision, evaluation: Evaluation, origin: str, skipped: Sequence[str]
) -> dict[str, Any]:
    """The audit log entry for a decision: what, why, and the clock arithmetic."""
    reason = decision.reason
    return {
        "action": decision.action.value,
        "tier": str(decision.tier),
        "severity": decision.severity.value,
        "route": decision.route.name,
        "key": decision.key,
        "text": reason.text,
        "source": reason.source,
        "inputs": jsonable(reason.inputs),
        "clock": jsonable(reason.clock),
        "origin": origin,
        "tier_after": str(evaluation.tier),
        "next_check_at": evaluation.next_check_at.isoformat() if evaluation.next_check_at else None,
        "not_configured": list(skipped),
    }
