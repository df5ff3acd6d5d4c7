"""Rows for the metrics tables, and a generated escalation history for the dashboard's browser
test, its benchmark and demos. Rows are written directly (bulk inserts), not through the engine.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from bridge.store.tables import audit_log, escalation_state, tickets
from bridge.store.tickets import reopened

Row = dict[str, Any]
TIERS = ("L1", "L2", "L3", "L4")


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def ticket_row(
    ticket_id: str,
    created: datetime,
    *,
    source: str = "zendesk",
    status: str = "open",
    priority: str | None = "normal",
    requester: str | None = None,
    organization: str | None = None,
    category: str | None = None,
    csat: int | None = None,
    status_history: Sequence[tuple[datetime, str]] = (),
    resolution_due: datetime | None = None,
    agent_comments: Sequence[datetime] = (),
    updated: datetime | None = None,
    next_check_at: datetime | None = None,
) -> Row:
    """A ``tickets`` row whose ``data`` has the shape of ``policies.codec.ticket_to_json``."""
    updated = updated or created
    data = {
        "source": source,
        "id": ticket_id,
        "url": f"https://example.zendesk.com/agent/tickets/{ticket_id}",
        "subject": f"Ticket {ticket_id}",
        "status": status,
        "priority": priority,
        "created_at": iso(created),
        "updated_at": iso(updated),
        "requester": {"id": requester, "name": requester, "email": "", "tags": [], "fields": {}}
        if requester
        else None,
        "organization": {
            "id": organization,
            "name": organization.title(),
            "email": "",
            "tags": [],
            "fields": {},
        }
        if organization
        else None,
        "assignee_id": None,
        "group_id": None,
        "tags": [],
        "custom_fields": {"category": category} if category else {},
        "comments": [
            {
                "id": f"c{i}",
                "author_role": "agent",
                "public": True,
                "created_at": iso(at),
                "body": "",
                "author_id": "a1",
                "signals": None,
            }
            for i, at in enumerate(agent_comments)
        ],
        "satisfaction": None
        if csat is None
        else {"score": csat, "label": None, "comment": "", "rated_at": None},
        "desk_sla": {"resolution": iso(resolution_due)} if resolution_due else {},
        "group_changes": 0,
        "description": "",
        "status_history": [{"at": iso(at), "status": s} for at, s in status_history],
    }
    return {
        "source": source,
        "ticket_id": ticket_id,
        "data": data,
        "status": status,
        "updated_at": updated,
        "fetched_at": updated,
        "next_check_at": next_check_at,
        # As bridge.store.tickets.save_ticket copies them out of the ticket.
        "created_at": created,
        "priority": priority,
        "resolution_due": resolution_due,
        "requester_id": requester,
        "organization_id": organization,
        "organization_name": organization.title() if organization else None,
        "category": category,
        "csat": csat,
        "reopened": reopened([s for _at, s in status_history]),
    }


def state_row(
    ticket_id: str,
    tier: int,
    at: datetime,
    *,
    source: str = "zendesk",
    owner: str | None = None,
    history: Sequence[tuple[datetime, str, str, str]] = (),  # at, rule, from, to
    solved_at: datetime | None = None,
    rca_recorded: bool = False,
) -> Row:
    """An ``escalation_state`` row shaped like ``policies.codec.state_to_json``."""
    data: dict[str, Any] = {
        "tier": TIERS[tier - 1],
        "tier_since": iso(history[-1][0]) if history else None,
        "owner": owner,
        "history": [
            {"at": iso(h_at), "rule": rule, "from_tier": f, "to_tier": t}
            for h_at, rule, f, t in history
        ],
        "fired": {},
        "manual": [],
        "acknowledged_by": None,
        "acknowledged_at": None,
        "page_open": False,
        "solved_at": iso(solved_at),
        "rca_recorded": rca_recorded,
    }
    return {
        "source": source,
        "ticket_id": ticket_id,
        "tier": tier,
        "owner": owner,
        "data": data,
        "updated_at": at,
    }


def decision_row(
    ticket_id: str,
    at: datetime,
    action: str,
    rule: str,
    tier: str = "L2",
    *,
    source: str = "zendesk",
    severity: str = "Medium",
    route: str = "Senior support",
    text: str = "",
    clock: dict[str, Any] | None = None,
) -> Row:
    """An ``audit_log`` decision row shaped like ``bridge.worker.decide.explain``."""
    key = f"{source}:{ticket_id}:{rule}:{tier}:{action}"
    return {
        "at": at,
        "source": source,
        "ticket_id": ticket_id,
        "kind": "decision",
        "rule": rule,
        "action": action,
        "severity": severity,
        "tier": tier,
        "route": route,
        "data": {
            "action": action,
            "tier": tier,
            "severity": severity,
            "route": route,
            "key": key,
            "text": text or f"{severity} ticket: {action} ({rule})",
            "source": "policies/default.yaml:1",
            "inputs": {"severity": severity},
            "clock": clock or {},
            "origin": "timer",
            "tier_after": tier,
            "next_check_at": None,
            "not_configured": [],
        },
    }


@dataclass
class Rows:
    tickets: list[Row] = field(default_factory=list)
    states: list[Row] = field(default_factory=list)
    decisions: list[Row] = field(default_factory=list)


def insert(connection: Connection, rows: Rows) -> None:
    for table, batch in (
        (tickets, rows.tickets),
        (escalation_state, rows.states),
        (audit_log, rows.decisions),
    ):
        for start in range(0, len(batch), 5000):
            connection.execute(table.insert(), batch[start : start + 5000])


_SEVERITY = {"urgent": "Critical", "high": "High", "normal": "Medium", "low": "Low"}
_ROUTES = ("Senior support", "Engineering support", "Warranty claims", "Integration specialists")
_TRIGGERS = ("matrix", "matrix", "matrix", "customer_replies", "low_csat", "vip", "no_update")
_ORGS = tuple(f"org{i:04d}" for i in range(3000))
_CATEGORIES = ("billing", "integration", "warranty", "login", "performance", "how-to")


def generate(
    now: datetime, tickets_count: int, escalated_count: int, days: int = 365, seed: int = 7
) -> Iterator[Rows]:
    """A year of tickets, some escalated, in batches; deterministic for a seed."""
    rng = random.Random(seed)
    every = max(1, tickets_count // max(1, escalated_count))
    batch = Rows()
    for n in range(tickets_count):
        _one(rng, now, n, days, n % every == 0 and n // every < escalated_count, batch)
        if len(batch.tickets) >= 2000:
            yield batch
            batch = Rows()
    if batch.tickets:
        yield batch


def _one(rng: random.Random, now: datetime, n: int, days: int, escalate: bool, out: Rows) -> None:
    created = now - timedelta(seconds=rng.uniform(0, days * 86400))
    priority = rng.choice(("urgent", "high", "normal", "normal", "low"))
    severity = _SEVERITY[priority]
    org = rng.choice(_ORGS)
    age = (now - created).total_seconds()
    resolved = age > 3 * 86400 or rng.random() < 0.3
    tid = str(100000 + n)
    if not escalate:
        status = "solved" if resolved else rng.choice(("new", "open", "pending"))
        out.tickets.append(
            ticket_row(
                tid,
                created,
                status=status,
                priority=priority,
                organization=org,
                requester=f"user{rng.randrange(5000)}",
                category=rng.choice(_CATEGORIES),
                csat=rng.choice((None, 4, 5, 5)) if resolved else None,
                updated=min(now, created + timedelta(hours=rng.uniform(1, 48))),
                next_check_at=None if resolved else created + timedelta(hours=rng.uniform(1, 72)),
            )
        )
        out.states.append(state_row(tid, 1, created))
        return
    tte = min(age, rng.expovariate(1 / 7200))
    first = created + timedelta(seconds=tte)
    rule = rng.choice(_TRIGGERS)
    route = rng.choice(_ROUTES)
    tier = 3 if rng.random() < 0.2 else 2
    history = [(first, rule, "L1", "L2")]
    if tier == 3:
        history.append((first + timedelta(hours=rng.uniform(0.5, 6)), "matrix", "L2", "L3"))
    history = [h for h in history if h[0] <= now]
    tier = 1 + len(history)
    solved_at = None
    if resolved:
        solved_at = min(now, history[-1][0] + timedelta(hours=rng.expovariate(1 / 6)))
    warn_at = created + timedelta(seconds=tte * 0.75)
    out.decisions.append(
        decision_row(
            tid, warn_at, "warn", "warn_75_percent", "L1", severity=severity, route="Frontline"
        )
    )
    for at, h_rule, _from, to in history:
        for action in ("escalate", "internal_note"):
            out.decisions.append(
                decision_row(tid, at, action, h_rule, to, severity=severity, route=route)
            )
    rca = False
    if solved_at is not None:
        out.decisions.append(
            decision_row(
                tid,
                solved_at,
                "request_rca",
                "rca",
                TIERS[tier - 1],
                severity=severity,
                route=route,
            )
        )
        rca = rng.random() < 0.85
        if not rca and solved_at + timedelta(hours=48) <= now:
            out.decisions.append(
                decision_row(
                    tid,
                    solved_at + timedelta(hours=48),
                    "request_rca",
                    "rca_reminder",
                    TIERS[tier - 1],
                    severity=severity,
                    route=route,
                )
            )
    status = "solved" if solved_at else "open"
    out.tickets.append(
        ticket_row(
            tid,
            created,
            status=status,
            priority=priority,
            organization=org,
            requester=f"user{rng.randrange(5000)}",
            category=rng.choice(_CATEGORIES),
            csat=rng.choice((None, 2, 3, 4, 5, 5)) if solved_at else None,
            updated=solved_at or history[-1][0],
            next_check_at=None if solved_at else now + timedelta(minutes=rng.uniform(-5, 240)),
        )
    )
    out.states.append(
        state_row(
            tid,
            tier,
            history[-1][0],
            owner=route,
            history=history,
            solved_at=solved_at,
            rca_recorded=rca,
        )
    )
