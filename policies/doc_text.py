"""How the process document writes a duration, a condition, a trigger's options and the
outage storms paragraph."""

from __future__ import annotations

from collections.abc import Mapping

from policies.durations import human_duration
from policies.schema import ByField, BySubject, ByTag, Condition, Grouping, Trigger


def limit(value: int | None, *, business: bool) -> str:
    if value is None:
        return "never"
    days = getattr(value, "days", 0)
    text = human_duration(value)
    if business and days:
        text = text.replace("day", "business day")
    return text if value else "immediately"


_CONDITION_NAMES = {
    "opening_phrases": "phrases in the subject or opening message",
    "agent_phrases": "phrases in agent comments",
    "customer_followups_at_least": "customer follow-ups at least",
    "desk_sla_breached": "help-desk SLA breached",
}


def condition(cond: Condition | None) -> str:
    if cond is None:
        return "every escalation"
    parts = []
    for name, value in cond.model_dump(exclude_none=True, exclude={"trend_window"}).items():
        name = _CONDITION_NAMES.get(name, name)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(
                f"{k} in {v}" if isinstance(v, list) else f"{k} > {v}" for k, v in value.items()
            )
        elif name == "no_update_for":
            value = human_duration(value)
        parts.append(f"{name.replace('_', ' ')}: {value}")
    return " or ".join(parts)


def trigger_notes(trigger: Trigger) -> str:
    notes = []
    if trigger.while_resolved == "follow_up":
        notes.append("on a solved ticket: a follow-up" + (", reopened" if trigger.reopen else ""))
    elif trigger.while_resolved:
        notes.append("also on solved tickets")
    if trigger.management_request:
        notes.append("a request for management")
    if not trigger.wait_for_business_hours:
        notes.append("fires outside business hours")
    return "; ".join(notes)


def grouping_text(grouping: Grouping, channels: Mapping[str, str]) -> str:
    """The process document's paragraph on outage storms (``policies.grouping``)."""
    entries = []
    for entry in grouping.group_by:
        if isinstance(entry, ByTag):
            entries.append(f"the tag {entry.tag}")
        elif isinstance(entry, ByField):
            entries.append(f"the same {entry.field}")
        elif isinstance(entry, BySubject):
            similar = entry.similar_subject
            entries.append(
                f"subjects alike (Jaccard ≥ {similar.threshold:g} within "
                f"{human_duration(similar.window)})"
            )
        else:
            entries.append("a Zendesk problem ticket and its incidents")
    where = channels.get(grouping.channel or "", "the first member's channel")
    severities = ", ".join(grouping.severities or ()) or "every severity"
    page = " and, if it pages, one PagerDuty incident" if grouping.page else ""
    status = " and one status page incident" if grouping.statuspage else ""
    return (
        f"Outage storms ({severities}): escalations that share {'; or '.join(entries)} "
        f"(tried in that order) become one group with one message in {where}{page}{status}. "
        f"It speaks {human_duration(grouping.group_wait)} after the first ticket, then at most "
        f"every {human_duration(grouping.group_interval)} while tickets join, and is over after "
        f"{human_duration(grouping.close_after)} without a new one. Every ticket still gets "
        "its own hand-off note and acknowledgement."
    )
