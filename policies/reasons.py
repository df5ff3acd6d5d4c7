"""Why a rule fired, in plain words: the policy's own ``reason:`` where it gives one, else the
condition that held, worded for a support lead (no rule ids, no internal prefixes). Pure."""

from __future__ import annotations

import re

from policies.compiled import words
from policies.durations import parse_duration, spoken_duration
from policies.loader import Policy
from policies.model import Tier

# The shipped phrase lists, as a person would say what the customer wrote.
PHRASE_WORDS = {
    "escalation_request": "the customer asked to escalate or to speak to a manager",
    "legal": "the customer mentioned legal action or lawyers",
    "compliance_request": "the customer asked for compliance material (audit reports, "
    "agreements, questionnaires or a privacy request)",
    "impact_critical": "the customer reports an outage, lost data or a breach",
    "impact_high": "the customer reports a major feature broken for several people",
    "engineering": "an agent found that the fix needs engineering",
}

# (pattern of what held, how to say it); the first match wins.
_HELD: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), text)
    for pattern, text in (
        (r"phrase list (\w+) in an agent comment", "{phrase}"),
        (r"phrase list (\w+)(?: in the subject or opening message)?", "{phrase}"),
        (r"CSAT (\w+)", "the customer rated the support {0} (of 5)"),
        (r"sentiment trend (-?[\d.]+)", "the customer's messages keep getting more negative"),
        (r"sentiment (-?[\d.]+)", "the customer's latest message reads as very unhappy"),
        (r"party tag (\S+)", "the customer is tagged {0}"),
        (r"party field (\w+)=(.+)", "the customer's {0} is {1}"),
        (r"tag (\S+)", "the ticket is tagged {0}"),
        (r"field (\S+)=(.+) > (.+)", "the ticket's {0} is {1}, above {2}"),
        (r"field (\S+)=(.+)", "the ticket's {0} is {1}"),
        (r"field (\S+) set", "the ticket's {0} is filled in"),
        (r"keyword '(.+)'", "the ticket mentions “{0}”"),
        (r"no update", "nobody updated the ticket within the time the policy allows"),
        (r"requested by (.+)", "{0} asked for it"),
    )
)


def _spoken(written: str) -> str:
    """``15m`` -> ``15 minutes`` (what the engine writes is already a valid duration)."""
    try:
        return spoken_duration(parse_duration(written.replace(" of business time", "")))
    except ValueError:
        return written


def phrase_words(name: str) -> str:
    return PHRASE_WORDS.get(name) or f"the words of the {words(name).lower()} phrase list"


def held_words(what: str) -> str:
    """What held, worded for a person (unknown wording is returned as it is)."""
    for pattern, text in _HELD:
        match = pattern.fullmatch(what.strip())
        if match:
            groups = [g.replace("_", " ") for g in match.groups()]
            phrase = phrase_words(match.group(1)) if "{phrase}" in text else ""
            return text.format(*groups, phrase=phrase)
    return what


def configured_reason(policy: Policy, rule: str) -> str | None:
    """The ``reason:`` the policy writes for the rule with this id, if any."""
    doc = policy.doc
    if rule.startswith("route:"):
        name = rule.removeprefix("route:")
        return next((r.reason for r in doc.routes if r.name == name and r.reason), None)
    for trigger in doc.triggers:
        if trigger.id == rule and trigger.reason:
            return trigger.reason
    return next((o.reason for o in doc.severity.overrides if o.id == rule and o.reason), None)


def plain_reason(policy: Policy, rule: str, what: str, tier: Tier) -> str:
    """Why ``rule`` moved a ticket to ``tier``: ``what`` is the condition that held, if known."""
    own = configured_reason(policy, rule)
    if own:
        return own
    if rule == "matrix":
        ran_out = re.fullmatch(r"(.+) at (L[1-4]) ran out", what.strip())
        below = Tier[ran_out.group(2)] if ran_out else Tier(max(tier - 1, 1))
        where = f"{policy.compiled.tiers[below].name} ({below.name})"
        limit = f"the {_spoken(ran_out.group(1))}" if ran_out else "the time"
        return f"it was not resolved within {limit} the policy allows at {where}"
    if rule.startswith("tag:"):
        return f"an agent tagged it {rule.removeprefix('tag:')}"
    if rule == "earlier escalation" or what == "earlier escalation":
        return ""
    return held_words(what) if what else ""
