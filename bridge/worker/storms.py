"""Outage storms: related escalations become one group with one signal (``policies.grouping``).

``StormRouter`` runs inside the engine's ticket transaction: a ticket whose decisions would
signal (escalate, notify, warn, page) joins its group, and from then on its chat messages, pages
and (if the group publishes) status page actions are the group's, not its own. Its desk actions
(hand-off note, acknowledgement, group and tags) stay its own.

``StormJob`` runs on the worker's tick: each group whose signal is due (``group_wait`` after it
opened, then at most every ``group_interval`` while members join) gets one chat message edited in
place, one page (dedup key = the group key, the ticket ids in its details) and, if the policy
says so, one status page incident. Its actions are keyed by the group and the signal's number,
so a crash between enqueueing and recording repeats nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from bridge.store import outbox, storms, tickets
from bridge.worker.plan import DEFAULT_PAGERDUTY_ENV
from connectors.actions import (
    ActionKind,
    ChatGroup,
    GroupView,
    NewAction,
    PageTrigger,
    StatusIncident,
    TicketCard,
)
from connectors.base import TicketKey
from policies import Evaluation
from policies.grouping import GroupingRules, join, members_needed, next_signal
from policies.model import DecisionKind, Severity, Ticket, Tier

STORM_SOURCE = "storm"  # the outbox's "desk" of a group's own actions
SIGNALS = frozenset(
    {DecisionKind.ESCALATE, DecisionKind.NOTIFY, DecisionKind.WARN, DecisionKind.PAGE}
)
PAGE_KINDS = frozenset(
    {ActionKind.PAGE_TRIGGER, ActionKind.PAGE_ACKNOWLEDGE, ActionKind.PAGE_RESOLVE}
)
STATUS_KINDS = frozenset(
    {ActionKind.STATUS_OPEN, ActionKind.STATUS_UPDATE, ActionKind.STATUS_RESOLVE}
)
PAGE_DETAIL_TICKETS = 100  # ticket ids listed in the page; PagerDuty caps an event at 512 KB
_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class StormRouter:
    def __init__(self, grouping: GroupingRules, default_channel: str | None) -> None:
        self.grouping = grouping
        self.default_channel = default_channel
        # The ticket's own chat message and pages; a "Publish to Statuspage?" question stays
        # the ticket's unless the group publishes instead.
        held = {ActionKind.CHAT_POST, ActionKind.CHAT_THREAD, ActionKind.CHAT_ALERT, *PAGE_KINDS}
        if grouping.statuspage:
            held |= {ActionKind.CHAT_PROMPT, *STATUS_KINDS}
        self.held = frozenset(held)

    def route(
        self,
        connection: Connection,
        ticket: Ticket,
        evaluation: Evaluation,
        actions: Sequence[NewAction],
        now: datetime,
    ) -> list[NewAction]:
        """The ticket's own actions that remain once its group speaks for it."""
        signals = [d for d in evaluation.decisions if d.action in SIGNALS]
        source = ticket.source.value
        member = storms.membership(connection, source, ticket.id)
        if member is None:
            if not signals or ticket.status.resolved:
                return list(actions)
            joined = self._join(connection, ticket, evaluation, now)
            if joined is None:
                return list(actions)
            group_id = joined
        else:
            group_id = member.group_id
            if signals:
                storms.update_member(
                    connection,
                    member,
                    severity=evaluation.severity.value,
                    tier=int(evaluation.tier),
                    subject=ticket.subject,
                )
        group = storms.by_id(connection, group_id)
        if group is None or group.closed_at is not None:
            return list(actions)  # the storm is over: the ticket signals on its own again
        if group.members < members_needed(group.basis):
            return list(actions)  # not a storm yet: the ticket still signals on its own
        if signals:
            self._changed(connection, group, evaluation, now)
        return [a for a in actions if a.kind not in self.held]

    def _join(
        self, connection: Connection, ticket: Ticket, evaluation: Evaluation, now: datetime
    ) -> int | None:
        """Adds the ticket to the group it joins (opening it if new); the group's id."""
        grouping = self.grouping
        since = now - timedelta(seconds=grouping.close_after)
        open_now = storms.open_groups(connection, since)
        joining = join(grouping, ticket, evaluation.severity, open_now, now.timestamp())
        if joining is None:
            return None
        group = storms.by_key(connection, joining.key)
        if group is None:
            route = next((d.route for d in evaluation.decisions if d.action in SIGNALS), None)
            channel = grouping.route.slack_channel or (route.slack_channel if route else None)
            group = storms.open_group(
                connection,
                joining,
                now,
                channel=channel or self.default_channel,
                routing=grouping.route.pagerduty_routing_key_env,
                over_before=since,
            )
        storms.add_member(
            connection,
            group,
            ticket,
            joining,
            now,
            severity=evaluation.severity.value,
            tier=int(evaluation.tier),
        )
        tickets.audit(
            connection,
            at=now,
            source=ticket.source.value,
            ticket_id=ticket.id,
            kind="grouped",
            rule=str(joining.inputs.get("group_by", "")),
            data={
                "group": group.key,
                "founded": group.key == joining.key and joining.new,
                "why": joining.why,
                "inputs": dict(joining.inputs),
                "source": grouping.source,
            },
        )
        return group.id

    def _changed(
        self, connection: Connection, group: storms.Group, evaluation: Evaluation, now: datetime
    ) -> None:
        signalled = group.signalled_at.timestamp() if group.signalled_at else None
        due = next_signal(self.grouping, group.opened_at.timestamp(), signalled)
        pages = [d for d in evaluation.decisions if d.action is DecisionKind.PAGE]
        routing = pages[0].route.pagerduty_routing_key_env if pages else None
        storms.changed(
            connection,
            group.id,
            now,
            _at(due),
            wants_page=bool(pages) and self.grouping.page,
            routing=routing or DEFAULT_PAGERDUTY_ENV,
        )


class StormJob:
    """Speaks for each group whose signal is due; closes groups that are over."""

    def __init__(
        self,
        db: Engine,
        grouping: GroupingRules,
        clock: Callable[[], datetime],
        *,
        chat: str | None,
        pager: str | None,
        status: str | None,
    ) -> None:
        self.db = db
        self.grouping = grouping
        self.clock = clock
        self.chat = chat
        self.pager = pager
        self.status = status if grouping.statuspage else None

    def run(self) -> int:
        now = self.clock()
        with self.db.begin() as connection:
            due = storms.due(connection, now)
            for group in due:
                self._signal(connection, group, now)
            over = now - timedelta(seconds=self.grouping.close_after)
            storms.close_over(connection, over, now)
        return len(due)

    def _signal(self, connection: Connection, group: storms.Group, now: datetime) -> None:
        members = storms.members(connection, group.id)
        again = now + timedelta(seconds=self.grouping.group_interval)
        if len(members) < members_needed(group.basis):
            storms.not_yet(connection, group)
            return
        number = group.signals + 1
        target = TicketKey(STORM_SOURCE, str(group.id))
        view = group_view(group, members, self.grouping.examples, now)
        actions: list[NewAction] = []
        page = self.pager is not None and group.wants_page and group.paged_at is None
        if page and self.pager is not None:
            trigger = page_trigger(group, members, view)
            actions.append(NewAction(f"{group.key}:page", target, self.pager, trigger))
        if self.chat is not None and group.channel:
            chat = ChatGroup(channel=group.channel, view=view.model_copy(update={"paged": page}))
            actions.append(NewAction(f"{group.key}:chat:{number}", target, self.chat, chat))
        if self.status is not None and number == 1:
            actions.append(
                NewAction(f"{group.key}:status", target, self.status, self._incident(group))
            )
        outbox.enqueue(connection, actions, now)
        storms.signalled(connection, group, now, again, paged=page)

    def _incident(self, group: storms.Group) -> StatusIncident:
        """Texts from the policy only: a ticket's words never reach the public page."""
        messages = self.grouping.messages
        field = group.basis.partition("=")[2] if group.basis.startswith("field:") else ""
        components = tuple(part for part in field.split(",") if part)
        names = ", ".join(components) or "our service"
        return StatusIncident(
            rule="grouping",
            name=messages.title.format(components=names),
            body=messages.investigating.format(components=names),
            components=components,
        )


def group_title(group: storms.Group, founder: storms.Member | None) -> str:
    kind, _, rest = group.basis.partition(":")
    if kind == "problem":
        return f"problem ticket #{rest.partition(':')[2]}"
    if kind == "tag":
        return f"tag “{rest}”"
    if kind == "field":
        name, _, value = rest.partition("=")
        return f"{name}: {value}"
    subject = founder.subject if founder else ""
    return f"subjects like “{subject}”"


def group_view(
    group: storms.Group, members: Sequence[storms.Member], examples: int, now: datetime
) -> GroupView:
    """``members`` newest first."""
    worst = min((Severity(m.severity) for m in members), key=_RANK.__getitem__)
    return GroupView(
        key=group.key,
        title=group_title(group, members[-1]),
        count=len(members),
        severity=worst,
        tier=Tier(max(m.tier for m in members)),
        opened_at=group.opened_at,
        updated_at=now,
        examples=tuple(_card(m) for m in members[:examples]),
        paged=group.paged_at is not None,
    )


def page_trigger(
    group: storms.Group, members: Sequence[storms.Member], view: GroupView
) -> PageTrigger:
    founder = members[-1]
    listed = [f"{m.source}:{m.ticket_id}" for m in reversed(members)][:PAGE_DETAIL_TICKETS]
    return PageTrigger(
        routing=group.routing or DEFAULT_PAGERDUTY_ENV,
        dedup_key=group.key,
        ticket=_card(founder),
        severity=view.severity,
        tier=view.tier,
        rule="grouping",
        route="storm",
        reason=f"Outage storm: {view.count} tickets grouped by {view.title}",
        inputs={"group": group.key, "count": view.count},
        tickets=tuple(listed),
    )


def _card(member: storms.Member) -> TicketCard:
    return TicketCard(
        source=member.source, ticket_id=member.ticket_id, url=member.url, subject=member.subject
    )
