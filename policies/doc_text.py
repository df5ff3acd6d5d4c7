"""How the process document writes a duration, a condition and a trigger's options."""

from __future__ import annotations

from policies.durations import human_duration
from policies.schema import Condition, Trigger


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
