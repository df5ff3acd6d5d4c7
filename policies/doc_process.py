"""The parts of the process document beyond the matrix and the rules: roles, phrase lists,
workflow steps, the templates' text and the metric targets, all read from the policy."""

from __future__ import annotations

from collections.abc import Mapping

from policies.doc_format import Block, Section
from policies.doc_text import limit
from policies.durations import human_duration
from policies.loader import Policy
from policies.metric_terms import DEFINITIONS, NAMES
from policies.model import OWNERSHIP_GRACE_MINUTES
from policies.reasons import phrase_words
from policies.schema import Condition, PolicyDoc


def roles(doc: PolicyDoc) -> Section:
    rows = [(r.name, r.who, "; ".join(r.responsibilities)) for r in doc.roles]
    return ("Roles and responsibilities", [("table", (("Role", "Who", "Responsibilities"), rows))])


def _uses(doc: PolicyDoc) -> dict[str, list[str]]:
    """Phrase list -> the rules that read it."""
    found: dict[str, list[str]] = {}

    def note(rule: str, cond: Condition | None) -> None:
        if cond is None:
            return
        for names in (cond.phrases, cond.opening_phrases, cond.agent_phrases):
            for name in names or ():
                found.setdefault(name, []).append(rule)

    for trigger in doc.triggers:
        note(f"trigger {trigger.id}", trigger.when)
    for override in doc.severity.overrides:
        note(f"severity {override.id}", override.when)
    for route in doc.routes:
        note(f"route {route.name}", route.when)
    return found


def phrase_lists(doc: PolicyDoc) -> Section:
    uses = _uses(doc)
    blocks: list[Block] = [
        (
            "p",
            "What the customer (or, for agent phrases, an agent) must write for a rule to hold. "
            "Only what the writer affirms counts: negations, questions, hypotheticals and quoted "
            "text do not. (a|b) is one of, [a] is optional, * is up to three words, word~ also "
            "matches typos.",
        )
    ]
    for name, phrases in doc.phrases.items():
        used = ", ".join(uses.get(name, [])) or "no rule (only the resolution check reads it)"
        blocks.append(("p", f"{name}: {phrase_words(name)}. Used by {used}."))
        blocks.append(("list", phrases))
    return ("Phrase lists", blocks)


def workflow(doc: PolicyDoc) -> Section:
    targets = doc.targets
    steps: list[str] = []
    if targets.first_response:
        steps.append(
            f"First response: a public reply within {human_duration(targets.first_response.within)}"
            " of the ticket's creation (the owner is reminded otherwise)."
        )
    steps.append(
        "Escalate: when the matrix's time at a tier runs out, a trigger holds, a route takes the "
        "ticket, or an agent asks (tag, chat button, /escalate). The hand-off note and, where "
        "the tier says so, the customer's acknowledgement go out with it."
    )
    kept = [str(name) for name, tier in doc.tiers.items() if tier.keep_assignee]
    steps.append(
        "Hand-over: the previous tier's agent is removed as the assignee when the ticket goes to "
        "a team's queue, so the ticket is visibly nobody's until someone takes it"
        + (f" (except at {', '.join(kept)}, which keep the agent)" if kept else "")
        + "; a route or tier that names an assignee hands it to that person."
    )
    steps.append(
        f"Acknowledge: the new owner takes the ticket within {OWNERSHIP_GRACE_MINUTES} minutes "
        "(assigned in the help desk, or Acknowledge / Take ownership in chat); the previous "
        "tier's agent left assigned does not count. Otherwise the tier's channel is told."
    )
    if targets.initial_diagnosis and targets.initial_diagnosis.within:
        within = ", ".join(
            f"{sev} {human_duration(d)}" for sev, d in targets.initial_diagnosis.within.items()
        )
        steps.append(
            f"Initial diagnosis: an agent note or reply at the new tier within ({within}) of the "
            "escalation; the owner is reminded otherwise."
        )
    cadence = ", ".join(
        f"{sev} every {limit(d, business=doc.matrix[sev].clock != 'calendar')}"
        for sev, d in targets.status_updates.every.items()
        if sev in doc.matrix
    )
    if cadence:
        steps.append(f"Status updates to the customer: {cadence}.")
    if targets.resolution_check:
        steps.append(
            "Resolution: when an escalated ticket is solved the customer is asked to confirm; a "
            "confirmation is recorded, a reopen within "
            f"{human_duration(targets.resolution_check.reopen_within)} is flagged to the team."
        )
    if targets.rca:
        steps.append(
            f"Follow-up: the root-cause analysis within {human_duration(targets.rca.due_after)} "
            "of the solve (an internal note starting with [RCA], or the RCA field), with the "
            "knowledge-base update and the systemic follow-up; its answers feed the report."
        )
    return ("Workflow", [("steps", steps)])


def templates_text(templates: Mapping[str, str]) -> Section:
    blocks: list[Block] = [
        (
            "p",
            "The messages the bridge writes, as their templates read ({{ … }} is filled from the "
            "ticket and the policy when a message is sent).",
        )
    ]
    for name, text in sorted(templates.items()):
        blocks += [("p", name), ("pre", text)]
    return ("Message templates", blocks)


def metric_targets(doc: PolicyDoc) -> Section:
    m = doc.metrics
    targets = {
        "escalation_rate": f"below {m.escalation_rate_max:.0%}",
        "tte_avg": f"below {human_duration(m.time_to_escalate_max)}",
        "tte_p90": f"below {human_duration(m.time_to_escalate_max)}",
        "l2_resolution": f"above {m.l2_resolution_min:.0%}",
        "csat": f"above {m.csat_min:g} of 5",
        "repeat": f"below {m.repeat_max:.0%}",
        "over_escalation": f"below {m.over_escalation_max:.0%}",
        "under_escalation": "0",
        "rca": f"above {m.rca_completion_min:.0%}",
    }
    rows = [(NAMES[key], target, DEFINITIONS[key]) for key, target in targets.items()]
    return ("Metric targets", [("table", (("Metric", "Target", "Definition"), rows))])


def process_sections(policy: Policy, templates: Mapping[str, str] | None) -> list[Section]:
    doc = policy.doc
    out = [roles(doc), phrase_lists(doc), workflow(doc)]
    if templates:
        out.append(templates_text(templates))
    out.append(metric_targets(doc))
    return out
