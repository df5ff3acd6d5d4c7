"""The policy file as pydantic models: the shape and the per-field checks.

Cross-references (a tier naming a channel, a trigger naming a phrase list) are checked in
``loader`` because they need the whole document.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    field_validator,
)

from policies.durations import parse_duration

TierName = Literal["L1", "L2", "L3", "L4"]
SeverityName = Literal["Critical", "High", "Medium", "Low"]
PriorityName = Literal["urgent", "high", "normal", "low"]
StatusName = Literal["new", "open", "pending", "hold", "solved", "closed"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

Duration = Annotated[int, PlainValidator(parse_duration)]
_HHMM = re.compile(r"([01]\d|2[0-4]):([0-5]\d)")
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
TEMPLATE_NAMES = (
    "customer_ack",
    "handoff_note",
    "status_reminder",
    "first_response_reminder",
    "diagnosis_reminder",
    "resolution_check",
    "rca_request",
    "follow_up",
)


def _env_name(value: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        raise ValueError(
            "must name an environment variable (e.g. PAGERDUTY_ROUTING_KEY), "
            "never hold the key itself"
        )
    return value


EnvName = Annotated[str, AfterValidator(_env_name)]


def _of_kind(prefix: str, own: frozenset[str], what: str, example: str) -> AfterValidator:
    """A variable of one provider's kind: a policy naming ``ZENDESK_API_TOKEN`` as a routing key
    would have the bridge send that credential to PagerDuty. ``own`` are the provider's other
    variables (its webhook secret, its URL), which are never what the policy means either."""

    def check(value: str) -> str:
        if not value.startswith(prefix):
            raise ValueError(f"must name a {prefix}* variable, e.g. {example}")
        if value in own:
            raise ValueError(f"{value} is not {what}")
        return value

    return AfterValidator(check)


# The providers' own variables (public contracts: their names never change).
PagerDutyKeyName = Annotated[
    EnvName,
    _of_kind(
        "PAGERDUTY_",
        frozenset(
            {
                "PAGERDUTY_WEBHOOK_SECRET",
                "PAGERDUTY_EVENTS_URL",
                "PAGERDUTY_WEBHOOK_MAX_AGE_MINUTES",
            }
        ),
        "a routing key",
        "PAGERDUTY_ROUTING_KEY",
    ),
]
OpsgenieKeyName = Annotated[
    EnvName,
    _of_kind(
        "OPSGENIE_",
        frozenset({"OPSGENIE_API_URL", "OPSGENIE_WEBHOOK_SECRET"}),
        "an API integration key",
        "OPSGENIE_API_KEY",
    ),
]
TeamsUrlName = Annotated[
    EnvName,
    _of_kind(
        "TEAMS_",
        frozenset({"TEAMS_LINK_SECRET", "TEAMS_LINK_HOURS"}),
        "a channel's webhook URL",
        "TEAMS_WEBHOOK_URL",
    ),
]


def _never(value: object) -> object:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("never", "")):
        return None
    return value


def _on_request(value: object) -> object:
    if value is None or (
        isinstance(value, str) and value.strip().lower().replace(" ", "_") == "on_request"
    ):
        return None
    return value


MaybeDuration = Annotated[Duration | None, BeforeValidator(_never)]
OnRequestDuration = Annotated[Duration | None, BeforeValidator(_on_request)]


def clock_minutes(text: str) -> int:
    """Minutes after midnight of ``HH:MM`` (``24:00`` allowed as the end of a day)."""
    match = _HHMM.fullmatch(text.strip())
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise ValueError(f"bad time of day {text!r}: write HH:MM, e.g. 09:00")
    return int(match.group(1)) * 60 + int(match.group(2))


def _priority_map() -> dict[PriorityName, SeverityName]:
    return {"urgent": "Critical", "high": "High", "normal": "Medium", "low": "Low"}


def _paused() -> list[StatusName]:
    return ["pending", "hold"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Holidays(_Strict):
    country: str | None = None
    subdiv: str | None = None
    dates: list[str] = Field(default_factory=list)


class Calendar(_Strict):
    timezone: str | None = None  # None: the policy's time zone
    hours: dict[Weekday, list[str]]
    holidays: Holidays = Field(default_factory=Holidays)

    @field_validator("hours")
    @classmethod
    def _ranges(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for ranges in value.values():
            for text in ranges:
                start, sep, end = text.partition("-")
                if not sep or clock_minutes(start) >= clock_minutes(end):
                    raise ValueError(f"bad hours {text!r}: write HH:MM-HH:MM, e.g. 09:00-17:00")
        return value


class Condition(_Strict):
    """Conditions of a trigger, override or route; any one that holds makes it match."""

    ticket_tags: list[str] | None = None
    party_tags: list[str] | None = None
    ticket_fields: dict[str, list[Any]] | None = None
    party_fields: dict[str, list[Any]] | None = None
    fields_present: list[str] | None = None
    fields_above: dict[str, float] | None = None
    keywords: list[str] | None = None
    phrases: list[str] | None = None
    opening_phrases: list[str] | None = None
    agent_phrases: list[str] | None = None
    no_update_for: Duration | None = None
    customer_replies_since_agent: int | None = Field(default=None, ge=1)
    customer_followups_at_least: int | None = Field(default=None, ge=1)
    desk_sla_breached: list[str] | None = None
    agent_replies_at_least: int | None = Field(default=None, ge=1)
    group_changes_at_least: int | None = Field(default=None, ge=1)
    csat_below: int | None = Field(default=None, ge=1, le=5)
    sentiment_below: float | None = Field(default=None, ge=-1, le=1)
    sentiment_trend_below: float | None = Field(default=None, ge=-1, le=1)
    trend_window: int = Field(default=3, ge=2)


class Templates(_Strict):
    customer_ack: str = "customer_ack"
    handoff_note: str = "handoff_note"
    status_reminder: str = "status_reminder"
    first_response_reminder: str = "first_response_reminder"
    diagnosis_reminder: str = "diagnosis_reminder"
    resolution_check: str = "resolution_check"
    rca_request: str = "rca_request"
    follow_up: str = "follow_up"


class TierConfig(_Strict):
    name: str
    # How messages name the team (a customer reads it); default: ``name``.
    display_name: str | None = None
    scope: str = ""
    group: str | None = None
    assignee: str | None = None
    channel: str | None = None  # a name from ``channels``
    teams: str | None = None  # a name from ``teams_channels``
    pagerduty: str | None = None  # a name from ``pagerduty_keys``
    opsgenie: str | None = None  # a name from ``opsgenie_keys``
    page: list[SeverityName] = Field(default_factory=list)  # severities that page at this tier
    customer_ack: bool = False
    # At a hand-over to this tier's group, leave the previous tier's agent assigned in the desk.
    keep_assignee: bool = False
    templates: Templates = Field(default_factory=Templates)


class MatrixRow(_Strict):
    clock: str = "calendar"
    # What this severity means, in the words of the hand-off note's Impact line.
    description: str = ""
    L1: MaybeDuration = None
    L2: MaybeDuration = None
    L3: MaybeDuration = None
    management: OnRequestDuration = None


class SeverityRule(_Strict):
    id: str
    when: Condition
    reason: str | None = None  # plain words for messages and the process document
    severity: SeverityName
    notify: list[str] = Field(default_factory=list)


class SeverityConfig(_Strict):
    from_priority: dict[PriorityName, SeverityName] = Field(default_factory=_priority_map)
    default: SeverityName = "Medium"
    overrides: list[SeverityRule] = Field(default_factory=list)


class FirstResponse(_Strict):
    within: Duration = 1800
    repeat: Duration | None = None


class StatusUpdates(_Strict):
    every: dict[SeverityName, Duration] = Field(default_factory=dict)
    escalate_after_misses: int | None = Field(default=2, ge=1)


class Rca(_Strict):
    due_after: Duration = 172800
    repeat: Duration | None = None
    # A ticket field whose non-empty value records the root cause, besides an internal note
    # that starts with the RCA template's marker.
    field: str | None = None


def _diagnosis_times() -> dict[SeverityName, Duration]:
    return {"Critical": parse_duration("1h"), "High": parse_duration("2h")}


class InitialDiagnosis(_Strict):
    """After an escalation, the new owner writes a first diagnosis (an agent note or reply)
    within this time, per severity; the owner is reminded otherwise."""

    within: dict[SeverityName, Duration] = Field(default_factory=_diagnosis_times)


class ResolutionCheck(_Strict):
    """When an escalated ticket is solved the customer is asked to confirm (a public reply); a
    reopen within ``reopen_within`` is flagged to the team, a confirmation recorded."""

    reopen_within: Duration = Field(default_factory=lambda: parse_duration("7d"))


class Targets(_Strict):
    first_response: FirstResponse | None = Field(default_factory=FirstResponse)
    status_updates: StatusUpdates = Field(default_factory=StatusUpdates)
    initial_diagnosis: InitialDiagnosis | None = Field(default_factory=InitialDiagnosis)
    resolution_check: ResolutionCheck | None = Field(default_factory=ResolutionCheck)
    rca: Rca | None = Field(default_factory=Rca)


class WarningRule(_Strict):
    id: str
    at_percent: float | None = Field(default=None, gt=0, lt=100)
    before: Duration | None = None
    severities: list[SeverityName] | None = None
    tiers: list[TierName] | None = None


class Trigger(_Strict):
    id: str
    enabled: bool = True
    when: Condition
    # Why this escalates, in plain words: the hand-off note's "Why escalating" and the process
    # document. Without it the bridge words the condition that held.
    reason: str | None = None
    tier: TierName | Literal["next"] | None = None  # None: notify only
    notify: list[str] = Field(default_factory=list)
    # On a solved ticket: not at all, as on an open one (true), or as a follow-up of the tier's
    # team without a hand-over ("follow_up").
    while_resolved: bool | Literal["follow_up"] = False
    reopen: bool = False  # a follow-up reopens the ticket in the desk
    # A time-based condition of a ticket on business hours fires at the next open moment.
    wait_for_business_hours: bool = True
    # The customer or an agent asks for management: where the matrix says management is told
    # "on request", this tells it.
    management_request: bool = False


class NotifyRoute(_Strict):
    display_name: str | None = None
    channel: str | None = None
    teams: str | None = None
    pagerduty: str | None = None
    opsgenie: str | None = None
    group: str | None = None
    assignee: str | None = None


class RouteConfig(_Strict):
    name: str
    # How messages name the team; default: the tier's when the route keeps the tier's group,
    # else the route's name in words.
    display_name: str | None = None
    reason: str | None = None  # why the team takes the ticket, in plain words
    type: Literal["functional", "hierarchical", "domain"] = "functional"
    when: Condition | None = None  # None: matches every escalation
    tiers: list[TierName] | None = None
    severities: list[SeverityName] | None = None
    group: str | None = None
    assignee: str | None = None
    channel: str | None = None
    teams: str | None = None
    pagerduty: str | None = None
    opsgenie: str | None = None
    page: bool | None = None  # None: as the tier says
    keep_assignee: bool | None = None  # None: as the tier says
    continue_: bool = Field(default=False, alias="continue")
    # immediately: the team takes the ticket as soon as the condition holds; with_tier: only
    # when the ticket escalates for another reason.
    escalate: Literal["immediately", "with_tier"] = "with_tier"


class Messages(_Strict):
    """How the bridge's messages to customers are signed and what they may show."""

    # Closes every public reply; default: the owner's name once someone is assigned, else the
    # team's display name.
    signature: str | None = None
    # Chat user names (who clicked "Take ownership") in public replies; help-desk assignee names
    # are shown either way, as the desk shows them to the customer.
    public_chat_names: bool = False


class Role(_Strict):
    """A role of the escalation process and what it is responsible for (the process document
    lists them)."""

    name: str
    who: str = ""  # the people or group who hold it
    responsibilities: list[str] = Field(default_factory=list)


def _roles() -> list[Role]:
    """The six roles of the escalation process, as the process document names them."""
    return [
        Role(
            name="Frontline agent (L1)",
            who="Frontline",
            responsibilities=[
                "First reply and triage: severity, category, known issues",
                "Escalate when a trigger or the matrix says so, with a complete hand-off",
                "Stay the customer's contact until the new owner takes over",
            ],
        ),
        Role(
            name="Senior support (L2)",
            who="Senior support",
            responsibilities=[
                "Acknowledge within 15 minutes and take ownership",
                "Initial diagnosis within 1-2 hours for Critical and High tickets",
                "Status updates at the policy's cadence; solve or hand to L3",
            ],
        ),
        Role(
            name="Technical / engineering (L3)",
            who="Technical support and on-call engineering",
            responsibilities=[
                "Bugs, outages and data problems; answer pages",
                "Fix or workaround, with the root cause for the RCA",
            ],
        ),
        Role(
            name="Support management (L4)",
            who="Support managers",
            responsibilities=[
                "Major incidents, legal and commercial decisions",
                "Customer communication at management level",
            ],
        ),
        Role(
            name="Escalation owner",
            who="Whoever takes ownership of an escalated ticket",
            responsibilities=[
                "One accountable person per escalated ticket",
                "Keeps the customer informed; asks the customer to confirm the resolution",
                "Writes the root-cause analysis, the knowledge-base update and the follow-up",
            ],
        ),
        Role(
            name="Process owner",
            who="Support operations",
            responsibilities=[
                "Owns this policy; reviews the metrics and the report every month",
                "Turns RCA themes into training, knowledge-base articles and product fixes",
            ],
        ),
    ]


class QuietHours(_Strict):
    start: str
    end: str
    timezone: str | None = None

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        clock_minutes(value)
        return value


class ManualConfig(_Strict):
    tags: dict[str, TierName | Literal["next"]] = Field(default_factory=dict)


ComponentStatus = Literal["degraded_performance", "partial_outage", "major_outage"]


class StatusComponents(_Strict):
    """Where a ticket names the status page's components it concerns."""

    field: str | None = None  # a ticket field holding component names (text or a list)
    tags: dict[str, str] = Field(default_factory=dict)  # ticket tag -> component name


class StatusMessages(_Strict):
    """What the public page says; ``{components}`` becomes the affected components' names."""

    title: str = Field(default="Service disruption: {components}", max_length=200)
    investigating: str = "We are investigating reports of problems with {components}."
    update: str = "We are continuing to work on a fix for the problems with {components}."
    resolved: str = "This incident has been resolved."


class StatuspageRule(_Strict):
    """When a ticket is an outage the public status page must show (see ``policies/outage.py``)."""

    id: str
    when: Condition | None = None  # None: every ticket that reaches ``tier``
    tier: TierName = "L1"  # the ticket is at this tier or above
    severities: list[SeverityName] | None = None
    confirm: bool = False  # ask in chat ("Publish to Statuspage?") instead of publishing
    channel: str | None = None  # where to ask (a name from ``channels``); default: the tier's
    teams: str | None = None  # the same, in Teams (a name from ``teams_channels``)
    components: StatusComponents = Field(default_factory=StatusComponents)
    component_status: ComponentStatus = "major_outage"
    impact: Literal["minor", "major", "critical"] | None = None  # None: from the components
    messages: StatusMessages = Field(default_factory=StatusMessages)


Fraction = Annotated[float, Field(ge=0, le=1)]


class SimilarSubjects(_Strict):
    """Subjects alike enough (token-set Jaccard) and close enough in time are one outage."""

    window: Duration = 1800  # a ticket joins if the group's last member came at most this ago
    threshold: Fraction = 0.5  # shared words / all words of the two subjects


class ByTag(_Strict):
    tag: str = Field(min_length=1)


class ByField(_Strict):
    field: str = Field(min_length=1)  # a ticket field (id, title or key) naming the component


class BySubject(_Strict):
    similar_subject: SimilarSubjects = Field(default_factory=SimilarSubjects)


GroupBy = Literal["problem"] | ByTag | ByField | BySubject


class Grouping(_Strict):
    """Outage storms: related escalations share one chat message, one page and (optionally) one
    status page incident, as Alertmanager groups alerts (see ``policies/grouping.py``)."""

    group_by: list[GroupBy] = Field(min_length=1)  # tried in order; the first that fits wins
    severities: list[SeverityName] | None = None  # None: every severity
    group_wait: Duration = 30  # a new group waits this long for more before its first signal
    group_interval: Duration = 300  # then its message and page change at most this often
    close_after: Duration = 3600  # no new member for this long: the group is over
    examples: int = Field(default=5, ge=1, le=10)  # newest tickets the chat message lists
    channel: str | None = None  # a name from ``channels``; default: the first member's tier's
    pagerduty: str | None = None  # a name from ``pagerduty_keys``; default: the tier's
    page: bool = True  # one page per group (if any member's escalation pages)
    statuspage: bool = False  # one public status page incident per group
    messages: StatusMessages = Field(default_factory=StatusMessages)  # what that incident says


class MetricTargets(_Strict):
    """What the team aims for; the dashboard and `bridge report` compare against these."""

    escalation_rate_max: Fraction = 0.15
    time_to_escalate_max: Duration = 4 * 3600
    l2_resolution_min: Fraction = 0.80
    csat_min: float = Field(default=4.0, ge=1, le=5)
    repeat_max: Fraction = 0.10
    rca_completion_min: Fraction = 0.90
    over_escalation_max: Fraction = 0.10


class PolicyDoc(_Strict):
    version: Literal[1] = 1
    name: str = "Escalation policy"
    timezone: str = "UTC"
    calendars: dict[str, Calendar] = Field(default_factory=dict)
    pause_statuses: list[StatusName] = Field(default_factory=_paused)
    channels: dict[str, str] = Field(default_factory=dict)
    # name -> the environment variable holding a Teams Workflows webhook URL (it is a secret)
    teams_channels: dict[str, TeamsUrlName] = Field(default_factory=dict)
    pagerduty_keys: dict[str, PagerDutyKeyName] = Field(default_factory=dict)
    # name -> the environment variable holding an Opsgenie API (integration) key
    opsgenie_keys: dict[str, OpsgenieKeyName] = Field(default_factory=dict)
    notify_routes: dict[str, NotifyRoute] = Field(default_factory=dict)
    severity: SeverityConfig = Field(default_factory=SeverityConfig)
    tiers: dict[TierName, TierConfig]
    matrix: dict[SeverityName, MatrixRow]
    targets: Targets = Field(default_factory=Targets)
    warnings: list[WarningRule] = Field(default_factory=list)
    phrases: dict[str, list[str]] = Field(default_factory=dict)
    triggers: list[Trigger] = Field(default_factory=list)
    manual: ManualConfig = Field(default_factory=ManualConfig)
    routes: list[RouteConfig] = Field(default_factory=list)
    quiet_hours: QuietHours | None = None
    statuspage: list[StatuspageRule] = Field(default_factory=list)
    grouping: Grouping | None = None
    metrics: MetricTargets = Field(default_factory=MetricTargets)
    messages: Messages = Field(default_factory=Messages)
    roles: list[Role] = Field(default_factory=_roles)
