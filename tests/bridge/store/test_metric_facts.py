"""The metrics' reads against a plain reading of the same rows, on a generated dataset with
hand-made edge cases: what the SQL counts must be what a row-by-row count finds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from bridge.store.metric_facts import ACTIONS, REPEAT_WINDOW, RESOLVED, load
from bridge.store.tables import audit_log, tickets
from tests.support.sample import Rows, decision_row, generate, insert, state_row, ticket_row

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
D = timedelta(days=1)


def _edges() -> Rows:
    """Tickets on the period's edges: resolution due before and after the end (solved and not),
    decisions just outside the period, decisions that are not metrics actions."""
    rows = Rows()
    Case = tuple[str, float, str, float, float | None, list[tuple[str, float]]]
    cases: list[Case] = [
        # (id, created days ago, status, updated days ago, resolution due days ago, decisions)
        ("e1", 10, "open", 9, 5, []),  # unresolved, due passed: breached
        ("e2", 10, "open", 9, -5, []),  # unresolved, due ahead: not breached
        ("e3", 10, "solved", 8, 9, []),  # solved after the due time: breached
        ("e4", 10, "closed", 8, 7, []),  # closed before the due time: not breached
        ("e5", 10, "solved", 8, None, []),  # no due time
        ("e6", 20, "open", 19, 1, [("internal_note", 15)]),  # not a metrics action: counted
        ("e7", 29.9, "open", 29, 1, [("escalate", 31)]),  # decided before the 30-day period
        ("e8", 29.9, "open", 29, 1, [("warn", 29)]),  # decided in it: not counted
        ("e9", 30.1, "open", 29, 1, []),  # created before the period
        ("e10", 5, "pending", 4, 3, [("request_rca", 0.5)]),
    ]
    for tid, created, status, updated, due, decided in cases:
        rows.tickets.append(
            ticket_row(
                tid,
                NOW - created * D,
                status=status,
                priority="high",
                updated=NOW - updated * D,
                resolution_due=None if due is None else NOW - due * D,
            )
        )
        rows.states.append(state_row(tid, 1, NOW - created * D))
        for action, days in decided:
            rows.decisions.append(decision_row(tid, NOW - days * D, action, "matrix"))
    return rows


def _plain_others(
    engine: Engine, since: datetime, until: datetime
) -> Counter[tuple[str | None, bool]]:
    """Row by row from plain reads of both tables."""
    t, a = tickets.c, audit_log.c
    with engine.connect() as connection:
        decided = {
            (s, i)
            for s, i, action, at, kind in connection.execute(
                select(a.source, a.ticket_id, a.action, a.at, a.kind)
            )
            if action in ACTIONS and since <= at < until and kind == "decision"
        }
        rows = connection.execute(
            select(
                t.source, t.ticket_id, t.created_at, t.status, t.updated_at, t.priority
            ).add_columns(t.resolution_due)
        ).all()
    out: Counter[tuple[str | None, bool]] = Counter()
    for source, ticket_id, created, status, updated, priority, due in rows:
        if not since <= created < until or (source, ticket_id) in decided:
            continue
        end = updated if status in RESOLVED else until
        out[(priority, due is not None and due < end)] += 1
    return out


def _plain_earlier(
    engine: Engine, since: datetime, until: datetime
) -> dict[tuple[str, str], tuple[datetime, str | None, str | None]]:
    """First escalation in the window per ticket, with its people, row by row."""
    t, a = tickets.c, audit_log.c
    with engine.connect() as connection:
        people = {
            (s, i): (r, o)
            for s, i, r, o in connection.execute(
                select(t.source, t.ticket_id, t.requester_id, t.organization_id)
            )
        }
        first: dict[tuple[str, str], datetime] = {}
        for s, i, action, at, kind in connection.execute(
            select(a.source, a.ticket_id, a.action, a.at, a.kind)
        ):
            if action == "escalate" and kind == "decision" and since <= at < until:
                first[(s, i)] = min(at, first.get((s, i), at))
    return {key: (at, *people.get(key, (None, None))) for key, at in first.items()}


def _plain_decisions(
    engine: Engine, since: datetime, until: datetime
) -> dict[tuple[str, str], list[tuple[datetime, str, str]]]:
    a = audit_log.c
    out: dict[tuple[str, str], list[tuple[datetime, str, str]]] = {}
    with engine.connect() as connection:
        for s, i, action, at, kind, rule in connection.execute(
            select(a.source, a.ticket_id, a.action, a.at, a.kind, a.rule)
        ):
            if action in ACTIONS and kind == "decision" and since <= at < until:
                out.setdefault((s, i), []).append((at, action, rule))
    return {key: sorted(rows) for key, rows in out.items()}


@pytest.mark.parametrize("days", [7, 30, 90])
def test_tickets_without_decisions_are_counted_as_row_by_row(engine: Engine, days: int) -> None:
    with engine.begin() as connection:
        for rows in generate(NOW, 3000, 600, days=120):
            insert(connection, rows)
        insert(connection, _edges())
    since = NOW - days * D
    with engine.connect() as connection:
        dataset = load(connection, since, NOW)
    expected = _plain_others(engine, since, NOW)
    assert dataset.others == expected
    assert sum(expected.values()) > 100  # the comparison saw many tickets
    if days == 30:
        assert expected[("high", True)] >= 3  # e1, e3, e6 at least: breaches were compared
    earlier = _plain_earlier(engine, since - REPEAT_WINDOW, NOW)
    assert dataset.earlier == earlier
    assert len(earlier) > 50
    decided = _plain_decisions(engine, since, NOW)
    for facts in dataset.tickets:
        assert sorted((d.at, d.action, d.rule) for d in facts.decisions) == decided[facts.key]
        assert [d.at for d in facts.decisions] == sorted(d.at for d in facts.decisions)
    assert {f.key for f in dataset.tickets} <= set(decided)
