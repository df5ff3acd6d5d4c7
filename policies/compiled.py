"""The policy compiled once into plain objects and tuples, so ``evaluate`` walks no dicts of
pydantic models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from policies.calendar import BusinessClock, Clock, QuietHours
from policies.conditions import CompiledCondition
from policies.grouping import GroupingRules, compile_grouping
from policies.language import PhraseMatcher, compile_phrase_lists
from policies.model import Priority, Route, Severity, Status, Tier
from policies.schema import (
    Calendar,
    MatrixRow,
    PolicyDoc,
    StatusMessages,
    StatuspageRule,
    Templates,
    clock_minutes,
)

NEXT: Literal[0] = 0  # a trigger target meaning "one tier up"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Lines = dict[tuple[str | int, ...], int]


@dataclass(frozen=True, slots=True)
class TierRule:
    tier: Tier
    name: str
    scope: str
    route: Route
    page: frozenset[Severity]
    templates: Templates


@dataclass(frozen=True, slots=True)
class Row:
    """One severity's line of the escalation matrix."""

    clock: Clock
    # Indexed by tier value; L4 (and index 0) never move on, nor L3 when management is told
    # only on request.
    limits: tuple[int | None, ...]
    management: int | None  # None: on request
    source: str

    @property
    def on_request(self) -> bool:
        return self.management is None


@dataclass(frozen=True, slots=True)
class Trigger:
    id: str
    when: CompiledCondition
    tier: Tier | Literal[0] | None
    notify: tuple[Route, ...]
    while_resolved: bool
    follow_up: bool  # on a solved ticket: a follow-up of the tier's team, not a hand-over
    reopen: bool
    management_request: bool
    source: str


@dataclass(frozen=True, slots=True)
class Override:
    id: str
    when: CompiledCondition
    severity: Severity
    notify: tuple[Route, ...]
    source: str


@dataclass(frozen=True, slots=True)
class WarningRule:
    id: str
    percent: float | None
    before: int | None
    severities: frozenset[Severity] | None
    tiers: frozenset[Tier] | None
    source: str


@dataclass(frozen=True, slots=True)
class RouteRule:
    name: str
    kind: str
    when: CompiledCondition | None
    tiers: frozenset[Tier] | None
    severities: frozenset[Severity] | None
    group: str | None
    assignee: str | None
    channel: str | None
    teams: str | None
    pagerduty: str | None
    opsgenie: str | None
    page: bool | None
    cont: bool
    immediate: bool  # the team takes the ticket as soon as the condition holds
    source: str
    display_name: str | None = None
    keep_assignee: bool | None = None  # None: as the tier says

    def first_tier(self) -> Tier:
        """The tier an immediate route moves a ticket to: the lowest it names, else L2."""
        return min(self.tiers) if self.tiers else Tier.L2


@dataclass(frozen=True, slots=True)
class OutageRule:
    """A statuspage rule: when a ticket is an outage to publish, and what the page says."""

    id: str
    when: CompiledCondition | None
    tier: Tier
    severities: frozenset[Severity] | None
    confirm: bool
    route: Route  # where the "Publish to Statuspage?" question goes
    component_field: str | None
    component_tags: tuple[tuple[str, str], ...]
    component_status: str
    impact: str | None
    messages: StatusMessages
    source: str


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    file: str
    name: str
    from_priority: dict[Priority | None, Severity]
    overrides: tuple[Override, ...]
    tiers: dict[Tier, TierRule]
    rows: dict[Severity, Row]
    pause_statuses: frozenset[Status]
    first_response: tuple[int, int | None] | None  # (within, repeat)
    cadence: dict[Severity, int]
    cadence_escalate_after: int | None
    rca: tuple[int, int | None] | None  # (due after solve, repeat)
    warnings: tuple[WarningRule, ...]
    triggers: tuple[Trigger, ...]
    manual_tags: tuple[tuple[str, Tier | Literal[0]], ...]
    routes: tuple[RouteRule, ...]
    notify_routes: dict[str, Route]
    quiet: QuietHours | None
    phrases: PhraseMatcher
    sources: dict[str, str]  # built-in rule id -> "FILE:LINE"
    outages: tuple[OutageRule, ...] = ()
    grouping: GroupingRules | None = None
    diagnosis: dict[Severity, int] = field(default_factory=dict)  # severity -> clock span
    reopen_within: int | None = None  # None: no resolution check


def words(name: str) -> str:
    """A name as words (``customer_success`` -> "Customer success"): how a message names a team
    the policy gives no display name."""
    return name.replace("_", " ").replace("-", " ").strip().capitalize()


def _tier(name: str) -> Tier:
    return Tier[name]


def _business(name: str, cal: Calendar, zone: str) -> BusinessClock:
    week = [
        [
            (clock_minutes(r.partition("-")[0]), clock_minutes(r.partition("-")[2]))
            for r in cal.hours.get(day, [])  # type: ignore[call-overload]
        ]
        for day in _DAYS
    ]
    dates = [dt.date.fromisoformat(d) for d in cal.holidays.dates]
    return BusinessClock(
        name, cal.timezone or zone, week, cal.holidays.country, cal.holidays.subdiv, dates
    )


def _row(clock: Clock, row: MatrixRow, source: str) -> Row:
    def span(value: int | None) -> int | None:
        return None if value is None else clock.span(value)

    # "On request" means the clock never brings a ticket to management (L4).
    to_l4 = span(row.L3) if row.management is not None else None
    limits = (None, span(row.L1), span(row.L2), to_l4, None)
    return Row(clock, limits, span(row.management), source)


def _outage(
    rule: StatuspageRule, channel: str | None, teams: str | None, source: str
) -> OutageRule:
    return OutageRule(
        id=rule.id,
        when=CompiledCondition.build(rule.when) if rule.when else None,
        tier=_tier(rule.tier),
        severities=frozenset(Severity(s) for s in rule.severities) if rule.severities else None,
        confirm=rule.confirm,
        route=Route(name=f"statuspage:{rule.id}", slack_channel=channel, teams_channel=teams),
        component_field=rule.components.field,
        component_tags=tuple(rule.components.tags.items()),
        component_status=rule.component_status,
        impact=rule.impact,
        messages=rule.messages,
        source=source,
    )


def compile_policy(doc: PolicyDoc, file: str, lines: Lines) -> CompiledPolicy:
    def src(*path: str | int) -> str:
        while path and path not in lines:
            path = path[:-1]
        return f"{file}:{lines.get(path, 1)}"

    def channel(name: str | None) -> str | None:
        return doc.channels[name] if name else None

    def pager(name: str | None) -> str | None:
        return doc.pagerduty_keys[name] if name else None

    def genie(name: str | None) -> str | None:
        return doc.opsgenie_keys[name] if name else None

    def teams(name: str | None) -> str | None:
        return doc.teams_channels[name] if name else None

    notify_routes = {
        name: Route(
            name=name,
            slack_channel=channel(r.channel),
            teams_channel=teams(r.teams),
            pagerduty_routing_key_env=pager(r.pagerduty),
            opsgenie_key_env=genie(r.opsgenie),
            group=r.group,
            assignee=r.assignee,
            display_name=r.display_name or words(name),
        )
        for name, r in doc.notify_routes.items()
    }
    tiers = {
        _tier(name): TierRule(
            tier=_tier(name),
            name=t.name,
            scope=t.scope,
            route=Route(
                name=name,
                slack_channel=channel(t.channel),
                teams_channel=teams(t.teams),
                pagerduty_routing_key_env=pager(t.pagerduty),
                opsgenie_key_env=genie(t.opsgenie),
                group=t.group,
                assignee=t.assignee,
                customer_ack=t.customer_ack,
                display_name=t.display_name or t.name,
                keep_assignee=t.keep_assignee,
            ),
            page=frozenset(Severity(s) for s in t.page),
            templates=t.templates,
        )
        for name, t in doc.tiers.items()
    }
    clocks: dict[str, Clock] = {"calendar": Clock()}
    clocks.update({n: _business(n, c, doc.timezone) for n, c in doc.calendars.items()})
    rows = {
        Severity(sev): _row(clocks[r.clock], r, src("matrix", sev)) for sev, r in doc.matrix.items()
    }
    cadence = {
        Severity(s): rows[Severity(s)].clock.span(d)
        for s, d in doc.targets.status_updates.every.items()
    }
    targets = doc.targets
    quiet = doc.quiet_hours
    return CompiledPolicy(
        file=file,
        name=doc.name,
        from_priority={
            **{Priority(p): Severity(s) for p, s in doc.severity.from_priority.items()},
            None: Severity(doc.severity.default),
        },
        overrides=tuple(
            Override(
                o.id,
                CompiledCondition.build(o.when),
                Severity(o.severity),
                tuple(notify_routes[n] for n in o.notify),
                src("severity", "overrides", i),
            )
            for i, o in enumerate(doc.severity.overrides)
        ),
        tiers=tiers,
        rows=rows,
        pause_statuses=frozenset(Status(s) for s in doc.pause_statuses),
        first_response=(
            (targets.first_response.within, targets.first_response.repeat)
            if targets.first_response
            else None
        ),
        cadence=cadence,
        cadence_escalate_after=targets.status_updates.escalate_after_misses,
        rca=(targets.rca.due_after, targets.rca.repeat) if targets.rca else None,
        diagnosis={
            Severity(s): rows[Severity(s)].clock.span(d)
            for s, d in (
                targets.initial_diagnosis.within if targets.initial_diagnosis else {}
            ).items()
        },
        reopen_within=targets.resolution_check.reopen_within if targets.resolution_check else None,
        warnings=tuple(
            WarningRule(
                w.id,
                w.at_percent,
                w.before,
                frozenset(Severity(s) for s in w.severities) if w.severities else None,
                frozenset(_tier(t) for t in w.tiers) if w.tiers else None,
                src("warnings", i),
            )
            for i, w in enumerate(doc.warnings)
        ),
        triggers=tuple(
            Trigger(
                t.id,
                CompiledCondition.build(t.when, business_hours=t.wait_for_business_hours),
                NEXT if t.tier == "next" else (_tier(t.tier) if t.tier else None),
                tuple(notify_routes[n] for n in t.notify),
                t.while_resolved is not False,
                t.while_resolved == "follow_up",
                t.reopen,
                t.management_request,
                src("triggers", i),
            )
            for i, t in enumerate(doc.triggers)
            if t.enabled
        ),
        manual_tags=tuple(
            (tag, NEXT if target == "next" else _tier(target))
            for tag, target in doc.manual.tags.items()
        ),
        routes=tuple(
            RouteRule(
                name=r.name,
                kind=r.type,
                when=CompiledCondition.build(r.when) if r.when else None,
                tiers=frozenset(_tier(t) for t in r.tiers) if r.tiers else None,
                severities=frozenset(Severity(s) for s in r.severities) if r.severities else None,
                group=r.group,
                assignee=r.assignee,
                channel=channel(r.channel),
                teams=teams(r.teams),
                pagerduty=pager(r.pagerduty),
                opsgenie=genie(r.opsgenie),
                page=r.page,
                cont=r.continue_,
                immediate=r.escalate == "immediately",
                source=src("routes", i),
                display_name=r.display_name,
                keep_assignee=r.keep_assignee,
            )
            for i, r in enumerate(doc.routes)
        ),
        notify_routes=notify_routes,
        outages=tuple(
            _outage(rule, channel(rule.channel), teams(rule.teams), src("statuspage", i))
            for i, rule in enumerate(doc.statuspage)
        ),
        grouping=(
            compile_grouping(
                doc.grouping,
                Route(
                    name="storm",
                    slack_channel=channel(doc.grouping.channel),
                    pagerduty_routing_key_env=pager(doc.grouping.pagerduty),
                ),
                src("grouping"),
            )
            if doc.grouping
            else None
        ),
        quiet=(
            QuietHours(
                quiet.timezone or doc.timezone, clock_minutes(quiet.start), clock_minutes(quiet.end)
            )
            if quiet
            else None
        ),
        phrases=compile_phrase_lists(doc.phrases),
        sources={
            "first_response": src("targets", "first_response"),
            "status_update": src("targets", "status_updates"),
            "rca": src("targets", "rca"),
            "diagnosis": src("targets", "initial_diagnosis"),
            "resolution_check": src("targets", "resolution_check"),
            "manual": src("manual"),
            "quiet_hours": src("quiet_hours"),
        },
    )
