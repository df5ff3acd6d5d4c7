from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from bridge.policy_files import DEFAULT_POLICY_PATH
from policies import parse_policy
from policies.backtest import Replayed, as_of, backtest, replay
from policies.model import AuthorRole, DecisionKind, Priority, Status
from tests.policies.factory import MON, H, M, comment, default_policy, ticket


def escalations(replayed: list[Replayed]) -> list[tuple[datetime, str]]:
    return [(r.at, r.tier) for r in replayed if r.action is DecisionKind.ESCALATE]


def test_an_unanswered_critical_ticket_climbs_the_matrix_until_solved() -> None:
    solved = dataclasses.replace(
        ticket(Priority.URGENT, status=Status.SOLVED), updated_at=MON + 3 * H
    )
    replayed = list(replay(solved, default_policy(), MON + 10 * H))
    # 15 min at L1, 1 h at L2; L4 would come 2 h later still, after the solve.
    assert escalations(replayed) == [(MON + 15 * M, "L2"), (MON + 75 * M, "L3")]
    assert any(r.action is DecisionKind.PAGE and r.tier == "L3" for r in replayed)


def test_a_reply_in_time_keeps_a_ticket_at_l1() -> None:
    answered = ticket(
        Priority.LOW,
        comments=(comment(MON + 10 * M, role=AuthorRole.AGENT, body="Looking into it"),),
    )
    solved = dataclasses.replace(answered, status=Status.SOLVED, updated_at=MON + H)
    assert escalations(list(replay(solved, default_policy(), MON + 10 * H))) == []


def test_the_past_is_rebuilt_from_comment_and_solve_times() -> None:
    later = comment(MON + 2 * H, body="third")
    full = ticket(comments=(comment(MON + M), later), status=Status.SOLVED, updated_at=MON + 3 * H)
    early = as_of(full, MON + H, MON + 3 * H)
    assert [c.created_at for c in early.comments] == [MON + M]
    assert early.status is Status.OPEN and early.updated_at == MON + M
    assert as_of(full, MON + 3 * H, MON + 3 * H).status is Status.SOLVED


@pytest.mark.parametrize(("l1_limit", "escalated"), [("15m", 1), ("4h", 0)])
def test_a_candidate_policy_is_compared_on_the_same_history(l1_limit: str, escalated: int) -> None:
    source = DEFAULT_POLICY_PATH.read_text().replace(
        "Critical: {clock: calendar, L1: 15m", f"Critical: {{clock: calendar, L1: {l1_limit}"
    )
    candidate = parse_policy(source, "candidate.yaml")
    quick = dataclasses.replace(ticket(Priority.URGENT, status=Status.SOLVED), updated_at=MON + H)
    summary = backtest([quick], candidate, MON + 10 * H)
    assert (summary.tickets, summary.escalated) == (1, escalated)
    assert summary.rules.get("matrix", 0) == escalated


def test_a_candidate_policy_matches_its_own_phrase_lists() -> None:
    from tests.policies.factory import policy_with

    # The mirror holds the matches of the policy in use; here, none.
    t = ticket(Priority.LOW, comments=(comment(MON + M, body="Please escalate this now."),))
    lists = dict(default_policy().doc.phrases, escalation_request=["nothing matches this"])
    plain = policy_with(phrases=lists)
    assert escalations(list(replay(t, plain, MON + H))) == []
    assert escalations(list(replay(t, default_policy(), MON + H))) == [(MON + M, "L2")]
