"""Per-comment signals (sentiment, phrase matches), computed once when a comment arrives.

``annotate`` is the only place text is scored; ``evaluate`` reads the stored results.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from policies.model import AuthorRole, Comment, CommentSignals, Ticket

_NOT_WORD = re.compile(r"[\W_]+")
_EMPTY = CommentSignals()


def normalize(text: str) -> str:
    """Lower case, punctuation as spaces, padded so phrases match on whole words."""
    return " " + " ".join(_NOT_WORD.sub(" ", text.lower()).split()) + " "


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    # Built once: construction parses the lexicon shipped with vaderSentiment.
    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    """VADER compound score of ``text``, -1 (very negative) .. 1 (very positive)."""
    return float(_analyzer().polarity_scores(text)["compound"])


def matched_phrases(text: str, phrases: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """Names of the phrase lists with a phrase in ``text`` (phrases already normalized)."""
    norm = normalize(text)
    return frozenset(name for name, items in phrases.items() if any(p in norm for p in items))


def score_comment(comment: Comment, phrases: Mapping[str, tuple[str, ...]]) -> CommentSignals:
    """Signals of one comment; only customer words are scored (agents quote legal terms too)."""
    if comment.author_role is not AuthorRole.CUSTOMER:
        return _EMPTY
    return CommentSignals(
        sentiment=sentiment(comment.body), phrases=matched_phrases(comment.body, phrases)
    )


def annotate(ticket: Ticket, phrases: Mapping[str, tuple[str, ...]]) -> Ticket:
    """The ticket with signals filled in for every comment that has none yet; ``phrases`` are
    the policy's compiled phrase lists (``policy.compiled.phrases``)."""
    if all(c.signals is not None for c in ticket.comments):
        return ticket
    comments = tuple(
        c if c.signals is not None else dataclasses.replace(c, signals=score_comment(c, phrases))
        for c in ticket.comments
    )
    return dataclasses.replace(ticket, comments=comments)
