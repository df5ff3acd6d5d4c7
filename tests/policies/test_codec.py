"""JSON round trips of tickets and escalation states."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.codec import state_from_json, state_to_json, ticket_from_json, ticket_to_json
from policies.model import (
    AuthorRole,
    Comment,
    CommentSignals,
    EscalationState,
    HistoryEntry,
    ManualRequest,
    Party,
    Priority,
    Satisfaction,
    Source,
    Status,
    StatusChange,
    Ticket,
    Tier,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "policies"
times = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
)
words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
tags = st.frozensets(st.text("abcxyz_", min_size=1, max_size=6), max_size=3)
fields = st.dictionaries(
    st.text("abc", min_size=1, max_size=4), st.one_of(st.integers(), words, st.none()), max_size=2
)
parties = st.builds(Party, id=words, name=words, email=words, tags=tags, fields=fields)
signals = st.one_of(
    st.none(),
    st.builds(CommentSignals, sentiment=st.one_of(st.none(), st.floats(-1, 1)), phrases=tags),
)
comments = st.builds(
    Comment,
    id=words,
    author_role=st.sampled_from(AuthorRole),
    public=st.booleans(),
    created_at=times,
    body=words,
    author_id=words,
    signals=signals,
)
ticket_strategy = st.builds(
    Ticket,
    source=st.sampled_from(Source),
    id=words,
    url=words,
    subject=words,
    status=st.sampled_from(Status),
    priority=st.one_of(st.none(), st.sampled_from(Priority)),
    created_at=times,
    updated_at=times,
    requester=st.one_of(st.none(), parties),
    organization=st.one_of(st.none(), parties),
    assignee_id=st.one_of(st.none(), words),
    assignee_name=words,
    group_id=st.one_of(st.none(), words),
    tags=tags,
    custom_fields=fields,
    comments=st.lists(comments, max_size=3).map(tuple),
    satisfaction=st.one_of(
        st.none(),
        st.builds(
            Satisfaction,
            score=st.one_of(st.none(), st.integers(1, 5)),
            label=st.sampled_from([None, "good", "bad"]),
            comment=words,
            rated_at=st.one_of(st.none(), times),
        ),
    ),
    desk_sla=st.dictionaries(st.sampled_from(["first_response", "resolution"]), times),
    group_changes=st.integers(0, 9),
    description=words,
    status_history=st.lists(
        st.builds(StatusChange, at=times, status=st.sampled_from(Status)), max_size=3
    ).map(tuple),
)
tiers = st.sampled_from(Tier)
state_strategy = st.builds(
    EscalationState,
    tier=tiers,
    tier_since=st.one_of(st.none(), times),
    owner=st.one_of(st.none(), words),
    history=st.lists(
        st.builds(HistoryEntry, at=times, rule=words, from_tier=tiers, to_tier=tiers), max_size=3
    ).map(tuple),
    fired=st.dictionaries(words, times, max_size=3),
    manual=st.lists(
        st.builds(
            ManualRequest,
            kind=st.sampled_from(["escalate", "acknowledge"]),
            by=words,
            at=times,
            reason=words,
            tier=st.one_of(st.none(), tiers),
        ),
        max_size=2,
    ).map(tuple),
    acknowledged_by=st.one_of(st.none(), words),
    acknowledged_at=st.one_of(st.none(), times),
    page_open=st.booleans(),
    solved_at=st.one_of(st.none(), times),
    rca_recorded=st.booleans(),
    handed_from=st.one_of(st.none(), words),
)


@settings(max_examples=150, deadline=None)
@given(ticket_strategy)
def test_ticket_round_trip(ticket: Ticket) -> None:
    data = json.loads(json.dumps(ticket_to_json(ticket)))
    assert ticket_from_json(data) == ticket


@settings(max_examples=150, deadline=None)
@given(state_strategy)
def test_state_round_trip(state: EscalationState) -> None:
    data = json.loads(json.dumps(state_to_json(state)))
    assert state_from_json(data) == state


def test_fixtures_decode() -> None:
    ticket = ticket_from_json(json.loads((FIXTURES / "critical_ticket.json").read_text()))
    assert ticket.priority is Priority.URGENT and ticket.comments[0].signals is None
    state = state_from_json(json.loads((FIXTURES / "state_l2.json").read_text()))
    assert state.tier is Tier.L2 and state.history[0].to_tier is Tier.L2


def test_naive_times_are_utc_and_unknown_keys_rejected() -> None:
    base = {"source": "freshdesk", "id": 7, "status": "open", "created_at": "2025-03-03T10:00:00"}
    ticket = ticket_from_json(base)
    assert ticket.created_at == dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC) == ticket.updated_at
    with pytest.raises(ValueError, match="unknown ticket keys: colour"):
        ticket_from_json({**base, "colour": "red"})
