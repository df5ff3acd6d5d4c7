"""Read what the metrics need from the audit log, the ticket mirror and the escalation state.

Only the tickets created in the period are read (through the ``tickets`` created-at expression
index), and of those only the escalated ones in detail. JSON fields are pulled several at a time
so SQLite parses each document once.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Connection, String, and_, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from bridge.schema import audit_log, escalation_state, tickets

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
    # Below: read only for escalated tickets.
    requester: str | None = None
    organization: str | None = None  # name for display (the id when it has none)
    org_id: str | None = None
    category: str | None = None
    csat: int | None = None
    reopened: bool = False
    tier: int = 1
    history: list[tuple[datetime, str, str]] = field(default_factory=list)  # at, from, to
    solved_at: datetime | None = None
    rca_recorded: bool = False
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


def json_text(dialect: str, column: Any, name: str) -> ColumnElement[str]:
    """A top-level JSON field as text, written exactly as migration 0003 indexes it."""
    if dialect == "postgresql":
        return column.op("->>", return_type=String())(literal_column(f"'{name}'"))  # type: ignore[no-any-return]
    return func.json_extract(column, literal_column(f"'$.{name}'"), type_=String())


def json_values(dialect: str, column: Any, paths: Sequence[str]) -> ColumnElement[Any]:
    """Several values of a JSON column as one JSON array (paths are constants of this module)."""
    if dialect == "postgresql":
        parts = [
            column.op("#>")(literal_column("'{" + ",".join(p.split(".")) + "}'")) for p in paths
        ]
        return func.jsonb_build_array(*parts, type_=JSON())
    extracted: list[ColumnElement[Any]] = [literal_column(f"'$.{p}'") for p in paths]
    if len(extracted) == 1:  # one path gives the bare value, not an array
        return func.json_array(func.json_extract(column, *extracted), type_=String())
    return func.json_extract(column, *extracted, type_=String())


def _decode(value: Any) -> list[Any]:
    decoded = json.loads(value) if isinstance(value, str) else value
    return list(decoded) if isinstance(decoded, list) else [decoded]


def _bound(moment: datetime) -> str:
    # Without a zone suffix: sorts before every stored form of the same second ("…:00Z", "…:00.5Z").
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _opt_time(value: Any) -> datetime | None:
    return _time(value) if isinstance(value, str) and value else None


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
    dialect = connection.dialect.name
    decisions = _decisions(connection, dialect, since - REPEAT_WINDOW, until, since)
    involved = {key for key, rows in decisions.items() if any(d.at >= since for d in rows)}
    cohort, others = _cohort(connection, dialect, since, until, involved)
    for key, facts in cohort.items():
        facts.decisions = [d for d in decisions[key] if d.at >= since]
    first = {
        key: min(d.at for d in rows if d.action == "escalate")
        for key, rows in decisions.items()
        if any(d.action == "escalate" for d in rows)
    }
    escalated = [key for key, facts in cohort.items() if facts.escalations]
    _details(connection, dialect, [cohort[key] for key in escalated])
    people = _people(connection, dialect, [k for k in first if k not in cohort])
    for key in escalated:
        people[key] = (cohort[key].requester, cohort[key].org_id)
    earlier = {key: (at, *people.get(key, (None, None))) for key, at in first.items()}
    return Dataset(since, until, list(cohort.values()), earlier, others)


def _cohort(
    connection: Connection, dialect: str, since: datetime, until: datetime, involved: set[Key]
) -> tuple[dict[Key, TicketFacts], Counter[tuple[str | None, bool]]]:
    """Tickets created in the period: in full those with decisions, the rest only counted by
    priority and whether they breached the desk's resolution SLA. ISO strings of one format
    compare like the times they write, so the common case parses no time."""
    created = json_text(dialect, tickets.c.data, "created_at")
    fields = json_values(
        dialect, tickets.c.data, ["created_at", "priority", "desk_sla.resolution", "updated_at"]
    )
    # Exact to the second: a bound without zone suffix sorts just before its own second.
    query = select(tickets.c.source, tickets.c.ticket_id, tickets.c.status, fields).where(
        and_(created >= _bound(since), created < _bound(until))
    )
    now = until.astimezone(UTC).isoformat().replace("+00:00", "Z")
    out: dict[Key, TicketFacts] = {}
    others: Counter[tuple[str | None, bool]] = Counter()
    for source, ticket_id, status, values in connection.execute(query).all():
        created_text, priority, due, updated = _decode(values)
        if (source, ticket_id) not in involved:
            end = updated if status in RESOLVED else now
            others[(priority, bool(due and end and due < end))] += 1
            continue
        out[(source, ticket_id)] = TicketFacts(
            source,
            ticket_id,
            _time(created_text),
            status,
            _time(updated or created_text),
            priority,
            _opt_time(due),
        )
    return out, others


def _decisions(
    connection: Connection, dialect: str, since: datetime, until: datetime, lookback_end: datetime
) -> dict[Key, list[DecisionFact]]:
    """Decisions the metrics read; before ``lookback_end`` escalations only (for repeats)."""
    action = json_text(dialect, audit_log.c.data, "action")
    fields = json_values(dialect, audit_log.c.data, ["tier", "severity", "route"])
    columns = (audit_log.c.at, audit_log.c.source, audit_log.c.ticket_id, audit_log.c.rule)
    # One index range per action (ix_audit_action_at): other decisions are never read.
    ranges = [("escalate", since)] + [(a, lookback_end) for a in ACTIONS if a != "escalate"]
    out: dict[Key, list[DecisionFact]] = defaultdict(list)
    for name, start in ranges:
        query = select(*columns, fields).where(
            action == literal_column(f"'{name}'"),
            audit_log.c.at >= start,
            audit_log.c.at < until,
            audit_log.c.kind == "decision",
        )
        for row in connection.execute(query).all():
            tier, severity, route = _decode(row[4])
            out[(row.source, row.ticket_id)].append(
                DecisionFact(row.at, row.rule or "", name, tier or "", severity or "", route or "")
            )
    for rows in out.values():
        rows.sort(key=lambda d: d.at)
    return out


def _people(
    connection: Connection, dialect: str, keys: Sequence[Key]
) -> dict[Key, tuple[str | None, str | None]]:
    fields = json_values(dialect, tickets.c.data, ["requester.id", "organization.id"])
    out: dict[Key, tuple[str | None, str | None]] = {}
    for condition in _by_key(tickets, keys):
        query = select(tickets.c.source, tickets.c.ticket_id, fields).where(condition)
        for row in connection.execute(query).all():
            requester, organization = _decode(row[2])
            out[(row.source, row.ticket_id)] = (_text(requester), _text(organization))
    return out


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


_TICKET_PATHS = [
    "requester.id",
    "organization.id",
    "organization.name",
    "custom_fields.category",
    "satisfaction.score",
    "status_history",
]
_STATE_PATHS = ["history", "solved_at", "rca_recorded"]


def _details(connection: Connection, dialect: str, escalated: Sequence[TicketFacts]) -> None:
    by_key = {facts.key: facts for facts in escalated}
    ticket_fields = json_values(dialect, tickets.c.data, _TICKET_PATHS)
    state_fields = json_values(dialect, escalation_state.c.data, _STATE_PATHS)
    for condition in _by_key(tickets, list(by_key)):
        query = (
            select(tickets.c.source, tickets.c.ticket_id, ticket_fields)
            .add_columns(escalation_state.c.tier, state_fields)
            .select_from(
                tickets.outerjoin(
                    escalation_state,
                    and_(
                        escalation_state.c.source == tickets.c.source,
                        escalation_state.c.ticket_id == tickets.c.ticket_id,
                    ),
                )
            )
            .where(condition)
        )
        for row in connection.execute(query).all():
            facts = by_key[(row.source, row.ticket_id)]
            requester, org_id, org_name, category, score, changes = _decode(row[2])
            facts.requester, facts.org_id = _text(requester), _text(org_id)
            facts.organization = _text(org_name or org_id)
            facts.category = _text(category)
            facts.csat = int(score) if isinstance(score, int | float) else None
            facts.reopened = _reopened(changes or [])
            if row.tier is not None:
                history, solved_at, rca = _decode(row[4])
                facts.tier = int(row.tier)
                facts.history = [
                    (_time(h["at"]), h["from_tier"], h["to_tier"]) for h in history or []
                ]
                facts.solved_at = _opt_time(solved_at)
                facts.rca_recorded = bool(rca)


def _reopened(changes: Sequence[dict[str, Any]]) -> bool:
    resolved = False
    for change in changes:
        if change.get("status") in ("solved", "closed"):
            resolved = True
        elif resolved:
            return True
    return False


def load_agent_comments(connection: Connection, dialect: str, facts: Sequence[TicketFacts]) -> None:
    """Agent comment times, for the few tickets where over-escalation is in question."""
    by_key = {f.key: f for f in facts}
    fields = json_values(dialect, tickets.c.data, ["comments"])
    for condition in _by_key(tickets, list(by_key)):
        query = select(tickets.c.source, tickets.c.ticket_id, fields).where(condition)
        for row in connection.execute(query).all():
            (comments,) = _decode(row[2])
            by_key[(row.source, row.ticket_id)].agent_comments = [
                _time(c["created_at"]) for c in comments or [] if c.get("author_role") == "agent"
            ]
