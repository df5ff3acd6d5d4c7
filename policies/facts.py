"""What the engine reads from a ticket, gathered in one pass over its comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from policies.calendar import BusinessClock, Interval
from policies.model import AuthorRole, Ticket

_CUSTOMER, _AGENT = AuthorRole.CUSTOMER, AuthorRole.AGENT
_AT = attrgetter("created_at")
# The desk stamps the opening message with the ticket's creation time; a second's leeway
# covers desks that store the two a moment apart.
OPENING_LEEWAY = 1.0


@dataclass(slots=True)
class Facts:
    created: float
    updated: float
    activity: float  # latest customer or agent comment (the bridge's own notes do not count)
    agent_public: list[float]  # public agent replies, in time order
    agent_last: float  # the latest agent reply or internal note (0: none)
    customer_since_agent: list[float]  # public customer comments after the last agent reply
    followups: list[float]  # public customer comments after the opening message, in time order
    sentiments: list[tuple[float, float]]  # (time, score) of scored customer comments
    phrase_first: dict[
        str, float
    ]  # phrase list -> first customer comment (or subject) affirming it
    opening_phrases: frozenset[str]  # phrase lists the subject or the opening message affirm
    agent_phrase_first: dict[str, float]  # phrase list -> first agent comment affirming it
    party_tags: frozenset[str]
    party_fields: tuple[Mapping[str, Any], ...]
    is_open: bool  # new or open: the "no update" timer runs only then
    now: float = 0.0
    # Set by the engine once the severity is known:
    followups_since: float = 0.0  # follow-ups count from here (the tier's start, the last solve)
    business: BusinessClock | None = None  # the severity's business clock, if it has one
    pauses: Sequence[Interval] = ()  # when the ticket was pending or on hold


def gather(ticket: Ticket, is_open: bool, now: float = 0.0) -> Facts:
    created = ticket.created_at.timestamp()
    activity = created
    agent_public: list[float] = []
    agent_last = 0.0
    since_agent: list[float] = []
    followups: list[float] = []
    sentiments: list[tuple[float, float]] = []
    subject = ticket.subject_phrases or frozenset()
    phrase_first: dict[str, float] = dict.fromkeys(subject, created)
    agent_phrases: dict[str, float] = {}
    opening: frozenset[str] = subject
    first = True
    for comment in sorted(ticket.comments, key=_AT):
        role = comment.author_role
        if role is not _CUSTOMER and role is not _AGENT:
            continue
        at = comment.created_at.timestamp()
        is_opening = first and at <= created + OPENING_LEEWAY
        first = False
        activity = max(activity, at)
        signals = comment.signals
        if role is _AGENT:
            agent_last = at
            if comment.public:
                agent_public.append(at)
                since_agent = []
            for name in signals.phrases if signals is not None else ():
                agent_phrases.setdefault(name, at)
            continue
        if comment.public:
            since_agent.append(at)
            if not is_opening:
                followups.append(at)
        if signals is not None:
            if signals.sentiment is not None:
                sentiments.append((at, signals.sentiment))
            for name in signals.phrases:
                phrase_first.setdefault(name, at)
            if is_opening:
                opening |= signals.phrases
    party_tags: frozenset[str] = frozenset()
    party_fields: tuple[Mapping[str, Any], ...] = ()
    for party in (ticket.requester, ticket.organization):
        if party is not None:
            party_tags |= party.tags
            party_fields += (party.fields,)
    return Facts(
        created=created,
        updated=ticket.updated_at.timestamp(),
        activity=activity,
        agent_public=agent_public,
        agent_last=agent_last,
        customer_since_agent=since_agent,
        followups=followups,
        sentiments=sentiments,
        phrase_first=phrase_first,
        opening_phrases=opening,
        agent_phrase_first=agent_phrases,
        party_tags=party_tags,
        party_fields=party_fields,
        is_open=is_open,
        now=now,
        followups_since=created,
    )
