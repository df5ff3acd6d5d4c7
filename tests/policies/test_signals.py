"""Sentiment and phrase signals, computed once per comment."""

from __future__ import annotations

import dataclasses

import pytest

from policies import annotate, evaluate
from policies.model import AuthorRole, CommentSignals, Priority, Tier
from policies.signals import normalize, sentiment
from tests.policies.factory import MON, STATE, H, M, comment, default_policy, ticket

PHRASES = default_policy().compiled.phrases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want to SPEAK to a manager!!!", {"escalation_request"}),
        ("Please escalate.", {"escalation_request"}),
        ("speak-to-a manager", {"escalation_request"}),
        ("Our lawyer will be in touch (GDPR)", {"legal"}),
        ("We will sue you", {"legal"}),
        ("This is urgent, please help", set()),
        ("I am pursuing this", set()),  # "sue" only as a whole word
        ("No need to escalate, it's fixed", set()),
        ("", set()),
    ],
)
def test_phrase_lists_ignore_case_and_punctuation(text: str, expected: set[str]) -> None:
    assert PHRASES.match(text) == expected


def test_normalize() -> None:
    assert normalize("Hello,  WORLD!") == " hello world "


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("This is terrible, I am furious!", -1),
        ("Thanks, that fixed it. Great job!", 1),
        ("The package arrived on Tuesday", 0),
    ],
)
def test_sentiment_sign(text: str, sign: int) -> None:
    score = sentiment(text)
    assert (score > 0.05) - (score < -0.05) == sign


def test_annotate_fills_only_missing_signals_and_scores_agents_for_phrases_only() -> None:
    policy = default_policy()
    raw = dataclasses.replace(
        comment(MON, body="I want to speak to a manager, this is awful!"), signals=None
    )
    agent = dataclasses.replace(comment(MON, AuthorRole.AGENT, body="lawyer"), signals=None)
    kept = comment(MON, sentiment=0.9, body="terrible")
    t = annotate(
        ticket(comments=(raw, agent, kept), subject="Users cannot log in"),
        policy.compiled.phrases,
    )
    first, second, third = t.comments
    assert first.signals is not None and first.signals.sentiment is not None
    assert first.signals.sentiment < 0 and first.signals.phrases == {"escalation_request"}
    assert second.signals == CommentSignals(phrases=frozenset({"legal"}))
    assert third.signals == kept.signals
    assert t.subject_phrases == {"impact_high"}
    assert annotate(t, policy.compiled.phrases) is t


def test_evaluate_reads_signals_not_text() -> None:
    angry = comment(MON + M, body="this is terrible, I will call my lawyer", sentiment=0.0)
    result = evaluate(ticket(Priority.LOW, comments=(angry,)), STATE, default_policy(), MON + H)
    assert result.tier == Tier.L1
