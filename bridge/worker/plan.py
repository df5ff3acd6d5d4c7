"""What each policy decision means outside: the typed outbox actions it enqueues.

Comment texts are rendered here, at enqueue time, and chat messages and pages are described by
provider-neutral views that each provider renders with pure builders, so every retry of an
action sends exactly the same thing. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.worker.comment_context import Plan, owner_of, template_context
from connectors._desk.common import BRIDGE_TAG
from connectors.actions import (
    ChatAlert,
    ChatPost,
    ChatPrompt,
    DeskNote,
    DeskReply,
    DeskUpdate,
    EscalationView,
    FollowUpDone,
    FollowUpTask,
    NewAction,
    PageAcknowledge,
    PageResolve,
    PageTrigger,
    Payload,
    StatusIncident,
    StatusResolve,
    StatusUpdate,
    TicketCard,
    ViewChange,
    incident_key,
)
from connectors.base import TicketKey
from connectors.registry import spec
from policies.model import Decision, DecisionKind, EscalationState, Route, Status, Ticket
from policies.routing import clears_assignee, previous_assignee
from policies.templates import TemplateRenderer

DEFAULT_PAGERDUTY_ENV = "PAGERDUTY_ROUTING_KEY"
RCA_RULE = "rca"  # the policy's root-cause request (its reminders are "rca_reminder")


# Which of a route's channels each chat provider posts to.
ROUTE_CHANNELS: dict[str, Callable[[Route], str | None]] = {
    "slack": lambda route: route.slack_channel,
    "teams": lambda route: route.teams_channel,
}


@dataclass(frozen=True)
class ChatTarget:
    """A chat provider the planner posts to, and its channel when a route names none."""

    provider: str
    default_channel: str | None = None

    def channel(self, route: Route) -> str | None:
        own = ROUTE_CHANNELS.get(self.provider, ROUTE_CHANNELS["slack"])(route)
        return own or self.default_channel


def ticket_card(ticket: Ticket) -> TicketCard:
    return TicketCard(
        source=ticket.source.value,
        ticket_id=ticket.id,
        url=ticket.url,
        subject=ticket.subject,
        status=ticket.status.value,
        priority=ticket.priority.value if ticket.priority else None,
        customer_name=ticket.requester.name if ticket.requester else "",
        customer_org=ticket.organization.name if ticket.organization else "",
    )


def route_label(decision: Decision) -> str:
    return decision.route.name.replace("_", " ").capitalize()


class Planner:
    """Turns decisions into outbox actions for the configured providers: every chat target gets
    the channel messages, the pagers the pages (``pagers``: those configured, in registry
    order), ``status`` (if one is configured) the public status page incidents, ``tasks`` (if one
    is configured) the root-cause follow-up tasks, the ticket's own desk its notes and updates."""

    def __init__(
        self,
        renderer: TemplateRenderer,
        *,
        chats: tuple[ChatTarget, ...],
        pagers: tuple[str, ...],
        status: str | None = None,
        tasks: str | None = None,
    ) -> None:
        self.renderer = renderer
        self.chats = chats
        self.pagers = pagers
        self.status = status
        self.tasks = tasks
        self._builders: dict[DecisionKind, Callable[[Decision, Plan], list[NewAction]]] = {
            DecisionKind.ESCALATE: self._escalate,
            DecisionKind.NOTIFY: self._notify,
            DecisionKind.WARN: self._warn,
            DecisionKind.PAGE: self._page,
            DecisionKind.ACKNOWLEDGE_PAGE: self._page_follow_up,
            DecisionKind.RESOLVE_PAGE: self._page_follow_up,
            DecisionKind.INTERNAL_NOTE: self._note,
            DecisionKind.CUSTOMER_ACK: self._customer_ack,
            DecisionKind.REMIND_OWNER: self._remind,
            DecisionKind.REQUEST_RCA: self._request_rca,
            DecisionKind.STATUS_PROPOSE: self._status_propose,
            DecisionKind.STATUS_OPEN: self._status,
            DecisionKind.STATUS_UPDATE: self._status,
            DecisionKind.STATUS_RESOLVE: self._status,
            DecisionKind.FOLLOW_UP: self._follow_up,
            DecisionKind.RESOLUTION_CHECK: self._resolution_check,
            DecisionKind.RESOLUTION_CONFIRMED: self._confirmed,
        }

    def actions(self, decision: Decision, plan: Plan) -> list[NewAction]:
        """The outbox actions for one decision."""
        return self._builders[decision.action](decision, plan)

    def ownership_alert(
        self, ticket: Ticket, state: EscalationState, key: str, route: Route
    ) -> list[NewAction]:
        since = f" since {state.tier_since:%H:%M} UTC" if state.tier_since else ""
        text = (
            f"⚠️ Ownership gap: {ticket.source.value} #{ticket.id} “{ticket.subject}” has been "
            f"at {state.tier}{since} with no assignee. Take it in the help desk or with "
            f"“Take ownership”. {ticket.url}"
        )
        target = TicketKey(ticket.source.value, ticket.id)
        actions = []
        for chat, channel in self._channels(route):
            # The first chat keeps the key an alert has always had (no repeat after upgrading).
            own_key = key if chat == self.chats[0].provider else f"{key}:{chat}"
            actions.append(NewAction(own_key, target, chat, ChatAlert(channel=channel, text=text)))
        return actions

    def _channels(self, route: Route) -> list[tuple[str, str]]:
        found = [(chat.provider, chat.channel(route)) for chat in self.chats]
        return [(provider, channel) for provider, channel in found if channel]

    # -- one builder per decision kind ---------------------------------------------------------

    def _action(
        self, decision: Decision, plan: Plan, suffix: str, provider: str, payload: Payload
    ) -> NewAction:
        ticket = TicketKey(plan.ticket.source.value, plan.ticket.id)
        return NewAction(f"{decision.key}:{suffix}", ticket, provider, payload)

    def _view(self, decision: Decision, plan: Plan) -> EscalationView:
        return EscalationView(
            ticket=ticket_card(plan.ticket),
            severity=decision.severity,
            tier=decision.tier,
            reason=decision.reason.text,
            inputs=tuple((key, f"{value}") for key, value in decision.reason.inputs.items()),
            owner=owner_of(decision, plan.state),
            next_deadline=plan.next_deadline,
            vip=plan.vip,
        )

    def _chat(
        self,
        decision: Decision,
        plan: Plan,
        suffix: str,
        line: str | None,
        *,
        actor: str | None = None,
        change: ViewChange | None = None,
    ) -> list[NewAction]:
        """The ticket's message in the route's channel of each chat: the first post if the
        ticket has none there yet, else ``line`` under it and the message showing ``change``."""
        view = self._view(decision, plan)
        return [
            self._action(
                decision,
                plan,
                f"{chat}:{suffix}",
                chat,
                ChatPost(
                    channel=channel,
                    view=view,
                    change=change or ViewChange(),
                    line=line,
                    actor=actor,
                ),
            )
            for chat, channel in self._channels(decision.route)
        ]

    def _desk_comment(
        self, decision: Decision, plan: Plan, template: str, public: bool
    ) -> NewAction:
        body = self.renderer.render(decision.template or template, template_context(decision, plan))
        payload: Payload = DeskReply(body=body) if public else DeskNote(body=body)
        suffix = payload.kind.value
        return self._action(decision, plan, suffix, plan.ticket.source.value, payload)

    def _escalate(self, decision: Decision, plan: Plan) -> list[NewAction]:
        route = decision.route
        assignee = plan.ticket.assignee_id
        # Only the agent assigned when the ticket moved up a tier: someone who took it since is
        # the new owner and stays.
        clear = (
            bool(assignee)
            and assignee == plan.state.handed_from
            and clears_assignee(route)
            and spec(plan.ticket.source.value).unassigns
        )
        update = DeskUpdate(
            group=route.group,
            assignee=route.assignee,
            clear_assignee=clear,
            previous_assignee=assignee if clear else None,
            add_tags=(BRIDGE_TAG, "escalated", f"escalation_{decision.tier.name.lower()}"),
        )
        actions = [
            self._action(decision, plan, update.kind.value, plan.ticket.source.value, update)
        ]
        line = f"Escalated to {decision.tier}: {decision.reason.text}"
        change = ViewChange(owner=owner_of(decision, plan.state))
        return actions + self._chat(decision, plan, "escalate", line, change=change)

    def _follow_up(self, decision: Decision, plan: Plan) -> list[NewAction]:
        """A solved ticket needs another look: the team gets it (group, internal note, chat),
        reopened where the policy says so; the customer is told nothing by the bridge."""
        route = decision.route
        reopen = decision.reason.inputs.get("reopen") is True
        update = DeskUpdate(
            group=route.group,
            assignee=route.assignee,
            add_tags=(BRIDGE_TAG, "follow_up"),
            status=Status.OPEN if reopen else None,
        )
        desk = plan.ticket.source.value
        actions = [
            self._action(decision, plan, update.kind.value, desk, update),
            self._desk_comment(decision, plan, "follow_up", public=False),
        ]
        line = f"🔁 Follow-up for {route_label(decision)}: {decision.reason.text}"
        return actions + self._chat(decision, plan, "follow_up", line)

    def _notify(self, decision: Decision, plan: Plan) -> list[NewAction]:
        return self._chat(
            decision, plan, "notify", f"{route_label(decision)}: {decision.reason.text}"
        )

    def _warn(self, decision: Decision, plan: Plan) -> list[NewAction]:
        return self._chat(decision, plan, "warn", f"⏳ {decision.reason.text}")

    def _page_targets(self, route: Route) -> list[tuple[str, str]]:
        """The pagers a route pages through: those it names that are configured; when none of
        them is, the first it names, so that the missing set-up shows as a dead letter."""
        named = list(route.pagers()) or [("pagerduty", DEFAULT_PAGERDUTY_ENV)]
        return [(p, env) for p, env in named if p in self.pagers] or named[:1]

    def _page(self, decision: Decision, plan: Plan) -> list[NewAction]:
        ticket = plan.ticket
        actions = []
        for pager, variable in self._page_targets(decision.route):
            page = PageTrigger(
                routing=variable,
                dedup_key=incident_key(TicketKey(ticket.source.value, ticket.id)),
                ticket=ticket_card(ticket),
                severity=decision.severity,
                tier=decision.tier,
                rule=decision.rule,
                route=decision.route.name,
                reason=decision.reason.text,
                inputs=jsonable(dict(decision.reason.inputs)),
            )
            actions.append(self._action(decision, plan, f"{pager}.trigger", pager, page))
        titles = " and ".join(spec(a.provider).settings.title for a in actions)
        return [*actions, *self._chat(decision, plan, "page", f"📟 Paged on-call in {titles}")]

    def _page_follow_up(self, decision: Decision, plan: Plan) -> list[NewAction]:
        ticket = plan.ticket
        key = incident_key(TicketKey(ticket.source.value, ticket.id))
        actor = str(decision.reason.inputs.get("by") or "") or None
        payload: Payload
        if decision.action is DecisionKind.ACKNOWLEDGE_PAGE:
            kind, line = "acknowledge", "✋ Page acknowledged"
            payload = PageAcknowledge(dedup_key=key)
            change = ViewChange(acknowledged_by=actor or "someone")
        else:
            kind, line = "resolve", "✅ Page resolved"
            payload = PageResolve(dedup_key=key)
            change = ViewChange(resolved=True)
        # Every configured pager hears it; one that never paged for the ticket skips it.
        actions = [
            self._action(decision, plan, f"{pager}.{kind}", pager, payload)
            for pager in self.pagers or ("pagerduty",)
        ]
        return [*actions, *self._chat(decision, plan, kind, line, actor=actor, change=change)]

    def _note(self, decision: Decision, plan: Plan) -> list[NewAction]:
        return [self._desk_comment(decision, plan, "handoff_note", public=False)]

    def _customer_ack(self, decision: Decision, plan: Plan) -> list[NewAction]:
        return [self._desk_comment(decision, plan, "customer_ack", public=True)]

    def _resolution_check(self, decision: Decision, plan: Plan) -> list[NewAction]:
        return [self._desk_comment(decision, plan, "resolution_check", public=True)]

    def _confirmed(self, decision: Decision, plan: Plan) -> list[NewAction]:
        """Recorded on the ticket (and in the audit log, as every decision is)."""
        note = DeskNote(body=f"✅ Resolution confirmed: {decision.reason.text}.")
        return [self._action(decision, plan, note.kind.value, plan.ticket.source.value, note)]

    def _remind(self, decision: Decision, plan: Plan) -> list[NewAction]:
        return [
            self._desk_comment(decision, plan, "status_reminder", public=False),
            *self._chat(decision, plan, "remind", f"🔔 {decision.reason.text}"),
        ]

    def _request_rca(self, decision: Decision, plan: Plan) -> list[NewAction]:
        owner = owner_of(decision, plan.state)
        line = f"📝 Root cause wanted from {owner}: {decision.reason.text}"
        note = self._desk_comment(decision, plan, "rca_request", public=False)
        actions = [note, *self._chat(decision, plan, "rca", line, change=ViewChange(resolved=True))]
        # One task for the request itself, none for its reminders or a write-up already there.
        if self.tasks and decision.rule == RCA_RULE and not plan.state.rca_recorded:
            context = template_context(decision, plan)
            task = FollowUpTask(
                ticket=ticket_card(plan.ticket),
                request=self.renderer.render(decision.template or "rca_request", context),
                severity=decision.severity,
                due=_when(decision.reason.clock.get("deadline")),
                owner=owner,
                tags=("rca", decision.tier.name.lower(), decision.severity.value.lower()),
            )
            actions.append(self._action(decision, plan, f"{self.tasks}.task", self.tasks, task))
        return actions

    def rca_recorded(self, ticket: Ticket, how: str) -> list[NewAction]:
        """The root cause is on the ticket: complete its follow-up task (once per ticket)."""
        if not self.tasks:
            return []
        target = TicketKey(ticket.source.value, ticket.id)
        done = FollowUpDone(reason=how)
        return [NewAction(f"{target}:rca:recorded:{self.tasks}", target, self.tasks, done)]

    def _status_propose(self, decision: Decision, plan: Plan) -> list[NewAction]:
        if self.status is None:
            return []  # no status page to publish on: asking would mislead
        rule = str(decision.reason.inputs.get("statuspage_rule", ""))
        text = (
            f"📣 Publish this outage on the public status page? {decision.reason.text}. "
            f"Rule {rule} asks a person first."
        )
        return [
            self._action(
                decision,
                plan,
                f"{chat}:prompt",
                chat,
                ChatPrompt(
                    channel=channel,
                    ticket=ticket_card(plan.ticket),
                    text=text,
                    request="publish_statuspage",
                    label="Publish to Statuspage",
                ),
            )
            for chat, channel in self._channels(decision.route)
        ]

    def _status(self, decision: Decision, plan: Plan) -> list[NewAction]:
        if self.status is None:
            return []
        inputs = decision.reason.inputs
        rule = str(inputs.get("statuspage_rule", ""))
        payload: Payload
        if decision.action is DecisionKind.STATUS_OPEN:
            payload = StatusIncident(
                rule=rule,
                name=str(inputs.get("title", "")),
                body=str(inputs.get("investigating", "")),
                components=tuple(str(c) for c in inputs.get("components") or ()),
                component_status=str(inputs.get("component_status", "major_outage")),
                impact=inputs.get("impact") or None,
            )
            line = "📣 Published on the status page"
        elif decision.action is DecisionKind.STATUS_UPDATE:
            payload = StatusUpdate(rule=rule, body=str(inputs.get("update", "")))
            line = None
        else:
            payload = StatusResolve(rule=rule, body=str(inputs.get("resolved", "")))
            line = None
        action = self._action(decision, plan, payload.kind.value, self.status, payload)
        chat = self._chat(decision, plan, "status", line) if line else []
        return [action, *chat]


def previous_agent(decision: Decision, ticket: Ticket, actions: list[NewAction]) -> str | None:
    """What an escalation did with the agent assigned in the desk, in words (the audit log, so
    ``bridge explain`` shows it); None for other decisions."""
    if decision.action is not DecisionKind.ESCALATE:
        return None
    route, agent = decision.route, ticket.assignee_name or ticket.assignee_id
    if route.assignee or not clears_assignee(route):
        return previous_assignee(route.group, route.assignee, route.keep_assignee)
    if not agent:
        return "nobody was assigned"
    if any(isinstance(a.payload, DeskUpdate) and a.payload.clear_assignee for a in actions):
        return f"{agent} removed: unassigned in the group"
    desk = spec(ticket.source.value)
    if not desk.unassigns:
        return f"{agent} kept: {desk.settings.title} documents no way to unassign a ticket"
    return f"{agent} kept: assigned since the hand-over"


def _when(value: object) -> datetime | None:
    """A time the policy wrote in a decision's clock (ISO 8601, ``Z`` for UTC)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def jsonable(value: Any) -> Any:
    """A value as JSON can hold it: mappings and sequences kept, times as ISO text, the rest
    as text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
