"""Process metrics from the audit log, the ticket mirror and the escalation state.

``compute_metrics`` reads one period and returns ``Metrics``; ``scorecard`` holds them against
``Targets`` (``targets_for(policy)``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from bridge.metrics.compute import Filters, Metrics, over_candidates, percentile, summarize
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
    "Targets",
    "compute_metrics",
    "duration",
    "percent",
    "percentile",
    "scorecard",
    "targets_for",
]


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
    return summarize(dataset, filters or Filters(), from_priority, rca_due)
