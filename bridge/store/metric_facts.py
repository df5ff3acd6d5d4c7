"""Read what the metrics need from the audit log, the ticket mirror and the escalation state.

Tickets and decisions are read from plain columns copied out of their JSON (see
``bridge.store.tables``); where many rows are read, covering indexes hold all of it: the
decisions of the period (``ix_audit_action_at``) and its many tickets without decisions, which
are only counted (``ix_tickets_created_at``). JSON is still read for the escalation state of
the tickets with decisions and for the comments of the few tickets that may be
over-escalations.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, NamedTuple

from sqlalchemy import Connection, Subquery, and_, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from bridge.store.tables import UTCDateTime, audit_log, escalation_state, tickets

REPEAT_WINDOW = timedelta(days=30)
ACTIONS = ("escalate", "warn", "request_rca")
RESOLVED = ("solved", "closed")
_CHUNK = 400
Key = tuple[str, str]


class DecisionFact(NamedTuple):
    # A tuple: a 90-day view builds tens of thousands, and a frozen dataclass's __init__ cost a
    # fifth of the page.
    at: datetime
    rule: str
    action: str
    tier: str
    severity: str
    route: str


@dataclass
class TicketFacts:
    source: str
    ticket_id: str
    created_at: datetime
    status: str
    updated_at: datetime
    priority: str | None = None
    resolution_due: datetime | None = None
    decisions: list[DecisionFact] = field(default_factory=list)
    requester: str | None = None
    organization: str | None = None  # name for display (the id when it has none)
    org_id: str | None = None
    category: str | None = None
    csat: int | None = None
    reopened: bool = False
    # From the escalation state.
    tier: int = 1
    history: list[tuple[datetime, str, str]] = field(default_factory=list)  # at, from, to
    solved_at: datetime | None = None
    rca_recorded: bool = False
    # Read only for the tickets where over-escalation is in question.
    agent_comments: list[datetime] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.source, self.ticket_id)

    @cached_property
    def escalations(self) -> list[DecisionFact]:
        """Read many times per ticket by the metrics; ``load`` sets ``decisions`` first."""
        return [d for d in self.decisions if d.action == "escalate"]


@dataclass(frozen=True)
class Dataset:
    since: datetime
    until: datetime
    tickets: list[TicketFacts]
    # First escalation time of every ticket escalated in the 30 days before ``since`` or after,
    # with its requester and organization: for repeat escalations.
    earlier: dict[Key, tuple[datetime, str | None, str | None]]
    # Tickets without decisions in the period: (priority, resolution SLA breached) -> count.
    others: Counter[tuple[str | None, bool]] = field(default_factory=Counter)


def _time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _by_key(table: Any, keys: Sequence[Key]) -> Iterable[ColumnElement[bool]]:
    """Conditions selecting ``keys`` through the (source, ticket_id) primary key, in chunks.

    One source per condition: SQLite does not use the key for a row-value ``IN``."""
    ids: dict[str, list[str]] = defaultdict(list)
    for source, ticket_id in keys:
        ids[source].append(ticket_id)
    for source, chunk in ids.items():
        for start in range(0, len(chunk), _CHUNK):
            yield and_(
                table.c.source == source, table.c.ticket_id.in_(chunk[start : start + _CHUNK])
            )


def load(connection: Connection, since: datetime, until: datetime) -> Dataset:
    decisions = _decisions(connection, since, until)
    cohort = _cohort(connection, since, until)
    for facts in cohort:
        facts.decisions = decisions[facts.key]
    earlier = _earlier(connection, since - REPEAT_WINDOW, until)
    return Dataset(since, until, cohort, earlier, _others(connection, since, until))


def _decided(actions: Sequence[str], since: datetime, until: datetime) -> Subquery:
    c = audit_log.c
    return (
        select(c.source, c.ticket_id)
        .where(c.action.in_(actions), c.at >= since, c.at < until, c.kind == "decision")
        .distinct()
        .subquery()
    )


def _same_ticket(left: Any, right: Any) -> ColumnElement[bool]:
    return and_(left.c.source == right.c.source, left.c.ticket_id == right.c.ticket_id)


def _decisions(
    connection: Connection, since: datetime, until: datetime
) -> dict[Key, list[DecisionFact]]:
    """The period's decisions by ticket, in time order. Served by the covering
    ix_audit_action_at."""
    c = audit_log.c
    query = select(c.at, c.source, c.ticket_id, c.action, c.rule, c.tier, c.severity, c.route)
    where = (c.action.in_(ACTIONS), c.at >= since, c.at < until, c.kind == "decision")
    out: dict[Key, list[DecisionFact]] = defaultdict(list)
    for at, source, ticket_id, action, rule, tier, severity, route in connection.execute(
        query.where(*where)
    ).all():
        out[(source, ticket_id)].append(
            DecisionFact(at, rule or "", action, tier or "", severity or "", route or "")
        )
    for rows in out.values():
        rows.sort(key=lambda d: d.at)
    return out


def _cohort(connection: Connection, since: datetime, until: datetime) -> list[TicketFacts]:
    """Tickets created in the period that have decisions in it, with their escalation state."""
    t, data = tickets.c, escalation_state.c.data
    decided = _decided(ACTIONS, since, until)
    query = (
        select(
            t.source,
            t.ticket_id,
            t.created_at,
            t.status,
            t.updated_at,
            t.priority,
            t.resolution_due,
            t.requester_id,
            t.organization_name,
            t.organization_id,
            t.category,
            t.csat,
            t.reopened,
            escalation_state.c.tier,
            data["history"],
            data["solved_at"].as_string(),
            data["rca_recorded"].as_boolean(),
        )
        .select_from(
            decided.join(tickets, _same_ticket(decided, tickets)).outerjoin(
                escalation_state, _same_ticket(tickets, escalation_state)
            )
        )
        .where(t.created_at >= since, t.created_at < until)
    )
    out = []
    for row in connection.execute(query).all():
        (source, ticket_id, created, status, updated, priority, due) = row[:7]
        requester, org_name, org_id, category, csat, reopened = row[7:13]
        tier, history, solved_at, rca = row[13:]
        out.append(
            TicketFacts(
                source,
                ticket_id,
                created,
                status,
                updated,
                priority,
                due,
                requester=requester,
                organization=org_name or org_id,
                org_id=org_id,
                category=category,
                csat=csat,
                reopened=bool(reopened),
                tier=int(tier or 1),
                history=[(_time(h["at"]), h["from_tier"], h["to_tier"]) for h in history or []],
                solved_at=_time(solved_at) if solved_at else None,
                rca_recorded=bool(rca),
            )
        )
    return out


def _earlier(
    connection: Connection, since: datetime, until: datetime
) -> dict[Key, tuple[datetime, str | None, str | None]]:
    """The first escalation between ``since`` and ``until`` of every ticket escalated then,
    with its requester and organization (for repeats): one row per ticket, grouped in SQL."""
    c, t = audit_log.c, tickets.c
    first = (
        select(c.source, c.ticket_id, func.min(c.at).label("first"))
        .where(c.action == "escalate", c.at >= since, c.at < until, c.kind == "decision")
        .group_by(c.source, c.ticket_id)
        .subquery()
    )
    query = select(first.c.source, first.c.ticket_id, first.c.first, t.requester_id).add_columns(
        t.organization_id
    )
    query = query.select_from(first.outerjoin(tickets, _same_ticket(first, tickets)))
    return {(s, i): (at, requester, org) for s, i, at, requester, org in connection.execute(query)}


def _others(
    connection: Connection, since: datetime, until: datetime
) -> Counter[tuple[str | None, bool]]:
    """The period's tickets without decisions, counted by priority and whether they breached
    the desk's resolution SLA, counted in SQL (a few rows come back, not the period's
    tickets). The created-at index holds all it reads of the tickets."""
    t = tickets.c
    end = case((t.status.in_(RESOLVED), t.updated_at), else_=literal(until, UTCDateTime()))
    decided = _decided(ACTIONS, since, until)
    breached = t.resolution_due < end
    query = (
        select(t.priority, breached, func.count())
        .select_from(tickets.outerjoin(decided, _same_ticket(tickets, decided)))
        .where(t.created_at >= since, t.created_at < until, decided.c.ticket_id.is_(None))
        .group_by(t.priority, breached)
    )
    out: Counter[tuple[str | None, bool]] = Counter()
    for priority, late, count in connection.execute(query).all():
        out[(priority, bool(late))] += count
    return out


def load_agent_comments(connection: Connection, facts: Sequence[TicketFacts]) -> None:
    """Agent comment times, for the few tickets where over-escalation is in question."""
    by_key = {f.key: f for f in facts}
    for condition in _by_key(tickets, list(by_key)):
        query = select(tickets.c.source, tickets.c.ticket_id, tickets.c.data["comments"])
        for source, ticket_id, comments in connection.execute(query.where(condition)):
            by_key[(source, ticket_id)].agent_comments = [
                _time(c["created_at"]) for c in comments or [] if c.get("author_role") == "agent"
            ]
