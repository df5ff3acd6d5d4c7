"""A policy condition compiled to a tuple of small check functions (only the parts that are
set), and how it is matched against a ticket."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from policies.facts import Facts
from policies.model import Ticket
from policies.schema import Condition
from policies.signals import normalize

Hit = tuple[float, str]  # (when the condition came true, what held) - may lie in the future
Check = Callable[[Ticket, Facts], Hit | None]
Spec = tuple[tuple[str, frozenset[str]], ...]


def _values(spec: Mapping[str, list[Any]] | None) -> Spec:
    return tuple((k, frozenset(str(v).lower() for v in vals)) for k, vals in (spec or {}).items())


def _in(fields: Mapping[str, Any], spec: Spec) -> str | None:
    for name, allowed in spec:
        value = fields.get(name)
        if value is not None and str(value).lower() in allowed:
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
                found = _in(fields, spec)
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
            found = _in(ticket.custom_fields, spec)
            return (facts.updated, f"field {found}") if found else None

        checks.append(fields)
    if cond.fields_present:
        names = tuple(cond.fields_present)

        def present(ticket: Ticket, facts: Facts) -> Hit | None:
            for name in names:
                if ticket.custom_fields.get(name) not in (None, "", [], False):
                    return facts.updated, f"field {name} set"
            return None

        checks.append(present)
    if cond.fields_above:
        limits = tuple(cond.fields_above.items())

        def above(ticket: Ticket, facts: Facts) -> Hit | None:
            for name, limit in limits:
                value = ticket.custom_fields.get(name)
                if isinstance(value, int | float) and not isinstance(value, bool) and value > limit:
                    return facts.updated, f"field {name}={value} > {limit:g}"
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


def _conversation(cond: Condition) -> list[Check]:
    checks: list[Check] = []
    if cond.no_update_for is not None:
        quiet = cond.no_update_for

        def no_update(ticket: Ticket, facts: Facts) -> Hit | None:
            return (facts.activity + quiet, "no update") if facts.is_open else None

        checks.append(no_update)
    if cond.customer_replies_since_agent is not None:
        replies = cond.customer_replies_since_agent

        def customer(ticket: Ticket, facts: Facts) -> Hit | None:
            since = facts.customer_since_agent
            if len(since) >= replies:
                return since[replies - 1], f"{len(since)} customer replies"
            return None

        checks.append(customer)
    if cond.agent_replies_at_least is not None:
        least = cond.agent_replies_at_least

        def agent(ticket: Ticket, facts: Facts) -> Hit | None:
            done = facts.agent_public
            return (done[least - 1], f"{len(done)} agent replies") if len(done) >= least else None

        checks.append(agent)
    for name in cond.phrases or ():

        def phrase(ticket: Ticket, facts: Facts, name: str = name) -> Hit | None:
            at = facts.phrase_first.get(name)
            return None if at is None else (at, f"phrase list {name}")

        checks.append(phrase)
    return checks


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
    def build(cls, cond: Condition) -> CompiledCondition:
        return cls((*_party(cond), *_ticket(cond), *_conversation(cond), *_feelings(cond)))

    def match(self, ticket: Ticket, facts: Facts) -> Hit | None:
        """The earliest moment any part of the condition holds (a future moment for timers)."""
        best: Hit | None = None
        for check in self.checks:
            hit = check(ticket, facts)
            if hit is not None and (best is None or hit[0] < best[0]):
                best = hit
        return best
