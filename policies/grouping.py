"""Outage storms: which group an escalating ticket joins, and when a group speaks.

Alertmanager's aggregation groups, applied to escalations: a group is born with its first
member; its first signal (chat message, page, status page incident) waits ``group_wait`` for
the rest of the storm to arrive; afterwards the group speaks again at most every
``group_interval``, and only if members joined since it last spoke. A group is over once nobody
joined for ``close_after``.

``group_by`` is tried in order and the first entry that fits the ticket decides:

- ``problem``: a Zendesk incident joins the group of the problem ticket it is linked to
  (``problem_id``); the problem ticket itself founds that group;
- ``tag: outage``: every ticket carrying the tag;
- ``field: component``: tickets with the same value in that ticket field;
- ``similar_subject``: a subject whose words overlap an open group's founding subject by at least
  ``threshold`` (token-set Jaccard: shared words / all words, after lower-casing and dropping
  stop words), the group's last member having joined at most ``window`` ago. It looks at every
  open group, so an untagged "API down?" joins the ``tag: outage`` group founded by "API down".

Pure: the caller passes the open groups it knows and ``now``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from policies.fields import field_key, lookup
from policies.model import Route, Severity, Ticket
from policies.schema import ByField, BySubject, ByTag, GroupBy, Grouping, StatusMessages

GroupKind = Literal["problem", "tag", "field", "subject"]
_WORD = re.compile(r"[^\W_]+")
# Words that say nothing about which outage a subject is about.
_STOP_WORDS = (
    "a an and are at be but by can cannot do does for from have i in is it its me my no not "
    "of on or our please re fw fwd so that the this to urgent us we with you your help issue "
    "problem still again"
)
_STOP = frozenset(_STOP_WORDS.split())
_BASIS_MAX = 120  # longer tag or field values are hashed so the key stays a valid dedup key


@dataclass(frozen=True, slots=True)
class GroupRule:
    """One compiled ``group_by`` entry."""

    kind: GroupKind
    value: str = ""  # the tag, or the field's key (``policies.fields.field_key``)
    window: float = 0.0
    threshold: float = 0.0

    def describe(self) -> str:
        if self.kind == "problem":
            return "problem"
        if self.kind == "subject":
            return f"similar_subject (threshold {self.threshold:g})"
        return f"{self.kind}: {self.value}"


@dataclass(frozen=True, slots=True)
class GroupingRules:
    """The policy's ``grouping`` section, compiled."""

    rules: tuple[GroupRule, ...]
    severities: frozenset[Severity] | None
    group_wait: int
    group_interval: int
    close_after: int
    examples: int
    route: Route  # the group's own channel and PagerDuty key, if the policy names them
    page: bool
    statuspage: bool
    messages: StatusMessages
    source: str


@dataclass(frozen=True, slots=True)
class OpenGroup:
    """An active group as the store knows it."""

    key: str
    basis: str  # what its members share, e.g. "tag:outage"
    opened_at: float
    last_joined_at: float
    words: frozenset[str] = frozenset()  # of the founding ticket's subject


@dataclass(frozen=True, slots=True)
class Joining:
    """The group a ticket joins and why (shown by ``bridge explain``)."""

    key: str
    basis: str
    new: bool  # the ticket founds the group
    why: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    words: frozenset[str] = frozenset()


def words(subject: str) -> frozenset[str]:
    """The words of a subject that can tell one outage from another."""
    return frozenset(w for w in _WORD.findall(subject.casefold()) if w not in _STOP)


def members_needed(basis: str) -> int:
    """How many members a group needs before it speaks for them. A problem ticket, a tag or a
    field names an outage on purpose, so one ticket is enough; a subject alone is not: the
    founder of a ``similar_subject`` group signals on its own until a second ticket joins."""
    return 2 if basis.startswith("subject:") else 1


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def group_key(basis: str, opened_at: float) -> str:
    """``storm:<basis>@<opened>``: the same outage next week is another group and incident."""
    if len(basis) > _BASIS_MAX:
        kind = basis.partition(":")[0]
        basis = f"{kind}:sha256:{hashlib.sha256(basis.encode()).hexdigest()[:32]}"
    opened = datetime.fromtimestamp(opened_at, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"storm:{basis}@{opened}"


def _basis(rule: GroupRule, ticket: Ticket) -> tuple[str, str, dict[str, Any]] | None:
    """What the ticket shares with others under ``rule``: (basis, why, inputs)."""
    source = ticket.source.value
    if rule.kind == "problem":
        if ticket.problem_id:
            why = f"linked to problem ticket #{ticket.problem_id}"
            return f"problem:{source}:{ticket.problem_id}", why, {"problem_id": ticket.problem_id}
        if ticket.ticket_type == "problem":
            return (
                f"problem:{source}:{ticket.id}",
                "is the problem ticket",
                {"problem_id": ticket.id},
            )
        return None
    if rule.kind == "tag":
        if rule.value not in ticket.tags:
            return None
        return f"tag:{rule.value}", f"tagged {rule.value}", {"tag": rule.value}
    found = lookup(ticket, rule.value)
    if found is None:
        return None
    raw = found[1]
    parts = raw if isinstance(raw, list | tuple) else [raw]
    value = ",".join(sorted(str(p).strip().casefold() for p in parts))
    why = f"field {rule.value} is {value}"
    return f"field:{rule.value}={value}", why, {"field": rule.value, "value": value}


def join(
    grouping: GroupingRules,
    ticket: Ticket,
    severity: Severity,
    groups: Sequence[OpenGroup],
    now: float,
) -> Joining | None:
    """The group ``ticket`` joins, or None when no ``group_by`` entry fits it. ``groups`` are
    the open groups; ones over (``close_after``) are ignored."""
    if grouping.severities is not None and severity not in grouping.severities:
        return None
    live = [g for g in groups if now - g.last_joined_at <= grouping.close_after]
    subject = words(ticket.subject)
    for index, rule in enumerate(grouping.rules):
        base = {"group_by": rule.describe(), "entry": index}
        if rule.kind == "subject":
            match = _similar(rule, subject, live, now)
            if match is not None:
                group, score = match
                why = f"subject {score:.2f} similar to the group's (threshold {rule.threshold:g})"
                inputs = {**base, "similarity": round(score, 3)}
                return Joining(group.key, group.basis, False, why, inputs, group.words)
            if subject:
                basis = f"subject:{ticket.source.value}:{ticket.id}"
                why = "founded a group of similar subjects"
                return Joining(group_key(basis, now), basis, True, why, base, subject)
            continue
        shared = _basis(rule, ticket)
        if shared is None:
            continue
        basis, why, inputs = shared
        same = [g for g in live if g.basis == basis]
        if same:
            group = max(same, key=lambda g: g.opened_at)
            return Joining(group.key, basis, False, why, {**base, **inputs}, group.words)
        return Joining(group_key(basis, now), basis, True, why, {**base, **inputs}, subject)
    return None


def _similar(
    rule: GroupRule, subject: frozenset[str], groups: Sequence[OpenGroup], now: float
) -> tuple[OpenGroup, float] | None:
    best: tuple[OpenGroup, float] | None = None
    for group in groups:
        if now - group.last_joined_at > rule.window:
            continue
        score = jaccard(subject, group.words)
        if score >= rule.threshold and (best is None or score > best[1]):
            best = (group, score)
    return best


def next_signal(grouping: GroupingRules, opened_at: float, signalled_at: float | None) -> float:
    """When the group may speak about a member who joins or moves now: ``group_wait`` after it
    opened until it first spoke, afterwards ``group_interval`` after it last spoke."""
    if signalled_at is None:
        return opened_at + grouping.group_wait
    return signalled_at + grouping.group_interval


def compile_rule(entry: GroupBy) -> GroupRule:
    """A ``group_by`` entry of the schema as a ``GroupRule``."""
    if isinstance(entry, ByTag):
        return GroupRule("tag", entry.tag)
    if isinstance(entry, ByField):
        return GroupRule("field", field_key(entry.field))
    if isinstance(entry, BySubject):
        similar = entry.similar_subject
        return GroupRule("subject", window=similar.window, threshold=similar.threshold)
    return GroupRule("problem")


def compile_grouping(doc: Grouping, route: Route, source: str) -> GroupingRules:
    return GroupingRules(
        rules=tuple(compile_rule(entry) for entry in doc.group_by),
        severities=frozenset(Severity(s) for s in doc.severities) if doc.severities else None,
        group_wait=doc.group_wait,
        group_interval=doc.group_interval,
        close_after=doc.close_after,
        examples=doc.examples,
        route=route,
        page=doc.page,
        statuspage=doc.statuspage,
        messages=doc.messages,
        source=source,
    )
