"""The process targets the metrics are held against, in one place.

The policy will carry them in a ``metrics:`` section; until then the defaults below apply and
``targets_for`` is the only function that reads the policy for them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    """The policy's ``metrics:`` targets over the defaults; unknown names are ignored."""
    section = getattr(policy.doc, "metrics", None)
    if section is None:
        return DEFAULT_TARGETS
    values: Mapping[str, Any]
    if isinstance(section, Mapping):
        values = section
    elif hasattr(section, "model_dump"):
        values = section.model_dump(exclude_none=True)
    else:
        values = vars(section)
    known = {f.name for f in dataclasses.fields(Targets)}
    chosen = {k: float(v) for k, v in values.items() if k in known and v is not None}
    return dataclasses.replace(DEFAULT_TARGETS, **chosen)
