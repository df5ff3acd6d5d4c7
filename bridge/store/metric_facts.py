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
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Subquery, and_, case, literal, select
from sqlalchemy.sql.elements import ColumnElement

from bridge.store.tables import UTCDateTime, audit_log, escalation_state, tickets

REPEAT_WINDOW = timedelta(days=30)
ACTIONS = ("escalate", "warn", "request_rca")
RESOLVED = ("solved", "closed")
_CHUNK = 400
Key = tuple[str, str]


@dataclass(frozen=True)
class DecisionFact:
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

    @property
    def escalations(self) -> list[DecisionFact]:
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
    decisions, first = _decisions(connection, since, until)
    cohort = _cohort(connection, since, until)
    for facts in cohort:
        facts.decisions = decisions[facts.key]
    people = _people(connection, since - REPEAT_WINDOW, until)
    earlier = {key: (at, *people.get(key, (None, None))) for key, at in first.items()}
    return Dataset(since, until, cohort, earlier, _others(connection, since, until, decisions))


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
) -> tuple[dict[Key, list[DecisionFact]], dict[Key, datetime]]:
    """The period's decisions by ticket; and the first escalation of every ticket escalated in
    the period or the 30 days before (for repeats). Served by the covering ix_audit_action_at."""
    c = audit_log.c
    query = select(c.at, c.source, c.ticket_id, c.action, c.rule, c.tier, c.severity, c.route)
    out: dict[Key, list[DecisionFact]] = defaultdict(list)
    first: dict[Key, datetime] = {}
    for actions, start in ((["escalate"], since - REPEAT_WINDOW), (["warn", "request_rca"], since)):
        where = (c.action.in_(actions), c.at >= start, c.at < until, c.kind == "decision")
        for at, source, ticket_id, action, rule, tier, severity, route in connection.execute(
            query.where(*where)
        ):
            key = (source, ticket_id)
            if action == "escalate" and (key not in first or at < first[key]):
                first[key] = at
            if at >= since:
                out[key].append(
                    DecisionFact(at, rule or "", action, tier or "", severity or "", route or "")
                )
    for rows in out.values():
        rows.sort(key=lambda d: d.at)
    return out, first


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
    for row in connection.execute(query):
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


def _people(
    connection: Connection, since: datetime, until: datetime
) -> dict[Key, tuple[str | None, str | None]]:
    """Requester and organization of the tickets escalated between ``since`` and ``until``."""
    t = tickets.c
    escalated = _decided(["escalate"], since, until)
    query = select(t.source, t.ticket_id, t.requester_id, t.organization_id).select_from(
        escalated.join(tickets, _same_ticket(escalated, tickets))
    )
    return {(s, i): (requester, org) for s, i, requester, org in connection.execute(query)}


def _others(
    connection: Connection, since: datetime, until: datetime, decided: Container[Key]
) -> Counter[tuple[str | None, bool]]:
    """The period's tickets without decisions, counted by priority and whether they breached
    the desk's resolution SLA (decided in SQL: no time is read back). The created-at index
    holds all it reads."""
    t = tickets.c
    end = case((t.status.in_(RESOLVED), t.updated_at), else_=literal(until, UTCDateTime()))
    query = select(t.source, t.ticket_id, t.priority, t.resolution_due < end).where(
        t.created_at >= since, t.created_at < until
    )
    out: Counter[tuple[str | None, bool]] = Counter()
    for source, ticket_id, priority, breached in connection.execute(query):
        if (source, ticket_id) not in decided:
            out[(priority, bool(breached))] += 1
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
