"""Process metrics from the audit log, the ticket mirror and the escalation state.

``compute_metrics`` reads one period and returns ``Metrics``; ``scorecard`` holds them against
``Targets`` (``targets_for(policy)``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from bridge.metrics.compute import (
    Filters,
    Metrics,
    RuleKinds,
    over_candidates,
    percentile,
    summarize,
)
from bridge.metrics.scorecard import Row, duration, percent, scorecard
from bridge.metrics.targets import DEFAULT_TARGETS, Targets, targets_for
from bridge.store.metric_facts import Dataset, load, load_agent_comments
from policies import Policy

__all__ = [
    "DEFAULT_TARGETS",
    "Dataset",
    "Filters",
    "Metrics",
    "Row",
    "RuleKinds",
    "Targets",
    "compute_metrics",
    "duration",
    "percent",
    "percentile",
    "rule_kinds",
    "scorecard",
    "targets_for",
]


def rule_kinds(policy: Policy) -> RuleKinds:
    """The triggers that escalate on a CSAT rating, and those that escalate only on who the
    customer is (party tags or fields: the VIP rule)."""
    rating, vip = set(), set()
    for trigger in policy.doc.triggers:
        when = trigger.when.model_dump(exclude_defaults=True)
        if "csat_below" in when:
            rating.add(trigger.id)
        if when and set(when) <= {"party_tags", "party_fields"}:
            vip.add(trigger.id)
    return RuleKinds(frozenset(rating), frozenset(vip))


def compute_metrics(
    connection: Connection,
    policy: Policy,
    since: datetime,
    until: datetime,
    filters: Filters | None = None,
) -> Metrics:
    dataset = load(connection, since, until)
    load_agent_comments(connection, over_candidates(dataset))
    compiled = policy.compiled
    from_priority = {
        (p.value if p is not None else None): s.value for p, s in compiled.from_priority.items()
    }
    rca_due = timedelta(seconds=compiled.rca[0]) if compiled.rca else timedelta(hours=48)
    return summarize(dataset, filters or Filters(), from_priority, rca_due, rule_kinds(policy))
