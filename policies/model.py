"""The shared model: what every help desk maps into and what the policy reads and returns.

Everything here is plain, frozen data. Times are timezone-aware UTC ``datetime`` values.
Connectors translate help-desk API shapes into ``Ticket``; the policy engine reads a ``Ticket``
and an ``EscalationState`` and returns ``Decision`` values; the bridge stores and carries them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

# An escalated ticket's new owner acknowledges within this many minutes (an assignee, or
# "Acknowledge" / "Take ownership" in chat); otherwise the tier's channel is told.
OWNERSHIP_GRACE_MINUTES = 15


class Source(StrEnum):
    ZENDESK = "zendesk"
    FRESHDESK = "freshdesk"
    INTERCOM = "intercom"
    HELPSCOUT = "helpscout"
    SALESFORCE = "salesforce"


class Status(StrEnum):
    """Normalized ticket status (Zendesk status categories; Freshdesk statuses mapped onto them)."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    HOLD = "hold"
    SOLVED = "solved"
    CLOSED = "closed"

    @property
    def resolved(self) -> bool:
        return self in (Status.SOLVED, Status.CLOSED)


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Severity(StrEnum):
    CRITICAL = "Critical"
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class Tier(IntEnum):
    """Support tiers; L4 is management."""

    L1 = 1
    L2 = 2
    L3 = 3
    L4 = 4

    def __str__(self) -> str:
        return self.name


class AuthorRole(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BRIDGE = "bridge"  # written by this service; never counts as an agent reply or customer input


@dataclass(frozen=True)
class Party:
    """A requester (person) or an organization/company, with the signals the policy may read."""

    id: str
    name: str = ""
    email: str = ""
    tags: frozenset[str] = frozenset()
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CommentSignals:
    """Scores computed once when a comment arrives (policies.signals), carried as data."""

    sentiment: float | None = None  # VADER compound score, -1..1
    phrases: frozenset[str] = frozenset()  # names of the policy's phrase lists that matched


@dataclass(frozen=True)
class Comment:
    id: str
    author_role: AuthorRole
    public: bool
    created_at: datetime
    body: str = ""
    author_id: str = ""
    signals: CommentSignals | None = None


@dataclass(frozen=True)
class Satisfaction:
    """CSAT normalized to a 1-5 score and a good/bad label where the desk gives one."""

    score: int | None = None
    label: str | None = None  # "good" | "bad"
    comment: str = ""
    rated_at: datetime | None = None


@dataclass(frozen=True)
class StatusChange:
    """One status transition, where the desk reports them (used to compute paused clock time)."""

    at: datetime
    status: Status


@dataclass(frozen=True)
class Ticket:
    source: Source
    id: str
    url: str
    subject: str
    status: Status
    priority: Priority | None
    created_at: datetime
    updated_at: datetime
    requester: Party | None = None
    organization: Party | None = None
    assignee_id: str | None = None
    assignee_name: str = ""  # the assignee's name where the desk gives it
    group_id: str | None = None
    tags: frozenset[str] = frozenset()
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    comments: tuple[Comment, ...] = ()
    satisfaction: Satisfaction | None = None
    # The desk's own SLA due times where it gives them, e.g. "first_response", "resolution",
    # "next_response" (Freshdesk fr_due_by / due_by / nr_due_by, Zendesk slas sideload).
    desk_sla: Mapping[str, datetime] = field(default_factory=dict)
    # How many times the ticket moved between groups (complexity signal), where known.
    group_changes: int = 0
    description: str = ""
    # Status transitions in time order, where known. Without them a ticket that is pending/on
    # hold now is treated as paused since updated_at.
    status_history: tuple[StatusChange, ...] = ()
    # Every name a policy may give a custom field that is set on the ticket (its desk id, title
    # or key, written as ``policies.fields.field_key`` does) -> the key in ``custom_fields``.
    field_names: Mapping[str, str] = field(default_factory=dict)
    # The labels of the drop-down options chosen in a field (key in ``custom_fields``).
    field_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Names of the phrase lists the subject affirms; None until scored (``policies.signals``).
    subject_phrases: frozenset[str] | None = None
    # Zendesk's ticket type (problem, incident, question, task) and, on an incident, the problem
    # ticket it is linked to: the desk's own grouping of an outage (``policies.grouping``).
    ticket_type: str | None = None
    problem_id: str | None = None


class DecisionKind(StrEnum):
    """What a decision asks the bridge to do."""

    ESCALATE = "escalate"  # move to a higher tier (hand to the route's group/assignee)
    NOTIFY = "notify"  # tell a route (Slack) without changing tier, e.g. management
    WARN = "warn"  # pre-breach warning
    PAGE = "page"  # PagerDuty trigger
    ACKNOWLEDGE_PAGE = "acknowledge_page"  # PagerDuty acknowledge (e.g. from a Slack click)
    RESOLVE_PAGE = "resolve_page"  # PagerDuty resolve
    INTERNAL_NOTE = "internal_note"  # hand-off note on the ticket
    CUSTOMER_ACK = "customer_ack"  # public acknowledgement to the customer
    REMIND_OWNER = "remind_owner"  # e.g. a missed status update
    REQUEST_RCA = "request_rca"  # root-cause documentation due / overdue
    STATUS_PROPOSE = "status_propose"  # ask in chat whether to publish a status page incident
    STATUS_OPEN = "status_open"  # publish the ticket's outage on the status page
    STATUS_UPDATE = "status_update"  # the outage moved (a higher tier)
    STATUS_RESOLVE = "status_resolve"  # the ticket is solved: resolve the incident
    FOLLOW_UP = "follow_up"  # a solved ticket needs another look (e.g. a low CSAT); no hand-over
    RESOLUTION_CHECK = "resolution_check"  # ask the customer to confirm the resolution
    RESOLUTION_CONFIRMED = "resolution_confirmed"  # the customer confirmed it (recorded)


@dataclass(frozen=True)
class Route:
    """Where a decision goes, resolved from the policy: its owner and the channels that hear."""

    name: str
    slack_channel: str | None = None
    teams_channel: str | None = None  # the NAME of the variable holding the webhook URL
    pagerduty_routing_key_env: str | None = None  # the NAME of the environment variable
    opsgenie_key_env: str | None = None  # the NAME of the variable holding an Opsgenie key
    group: str | None = None
    assignee: str | None = None
    customer_ack: bool = False
    display_name: str = ""  # how messages name the team; never a group slug
    # At a hand-over to a group, leave the previous tier's agent assigned in the desk (by default
    # the agent is removed, so the group's queue shows the ticket as nobody's).
    keep_assignee: bool = False

    def pagers(self) -> tuple[tuple[str, str], ...]:
        """The pagers this route pages through, with the variable of each one's key."""
        named = (("pagerduty", self.pagerduty_routing_key_env), ("opsgenie", self.opsgenie_key_env))
        return tuple((pager, env) for pager, env in named if env)


@dataclass(frozen=True)
class Explanation:
    """Why a decision was made: the rule, where it is written, its inputs, the clock arithmetic."""

    rule: str
    text: str  # one plain sentence a support lead can read
    source: str = ""  # "FILE:LINE" of the rule in the policy file
    inputs: Mapping[str, Any] = field(default_factory=dict)
    clock: Mapping[str, Any] = field(default_factory=dict)  # elapsed, paused intervals, deadline


@dataclass(frozen=True)
class Decision:
    rule: str
    action: DecisionKind
    tier: Tier  # the tier this decision concerns (target tier for ESCALATE)
    route: Route
    key: str  # idempotency key, stable across re-evaluations
    reason: Explanation
    severity: Severity = Severity.MEDIUM
    template: str | None = None  # message template the bridge renders for this decision, if any


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    rule: str
    from_tier: Tier
    to_tier: Tier


@dataclass(frozen=True)
class ManualRequest:
    """A person's request arriving from Slack or a slash command, taken by the engine as input."""

    kind: str  # escalate | acknowledge | take_ownership | resolve_page | publish_statuspage
    by: str
    at: datetime
    reason: str = ""
    tier: Tier | None = None


@dataclass(frozen=True)
class EscalationState:
    """What the bridge remembers about one ticket between evaluations."""

    tier: Tier = Tier.L1
    tier_since: datetime | None = None  # None: no prior state; the tier follows from the clock
    owner: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    fired: Mapping[str, datetime] = field(default_factory=dict)  # decision key -> first fired at
    manual: tuple[ManualRequest, ...] = ()
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    page_open: bool = False
    solved_at: datetime | None = None
    rca_recorded: bool = False
    # The desk assignee when the ticket last moved up a tier: the previous tier's agent, who is
    # not the new owner (a route that names an assignee replaces them).
    handed_from: str | None = None
