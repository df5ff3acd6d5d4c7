"""The engine: one path for every input. Refresh the ticket, evaluate the policy, then record the
state, the audit log and the outbox actions in one transaction.

Outside calls happen before the transaction (reading the ticket) or after it (the delivery
worker); none inside it, and none in a web request.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from bridge import outbox, records
from bridge.actions import Plan, plan_actions
from bridge.integrations import Integrations
from bridge.outbox import NewAction
from bridge.ownership import ownership_gap, rca_written
from policies import Evaluation, Policy, annotate, apply_decisions, evaluate
from policies.model import (
    Comment,
    Decision,
    EscalationState,
    ManualRequest,
    Ticket,
)
from policies.templates import TemplateRenderer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Something happened to a ticket: a webhook, a sync, a timer, a click, a page update."""

    source: str
    ticket_id: str
    origin: str  # "webhook" | "sync" | "timer" | "slack" | "command" | "pagerduty"
    refresh: bool = True  # re-read the ticket from the help desk first
    manual: ManualRequest | None = None
    actions: tuple[NewAction, ...] = ()  # effects the input itself asks for (e.g. a note)
    note: dict[str, Any] | None = None  # what to write in the audit log about the input


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket
    evaluation: Evaluation
    enqueued: int


class TicketUnknown(LookupError):
    """An input names a ticket the bridge has never seen and cannot read."""


def carry_signals(previous: Ticket | None, current: Ticket) -> Ticket:
    """Reuse signals already computed for the same comments: text is scored once."""
    if previous is None:
        return current
    known = {c.id: c.signals for c in previous.comments if c.signals is not None}
    if not known:
        return current
    comments: list[Comment] = [
        dataclasses.replace(c, signals=known[c.id]) if c.signals is None and c.id in known else c
        for c in current.comments
    ]
    return dataclasses.replace(current, comments=tuple(comments))


def is_vip(state: EscalationState) -> Callable[[Ticket], bool]:
    """Shown on messages: did the policy's VIP rule fire for this ticket?"""
    fired = any(":vip:" in key for key in state.fired) or any(
        entry.rule == "vip" for entry in state.history
    )
    return lambda _ticket: fired


class EscalationEngine:
    def __init__(
        self,
        engine: Engine,
        policy: Policy,
        integrations: Integrations,
        clock: Callable[[], datetime],
        *,
        renderer: TemplateRenderer | None = None,
        default_channel: str | None = None,
    ) -> None:
        self.engine = engine
        self.policy = policy
        self.integrations = integrations
        self.clock = clock
        self.renderer = renderer or TemplateRenderer()
        self.default_channel = default_channel

    def handle(self, event: Event) -> Outcome:
        fetched = None
        if event.refresh or not self._mirrored(event):
            fetched = self._fetch(event)
        with self.engine.begin() as connection:
            previous = records.load_ticket(connection, event.source, event.ticket_id)
            return self._decide(connection, event, previous, fetched, self.clock())

    def _mirrored(self, event: Event) -> bool:
        with self.engine.connect() as connection:
            return records.load_ticket(connection, event.source, event.ticket_id) is not None

    def _fetch(self, event: Event) -> Ticket:
        desk = self.integrations.desks.get(event.source)
        if desk is None:
            raise TicketUnknown(
                f"{event.source} is not configured; cannot read ticket {event.ticket_id}"
            )
        return desk.fetch_ticket(event.ticket_id)

    def _decide(
        self,
        connection: Connection,
        event: Event,
        previous: Ticket | None,
        fetched: Ticket | None,
        now: datetime,
    ) -> Outcome:
        ticket = fetched or previous
        if ticket is None:
            raise TicketUnknown(f"{event.source} ticket {event.ticket_id} could not be read")
        # A slow read must not overwrite a newer mirror written meanwhile.
        if (
            fetched is not None
            and previous is not None
            and fetched.updated_at < previous.updated_at
        ):
            ticket = previous
        ticket = annotate(carry_signals(previous, ticket), self.policy)
        state = records.lock_state(connection, event.source, event.ticket_id, now)
        if not state.rca_recorded and rca_written(ticket, self.policy):
            state = dataclasses.replace(state, rca_recorded=True)
        if event.manual is not None:
            state = dataclasses.replace(state, manual=(*state.manual, event.manual))
        evaluation = evaluate(ticket, state, self.policy, now)
        new_state = apply_decisions(state, evaluation, now)
        gap = ownership_gap(ticket, new_state, now)
        if gap.alert:
            new_state = dataclasses.replace(new_state, fired={**new_state.fired, gap.key: now})
        next_check = min((t for t in (evaluation.next_check_at, gap.check_at) if t), default=None)
        records.save_ticket(connection, ticket, now, next_check)
        records.save_state(connection, event.source, event.ticket_id, new_state, now)
        if event.note is not None:
            records.audit(
                connection,
                at=now,
                source=event.source,
                ticket_id=event.ticket_id,
                kind="input",
                rule=None,
                data={"origin": event.origin, **event.note},
            )
        actions = list(event.actions)
        plan = Plan(
            ticket=ticket,
            state=new_state,
            next_deadline=evaluation.next_check_at,
            default_channel=self.default_channel,
            renderer=self.renderer,
            is_vip=is_vip(new_state),
        )
        enabled = self.integrations.enabled()
        for decision in evaluation.decisions:
            planned = plan_actions(decision, plan)
            actions += [a for a in planned if a.provider in enabled]
            skipped = sorted({a.provider for a in planned if a.provider not in enabled})
            records.audit(
                connection,
                at=now,
                source=event.source,
                ticket_id=event.ticket_id,
                kind="decision",
                rule=decision.rule,
                data=explain(decision, evaluation, event.origin, skipped),
            )
        if gap.alert:
            actions += self._ownership_alert(ticket, new_state, gap.key)
        enqueued = outbox.enqueue(connection, actions, now)
        if evaluation.decisions:
            log.info(
                "decided",
                extra={
                    "ticket": f"{event.source}:{event.ticket_id}",
                    "origin": event.origin,
                    "tier": str(evaluation.tier),
                    "decisions": [d.key for d in evaluation.decisions],
                },
            )
        return Outcome(ticket=ticket, evaluation=evaluation, enqueued=enqueued)

    def _ownership_alert(self, ticket: Ticket, state: EscalationState, key: str) -> list[NewAction]:
        route = self.policy.compiled.tiers[state.tier].route
        channel = route.slack_channel or self.default_channel
        if not channel or "slack" not in self.integrations.enabled():
            return []
        since = f" since {state.tier_since:%H:%M} UTC" if state.tier_since else ""
        text = (
            f"⚠️ Ownership gap: {ticket.source.value} #{ticket.id} “{ticket.subject}” has been "
            f"at {state.tier}{since} with no assignee. Take it in the help desk or with "
            f"“Take ownership”. {ticket.url}"
        )
        return [
            NewAction(
                idempotency_key=key,
                source=ticket.source.value,
                ticket_id=ticket.id,
                provider="slack",
                action="slack.alert",
                payload={"channel": channel, "text": text},
            )
        ]


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
        "inputs": _jsonable(reason.inputs),
        "clock": _jsonable(reason.clock),
        "origin": origin,
        "tier_after": str(evaluation.tier),
        "next_check_at": evaluation.next_check_at.isoformat() if evaluation.next_check_at else None,
        "not_configured": list(skipped),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
