"""The process targets the metrics are held against: the policy's ``metrics:`` section."""

from __future__ import annotations

from dataclasses import dataclass

from policies import Policy


@dataclass(frozen=True)
class Targets:
    escalation_rate_max: float = 0.15  # escalated / all tickets
    time_to_escalate_max: float = 4 * 3600.0  # seconds, for the average and the p90
    l2_resolution_min: float = 0.80  # escalated to L2 and solved without L3
    csat_min: float = 4.0  # of 5, escalated tickets
    repeat_max: float = 0.10  # same requester or organization again within 30 days, or reopened
    rca_completion_min: float = 0.90  # root cause written down within the policy's 48 h
    over_escalation_max: float = 0.10  # escalated then solved at once without further work


DEFAULT_TARGETS = Targets()


def targets_for(policy: Policy) -> Targets:
    """The policy's ``metrics:`` targets (the schema gives every one a default)."""
    section = policy.doc.metrics
    return Targets(
        escalation_rate_max=section.escalation_rate_max,
        time_to_escalate_max=float(section.time_to_escalate_max),
        l2_resolution_min=section.l2_resolution_min,
        csat_min=section.csat_min,
        repeat_max=section.repeat_max,
        rca_completion_min=section.rca_completion_min,
        over_escalation_max=section.over_escalation_max,
    )
