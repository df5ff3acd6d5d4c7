"""Property tests: ``next_check_at`` is exact, and time never undoes an escalation."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies import apply_decisions, evaluate
from policies.model import (
    AuthorRole,
    EscalationState,
    Party,
    Priority,
    Satisfaction,
    Status,
    StatusChange,
    Ticket,
    Tier,
)
from tests.policies.factory import MON, comment, default_policy, ticket

S = dt.timedelta(seconds=1)
BASE = MON - dt.timedelta(days=3)


def moment(offset: int) -> dt.datetime:
    return BASE + dt.timedelta(seconds=offset)


def _latest(t: Ticket) -> dt.datetime:
    """Inputs never lie in the future: evaluate no earlier than the last thing that happened."""
    times = [t.updated_at, *(c.created_at for c in t.comments), *(s.at for s in t.status_history)]
    return max(times)


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    created = draw(st.integers(0, 7 * 86400))
    comments = []
    for i in range(draw(st.integers(0, 6))):
        at = created + draw(st.integers(0, 3 * 86400))
        role = draw(st.sampled_from([AuthorRole.CUSTOMER, AuthorRole.AGENT, AuthorRole.BRIDGE]))
        sentiment = draw(st.sampled_from([0.5, 0.0, -0.5, -0.9]))
        phrases = draw(st.sampled_from([frozenset(), frozenset({"escalation_request"})]))
        comments.append(comment(moment(at), role, sentiment=sentiment, phrases=phrases, cid=str(i)))
    status = draw(st.sampled_from([Status.NEW, Status.OPEN, Status.PENDING, Status.SOLVED]))
    history: tuple[StatusChange, ...] = ()
    updated = created + draw(st.integers(0, 86400))
    if draw(st.booleans()):
        start = created + draw(st.integers(0, 86400))
        history = (
            StatusChange(moment(start), Status.PENDING),
            StatusChange(moment(start + draw(st.integers(1, 86400))), Status.OPEN),
        )
        updated = max(updated, int((history[-1].at - BASE).total_seconds()))
    tags = draw(st.sampled_from([frozenset(), frozenset({"bug"}), frozenset({"escalate"})]))
    vip = draw(st.sampled_from([None, Party("o", tags=frozenset({"vip"}))]))
    csat = draw(st.sampled_from([None, Satisfaction(score=2), Satisfaction(score=5)]))
    return ticket(
        draw(st.sampled_from([*Priority, None])),
        moment(created),
        status,
        updated_at=moment(updated),
        comments=tuple(comments),
        status_history=history,
        tags=tags,
        organization=vip,
        satisfaction=csat,
    )


@st.composite
def states(draw: st.DrawFn, t: Ticket) -> EscalationState:
    if draw(st.booleans()):
        return EscalationState()
    tier = draw(st.sampled_from(list(Tier)))
    since = t.created_at + dt.timedelta(seconds=draw(st.integers(0, 86400)))
    return EscalationState(tier=tier, tier_since=since, page_open=draw(st.booleans()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_next_check_at_is_exact(data: st.DataObject) -> None:
    policy = default_policy()
    t = data.draw(tickets())
    state = data.draw(states(t))
    now = _latest(t) + dt.timedelta(seconds=data.draw(st.integers(0, 5 * 86400)))
    first = evaluate(t, state, policy, now)
    state = apply_decisions(state, first, now)
    due = first.next_check_at
    if due is None:
        later = evaluate(t, state, policy, now + dt.timedelta(days=30))
        assert later.decisions == ()
        return
    assert due > now
    if due - S > now:
        assert evaluate(t, state, policy, due - S).decisions == ()
    assert evaluate(t, state, policy, due).decisions != ()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_later_now_never_undoes_an_escalation(data: st.DataObject) -> None:
    policy = default_policy()
    t = data.draw(tickets())
    state = data.draw(states(t))
    offsets = sorted(data.draw(st.lists(st.integers(0, 6 * 86400), min_size=2, max_size=5)))
    tier = state.tier
    for offset in offsets:
        now = _latest(t) + dt.timedelta(seconds=offset)
        result = evaluate(t, state, policy, now)
        assert result.tier >= tier
        assert evaluate(t, EscalationState(), policy, now).tier <= max(result.tier, Tier.L4)
        state = apply_decisions(state, result, now)
        assert state.tier >= tier
        tier = state.tier
