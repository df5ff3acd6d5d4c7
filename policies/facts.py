"""What the engine reads from a ticket, gathered in one pass over its comments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from policies.model import AuthorRole, Ticket

_CUSTOMER, _AGENT = AuthorRole.CUSTOMER, AuthorRole.AGENT
_AT = attrgetter("created_at")


@dataclass(slots=True)
class Facts:
    created: float
    updated: float
    activity: float  # latest customer or agent comment (the bridge's own notes do not count)
    agent_public: list[float]  # public agent replies, in time order
    customer_since_agent: list[float]  # public customer comments after the last agent reply
    sentiments: list[tuple[float, float]]  # (time, score) of scored customer comments
    phrase_first: dict[str, float]  # phrase list -> first customer comment that matched
    party_tags: frozenset[str]
    party_fields: tuple[Mapping[str, Any], ...]
    is_open: bool  # new or open: the "no update" timer runs only then


def gather(ticket: Ticket, is_open: bool) -> Facts:
    created = ticket.created_at.timestamp()
    activity = created
    agent_public: list[float] = []
    since_agent: list[float] = []
    sentiments: list[tuple[float, float]] = []
    phrase_first: dict[str, float] = {}
    for comment in sorted(ticket.comments, key=_AT):
        role = comment.author_role
        if role is not _CUSTOMER and role is not _AGENT:
            continue
        at = comment.created_at.timestamp()
        activity = max(activity, at)
        if role is _AGENT:
            if comment.public:
                agent_public.append(at)
                since_agent = []
            continue
        if comment.public:
            since_agent.append(at)
        signals = comment.signals
        if signals is not None:
            if signals.sentiment is not None:
                sentiments.append((at, signals.sentiment))
            for name in signals.phrases:
                phrase_first.setdefault(name, at)
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
        customer_since_agent=since_agent,
        sentiments=sentiments,
        phrase_first=phrase_first,
        party_tags=party_tags,
        party_fields=party_fields,
        is_open=is_open,
    )
