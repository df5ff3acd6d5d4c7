"""A policy condition compiled to a tuple of small check functions (only the parts that are
set), and how it is matched against a ticket."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from policies.calendar import Clock
from policies.facts import Facts
from policies.fields import as_number, field_key, holds, lookup, party_lookup
from policies.model import Ticket
from policies.schema import Condition
from policies.signals import normalize

CALENDAR = Clock()
Hit = tuple[float, str]  # (when the condition came true, what held) - may lie in the future
Check = Callable[[Ticket, Facts], Hit | None]
# (field as the policy names it, the name as ``field_key`` writes it, allowed values lower case)
Spec = tuple[tuple[str, str, frozenset[str]], ...]


def _values(spec: Mapping[str, list[Any]] | None) -> Spec:
    return tuple(
        (name, field_key(name), frozenset(str(v).casefold() for v in values))
        for name, values in (spec or {}).items()
    )


def _in_party(fields: Mapping[str, Any], spec: Spec) -> str | None:
    for name, key, allowed in spec:
        value = party_lookup(fields, name, key)
        if value is not None and str(value).casefold() in allowed:
            return f"{name}={value}"
    return None


def _party(cond: Condition) -> list[Check]:
    checks: list[Check] = []
    if cond.party_tags:
        wanted = frozenset(cond.party_tags)

        def party_tags(ticket: Ticket, facts: Facts) -> Hit | None:
            common = wanted & facts.party_tags
            return (facts.created, f"party tag {min(common)}") if common else None

        checks.append(party_tags)
    if cond.party_fields:
        spec = _values(cond.party_fields)

        def party_fields(ticket: Ticket, facts: Facts) -> Hit | None:
            for fields in facts.party_fields:
                found = _in_party(fields, spec)
                if found:
                    return facts.created, f"party field {found}"
            return None

        checks.append(party_fields)
    return checks


def _ticket(cond: Condition) -> list[Check]:
    """What the ticket *is* (tags, fields, text) holds since its last update."""
    checks: list[Check] = []
    if cond.ticket_tags:
        wanted = frozenset(cond.ticket_tags)

        def tags(ticket: Ticket, facts: Facts) -> Hit | None:
            common = wanted & ticket.tags
            return (facts.updated, f"tag {min(common)}") if common else None

        checks.append(tags)
    if cond.ticket_fields:
        spec = _values(cond.ticket_fields)

        def fields(ticket: Ticket, facts: Facts) -> Hit | None:
            for name, key, allowed in spec:
                found = lookup(ticket, key)
                if found is not None and holds(ticket, *found, allowed):
                    return facts.updated, f"field {name}={found[1]}"
            return None

        checks.append(fields)
    if cond.fields_present:
        names = tuple((name, field_key(name)) for name in cond.fields_present)

        def present(ticket: Ticket, facts: Facts) -> Hit | None:
            for name, key in names:
                if lookup(ticket, key) is not None:
                    return facts.updated, f"field {name} set"
            return None

        checks.append(present)
    if cond.fields_above:
        limits = tuple((name, field_key(name), limit) for name, limit in cond.fields_above.items())

        def above(ticket: Ticket, facts: Facts) -> Hit | None:
            for name, key, limit in limits:
                found = lookup(ticket, key)
                if found is None:
                    continue
                number = as_number(found[1])
                if number is not None and number > limit:
                    return facts.updated, f"field {name}={found[1]} > {limit:g}"
            return None

        checks.append(above)
    if cond.keywords:
        words = tuple(normalize(k) for k in cond.keywords)

        def keywords(ticket: Ticket, facts: Facts) -> Hit | None:
            text = normalize(f"{ticket.subject} {ticket.description}")
            for word in words:
                if word in text:
                    return facts.updated, f"keyword {word.strip()!r}"
            return None

        checks.append(keywords)
    if cond.group_changes_at_least is not None:
        least = cond.group_changes_at_least

        def groups(ticket: Ticket, facts: Facts) -> Hit | None:
            if ticket.group_changes >= least:
                return facts.updated, f"reassigned between groups {ticket.group_changes} times"
            return None

        checks.append(groups)
    return checks


def _conversation(cond: Condition, business_hours: bool) -> list[Check]:
    checks: list[Check] = []
    if cond.no_update_for is not None:
        quiet = cond.no_update_for

        def no_update(ticket: Ticket, facts: Facts) -> Hit | None:
            if not facts.is_open:
                return None
            # Silence while the ticket waited on the customer (pending, on hold) is no silence.
            at = CALENDAR.deadline(facts.activity, quiet, facts.pauses)
            # Nobody works on a closed day: a business-hours ticket waits for the next opening.
            if business_hours and facts.business is not None:
                at = facts.business.opens_at(at)
            return at, "no update"

        checks.append(no_update)
    if cond.customer_replies_since_agent is not None:
        replies = cond.customer_replies_since_agent

        def customer(ticket: Ticket, facts: Facts) -> Hit | None:
            since = facts.customer_since_agent
            if len(since) >= replies:
                return since[replies - 1], f"{len(since)} customer replies"
            return None

        checks.append(customer)
    if cond.customer_followups_at_least is not None:
        least = cond.customer_followups_at_least

        def followups(ticket: Ticket, facts: Facts) -> Hit | None:
            counted = [at for at in facts.followups if at > facts.followups_since]
            if len(counted) < least:
                return None
            return counted[least - 1], f"{len(counted)} customer follow-ups without resolution"

        checks.append(followups)
    if cond.agent_replies_at_least is not None:
        least = cond.agent_replies_at_least

        def agent(ticket: Ticket, facts: Facts) -> Hit | None:
            done = facts.agent_public
            return (done[least - 1], f"{len(done)} agent replies") if len(done) >= least else None

        checks.append(agent)
    checks += _phrases(cond)
    if cond.desk_sla_breached:
        checks.append(_desk_sla(frozenset(cond.desk_sla_breached)))
    return checks


def _phrases(cond: Condition) -> list[Check]:
    checks: list[Check] = []
    for name in cond.phrases or ():

        def phrase(ticket: Ticket, facts: Facts, name: str = name) -> Hit | None:
            at = facts.phrase_first.get(name)
            return None if at is None else (at, f"phrase list {name}")

        checks.append(phrase)
    for name in cond.opening_phrases or ():

        def opening(ticket: Ticket, facts: Facts, name: str = name) -> Hit | None:
            if name not in facts.opening_phrases:
                return None
            return facts.created, f"phrase list {name} in the subject or opening message"

        checks.append(opening)
    for name in cond.agent_phrases or ():

        def agent_phrase(ticket: Ticket, facts: Facts, name: str = name) -> Hit | None:
            at = facts.agent_phrase_first.get(name)
            return None if at is None else (at, f"phrase list {name} in an agent comment")

        checks.append(agent_phrase)
    return checks


def _desk_sla(targets: frozenset[str]) -> Check:
    def breached(ticket: Ticket, facts: Facts) -> Hit | None:
        """The latest breach that has happened (each one a new event), else the next one."""
        due = sorted(
            (at.timestamp(), name) for name, at in ticket.desk_sla.items() if name in targets
        )
        if not due:
            return None
        past = [d for d in due if d[0] <= facts.now]
        at, name = past[-1] if past else due[0]
        return at, f"the help desk's {name.replace('_', ' ')} SLA was breached"

    return breached


def _feelings(cond: Condition) -> list[Check]:
    checks: list[Check] = []
    if cond.csat_below is not None:
        below = cond.csat_below

        def csat(ticket: Ticket, facts: Facts) -> Hit | None:
            sat = ticket.satisfaction
            if sat is None:
                return None
            low = sat.score < below if sat.score is not None else sat.label == "bad"
            if not low:
                return None
            at = sat.rated_at.timestamp() if sat.rated_at else facts.updated
            return at, f"CSAT {sat.score if sat.score is not None else sat.label}"

        checks.append(csat)
    if cond.sentiment_below is not None:
        floor = cond.sentiment_below

        def latest(ticket: Ticket, facts: Facts) -> Hit | None:
            scores = facts.sentiments
            if scores and scores[-1][1] <= floor:
                return scores[-1][0], f"sentiment {scores[-1][1]:.2f}"
            return None

        checks.append(latest)
    if cond.sentiment_trend_below is not None:
        trend, window = cond.sentiment_trend_below, cond.trend_window

        def mean(ticket: Ticket, facts: Facts) -> Hit | None:
            scores = facts.sentiments
            if len(scores) < window:
                return None
            average = sum(s for _, s in scores[-window:]) / window
            return (scores[-1][0], f"sentiment trend {average:.2f}") if average <= trend else None

        checks.append(mean)
    return checks


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    checks: tuple[Check, ...]

    @classmethod
    def build(cls, cond: Condition, *, business_hours: bool = True) -> CompiledCondition:
        """``business_hours``: a time-based part of a ticket on business hours comes true at
        the next open moment (see ``Facts.business``)."""
        parts = (_party(cond), _ticket(cond), _conversation(cond, business_hours), _feelings(cond))
        return cls(tuple(check for part in parts for check in part))

    def match(self, ticket: Ticket, facts: Facts) -> Hit | None:
        """The earliest moment any part of the condition holds (a future moment for timers)."""
        checks = self.checks
        if len(checks) == 1:  # most conditions have one part
            return checks[0](ticket, facts)
        best: Hit | None = None
        for check in checks:
            hit = check(ticket, facts)
            if hit is not None and (best is None or hit[0] < best[0]):
                best = hit
        return best
