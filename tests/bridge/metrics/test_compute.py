"""Metrics on constructed histories with known answers: rows are inserted directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bridge.metrics import Filters, Metrics, compute_metrics, percentile, scorecard, targets_for
from bridge.policy_files import load_policy
from tests.support.sample import Rows, decision_row, insert, state_row, ticket_row

SINCE = datetime(2026, 3, 1, tzinfo=UTC)
UNTIL = datetime(2026, 3, 31, tzinfo=UTC)
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def escalated(
    rows: Rows,
    tid: str,
    after: float,
    *,
    tier: int = 2,
    solved: float | None = None,
    rule: str = "matrix",
    created: datetime = T0,
    route: str = "Senior support",
    severity: str = "Medium",
    rca: bool = False,
    **ticket: object,
) -> None:
    """A ticket created at ``created`` and escalated ``after`` hours later (to L2, then L3...)."""
    first = created + timedelta(hours=after)
    history = [(first + (n - 2) * H, rule, f"L{n - 1}", f"L{n}") for n in range(2, tier + 1)]
    for h_at, h_rule, _f, to in history:
        rows.decisions.append(
            decision_row(tid, h_at, "escalate", h_rule, to, route=route, severity=severity)
        )
    solved_at = None if solved is None else created + timedelta(hours=solved)
    status = "solved" if solved_at else "open"
    rows.tickets.append(ticket_row(tid, created, status=status, **ticket))  # type: ignore[arg-type]
    rows.states.append(
        state_row(tid, tier, first, history=history, solved_at=solved_at, rca_recorded=rca)
    )


def plain(rows: Rows, tid: str, created: datetime = T0, **ticket: object) -> None:
    rows.tickets.append(ticket_row(tid, created, **ticket))  # type: ignore[arg-type]
    rows.states.append(state_row(tid, 1, created))


def rate_history(rows: Rows) -> None:
    escalated(rows, "1", 1)
    for tid in ("2", "3", "4"):
        plain(rows, tid)
    escalated(rows, "old", 1, created=SINCE - 2 * H)  # created before the period: not counted


def tte_history(rows: Rows) -> None:
    for tid, hours in (("1", 1), ("2", 2), ("3", 3), ("4", 10)):
        escalated(rows, tid, hours)


def l2_history(rows: Rows) -> None:
    escalated(rows, "stayed", 1, tier=2, solved=5)
    escalated(rows, "went-l3", 1, tier=3, solved=5)
    escalated(rows, "open", 1, tier=2)  # not solved yet: not counted
    # One evaluation moved it L1 -> L2 -> L3 (first seen late): one escalate decision, to L3,
    # but the history records both steps, so it passed L2 (and was not solved there).
    jumped(rows, "through-l2", [("L1", "L2"), ("L2", "L3")])
    # An engineering trigger sent it from L1 straight to L3: it never was at L2.
    jumped(rows, "straight-l3", [("L1", "L3")])


def jumped(rows: Rows, tid: str, steps: list[tuple[str, str]]) -> None:
    moved = at(1)
    history = [(moved, "matrix", f, t) for f, t in steps]
    rows.decisions.append(decision_row(tid, moved, "escalate", "matrix", steps[-1][1]))
    rows.tickets.append(ticket_row(tid, T0, status="solved"))
    top = int(steps[-1][1][1])
    rows.states.append(state_row(tid, top, moved, history=history, solved_at=at(5)))


def csat_history(rows: Rows) -> None:
    escalated(rows, "1", 1, solved=3, csat=5)
    escalated(rows, "2", 1, solved=3, csat=3)
    escalated(rows, "3", 1, solved=3)
    plain(rows, "4", csat=1)  # not escalated
    # Escalated because of this very rating: left out of the CSAT of escalated tickets.
    escalated(rows, "rated-low", 1, solved=3, csat=1, rule="low_csat")


def repeat_history(rows: Rows) -> None:
    # acme was escalated 10 days earlier on a ticket from before the period: a repeat.
    escalated(rows, "acme-old", 1, created=T0 - timedelta(days=10), organization="acme")
    escalated(rows, "acme-new", 1, organization="acme")
    # bob's earlier escalation was 40 days before: not a repeat.
    escalated(rows, "bob-old", 1, created=T0 - timedelta(days=40), requester="bob")
    escalated(rows, "bob-new", 1, requester="bob")
    # initech's ticket from before the period was escalated in it, before the new one: a repeat.
    escalated(rows, "initech-old", 24 * 10, created=T0 - timedelta(days=12), organization="initech")
    escalated(rows, "initech-new", 1, organization="initech")
    # Reopened and escalated again: a repeat; reopened without another escalation: not.
    escalated(rows, "reopened", 1, status_history=[(at(2), "solved"), (at(3), "open")])
    rows.decisions.append(decision_row("reopened", at(4), "escalate", "no_update", "L3"))
    escalated(rows, "reopened-once", 1, status_history=[(at(2), "solved"), (at(3), "open")])
    escalated(rows, "other", 1, organization="globex")
    # bigco is a VIP: its tickets escalate by the VIP rule. The VIP-only ticket is no repeat,
    # nor does it make bigco's next escalation (a real problem) one.
    escalated(
        rows, "bigco-old", 1, created=T0 - timedelta(days=15), organization="bigco", rule="vip"
    )
    escalated(rows, "bigco-vip", 1, organization="bigco", rule="vip")
    escalated(rows, "bigco-bug", 30, organization="bigco", rule="engineering")


def breach_history(rows: Rows) -> None:
    escalated(rows, "1", 1, rule="matrix", severity="Critical")
    escalated(rows, "2", 1, rule="matrix", severity="Critical")
    escalated(rows, "3", 1, rule="vip", severity="High")
    rows.decisions.append(
        decision_row("3", at(0.5), "warn", "warn_75_percent", "L1", severity="High")
    )


def tier_history(rows: Rows) -> None:
    escalated(rows, "1", 1, tier=3, solved=4)  # L1 1 h, L2 1 h, L3 2 h
    escalated(rows, "2", 3, tier=2, solved=4)  # L1 3 h, L2 1 h


def over_history(rows: Rows) -> None:
    escalated(rows, "quick", 1, solved=1.5)  # solved 30 min after escalating: over-escalated
    escalated(rows, "worked", 1, solved=1.5, agent_comments=[at(1.2)])
    escalated(rows, "slow", 1, solved=3)
    escalated(rows, "open", 1)


def under_history(rows: Rows) -> None:
    plain(rows, "late", status="solved", updated=at(30), resolution_due=at(24))
    plain(rows, "on-time", status="solved", updated=at(20), resolution_due=at(24))
    plain(rows, "open-late", status="open", resolution_due=at(48))  # due before UNTIL
    plain(rows, "open-ok", status="open", resolution_due=UNTIL + H)
    escalated(rows, "escalated", 1, resolution_due=at(2))  # escalated: not under


def rca_history(rows: Rows) -> None:
    escalated(rows, "on-time", 1, solved=2, rca=True)
    escalated(rows, "late", 1, solved=2, rca=True)
    rows.decisions.append(decision_row("late", at(50), "request_rca", "rca_reminder"))
    escalated(rows, "missing", 1, solved=2)
    escalated(rows, "pending", 1, solved=2, created=UNTIL - 10 * H)


def filter_history(rows: Rows) -> None:
    escalated(rows, "1", 1, route="Senior support", severity="High")
    escalated(rows, "2", 2, route="Warranty claims", severity="Medium")
    plain(rows, "3", priority="high")  # High by priority
    plain(rows, "4", priority="normal")


@dataclass(frozen=True)
class Case:
    name: str
    history: Callable[[Rows], None]
    expected: dict[str, object]
    filters: Filters = field(default_factory=Filters)


HOURS = 3600.0
CASES = [
    Case("rate", rate_history, {"tickets": 4, "escalated": 1, "escalation_rate": 0.25}),
    Case("tte", tte_history, {"tte_avg": 4 * HOURS, "tte_p90": 10 * HOURS}),
    Case("l2", l2_history, {"l2_total": 3, "l2_resolved": 1}),
    Case(
        "csat",
        csat_history,
        {"csat": 4.0, "csat_other_scores": [5, 3], "csat_scores": [5, 3, 1], "csat_all": 3.0},
    ),
    Case(
        "repeat",
        repeat_history,
        {
            "escalated": 8,
            "vip_only": 1,
            "repeats": 3,
            "repeat_reopened": 1,
            "repeat_rate": 3 / 7,
        },
    ),
    Case(
        "breaches",
        breach_history,
        {"breaches": {("L2", "Critical"): 2}, "warnings": {("L1", "High"): 1}},
    ),
    Case(
        "tiers",
        tier_history,
        {"tier_seconds": {"L1": [HOURS, 3 * HOURS], "L2": [HOURS, HOURS], "L3": [2 * HOURS]}},
    ),
    Case("over", over_history, {"over": 1, "over_rate": 0.25, "over_by_trigger": {"matrix": 1}}),
    Case("under", under_history, {"under": 2}),
    Case("rca", rca_history, {"rca_due": 3, "rca_on_time": 1, "rca_pending": 1}),
    Case("team", filter_history, {"tickets": 4, "escalated": 1}, Filters(team="Warranty claims")),
    Case("severity", filter_history, {"tickets": 2, "escalated": 1}, Filters(severity="High")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_metrics_on_constructed_histories(engine: Engine, case: Case) -> None:
    rows = Rows()
    case.history(rows)
    with engine.begin() as connection:
        insert(connection, rows)
    with engine.connect() as connection:
        metrics = compute_metrics(connection, load_policy(None), SINCE, UNTIL, case.filters)
    for name, want in case.expected.items():
        got = getattr(metrics, name)
        if isinstance(want, dict):
            got = {k: sorted(v) if isinstance(v, list) else v for k, v in got.items() if v}
        assert got == want, name


def test_empty_period_has_no_data() -> None:
    metrics = Metrics(SINCE, UNTIL, Filters())
    rows = {row.key: row for row in scorecard(metrics, targets_for(load_policy(None)))}
    assert rows["escalation_rate"].status == "no data"
    assert rows["escalation_rate"].current == "-"
    assert rows["under_escalation"].status == "met"


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([], 0.9, None), ([5.0], 0.9, 5.0), ([1, 2, 3, 4, 10], 0.9, 10), ([1, 2, 3, 4], 0.5, 2)],
)
def test_percentile_is_nearest_rank(values: list[float], q: float, expected: float | None) -> None:
    assert percentile(values, q) == expected


def test_scorecard_holds_values_against_targets(engine: Engine) -> None:
    rows = Rows()
    tte_history(rows)  # average 4 h: not under the 4 h target
    with engine.begin() as connection:
        insert(connection, rows)
    with engine.connect() as connection:
        metrics = compute_metrics(connection, load_policy(None), SINCE, UNTIL)
    card = {row.key: row for row in scorecard(metrics, targets_for(load_policy(None)))}
    assert (card["tte_avg"].current, card["tte_avg"].target, card["tte_avg"].status) == (
        "4 h",
        "< 4 h",
        "missed",
    )
    assert card["escalation_rate"].current == "100.0 %"
    assert card["escalation_rate"].status == "missed"
