"""The metrics against their targets, as a support lead's report reads them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bridge.metrics.compute import Metrics
from bridge.metrics.targets import Targets
from policies.metric_terms import DEFINITIONS

MET, MISSED, NO_DATA, INFO = "met", "missed", "no data", "info"


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    value: float | None
    current: str
    target: str
    status: str
    detail: str = ""
    definition: str = ""


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
    return f"{seconds / 86400:.1f} d"


def _status(value: float | None, ok: Callable[[float], bool]) -> str:
    return NO_DATA if value is None else MET if ok(value) else MISSED


def scorecard(m: Metrics, t: Targets) -> list[Row]:
    tte = t.time_to_escalate_max
    csat = "-" if m.csat is None else f"{m.csat:.2f} / 5"
    csat_all = "-" if m.csat_all is None else f"{m.csat_all:.2f} / 5"
    rows = [
        Row(
            "escalation_rate",
            "Escalation rate",
            m.escalation_rate,
            percent(m.escalation_rate),
            f"< {percent(t.escalation_rate_max)}",
            _status(m.escalation_rate, lambda v: v < t.escalation_rate_max),
            f"{m.escalated} of {m.tickets} tickets",
        ),
        Row(
            "tte_avg",
            "Time to escalate (average)",
            m.tte_avg,
            duration(m.tte_avg),
            f"< {duration(tte)}",
            _status(m.tte_avg, lambda v: v < tte),
            f"{len(m.tte_seconds)} escalations",
        ),
        Row(
            "tte_p90",
            "Time to escalate (p90)",
            m.tte_p90,
            duration(m.tte_p90),
            f"< {duration(tte)}",
            _status(m.tte_p90, lambda v: v < tte),
        ),
        Row(
            "l2_resolution",
            "L2 resolution rate",
            m.l2_resolution_rate,
            percent(m.l2_resolution_rate),
            f"> {percent(t.l2_resolution_min)}",
            _status(m.l2_resolution_rate, lambda v: v > t.l2_resolution_min),
            f"{m.l2_resolved} of {m.l2_total} solved L2 escalations stayed at L2",
        ),
        Row(
            "csat",
            "CSAT of escalated tickets",
            m.csat,
            csat,
            f"> {t.csat_min:.1f} / 5",
            _status(m.csat, lambda v: v > t.csat_min),
            f"{len(m.csat_other_scores)} ratings; {csat_all} over all {len(m.csat_scores)}, "
            "those escalated because of their rating included"
            if m.csat_scores
            else "no ratings",
        ),
        Row(
            "repeat",
            "Repeat escalations",
            m.repeat_rate,
            percent(m.repeat_rate),
            f"< {percent(t.repeat_max)}",
            _status(m.repeat_rate, lambda v: v < t.repeat_max),
            f"{m.repeats} of {m.escalated - m.vip_only} ({m.repeat_reopened} reopened and "
            f"escalated again); {m.vip_only} escalated by the VIP rule alone left out",
        ),
        Row(
            "over_escalation",
            "Over-escalation",
            m.over_rate,
            percent(m.over_rate),
            f"< {percent(t.over_escalation_max)}",
            _status(m.over_rate, lambda v: v < t.over_escalation_max),
            f"{m.over} solved within 1 h of escalating without further agent work",
        ),
        Row(
            "under_escalation",
            "Under-escalation",
            float(m.under),
            str(m.under),
            "0",
            MET if m.under == 0 else MISSED,
            "help-desk resolution SLA breached without an escalation",
        ),
        Row(
            "rca",
            "RCA within 48 h",
            m.rca_rate,
            percent(m.rca_rate),
            f"> {percent(t.rca_completion_min)}",
            _status(m.rca_rate, lambda v: v > t.rca_completion_min),
            f"{m.rca_on_time} of {m.rca_due} due; {m.rca_pending} not yet due",
        ),
        Row(
            "breaches",
            "Breaches (matrix escalations)",
            float(sum(m.breaches.values())),
            str(sum(m.breaches.values())),
            "-",
            INFO,
            f"{sum(m.warnings.values())} pre-breach warnings",
        ),
    ]
    return [replace(row, definition=DEFINITIONS.get(row.key, "")) for row in rows]
