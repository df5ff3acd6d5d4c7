"""Per-comment signals (sentiment, phrase matches), computed once when a comment arrives.

``annotate`` is the only place text is scored; ``evaluate`` reads the stored results. Phrase lists
count only what the writer affirms (``policies.language``: negation, questions, quotes, typos).
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from policies.language import PhraseMatcher
from policies.model import AuthorRole, Comment, CommentSignals, Ticket

_NOT_WORD = re.compile(r"[\W_]+")
_EMPTY = CommentSignals()


def normalize(text: str) -> str:
    """Lower case, punctuation as spaces, padded so keywords match on whole words."""
    return " " + " ".join(_NOT_WORD.sub(" ", text.lower()).split()) + " "


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    # Built once: construction parses the lexicon shipped with vaderSentiment.
    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    """VADER compound score of ``text``, -1 (very negative) .. 1 (very positive)."""
    return float(_analyzer().polarity_scores(text)["compound"])


def score_comment(comment: Comment, phrases: PhraseMatcher) -> CommentSignals:
    """Signals of one comment: sentiment of the customer's words; phrase lists of customers'
    and agents' words (conditions say whose they read: agents quote legal terms too)."""
    role = comment.author_role
    if role is AuthorRole.CUSTOMER:
        return CommentSignals(
            sentiment=sentiment(comment.body), phrases=phrases.match(comment.body)
        )
    if role is AuthorRole.AGENT:
        return CommentSignals(phrases=phrases.match(comment.body))
    return _EMPTY


def annotate(ticket: Ticket, phrases: PhraseMatcher) -> Ticket:
    """The ticket with signals filled in for its subject and every comment that has none yet;
    ``phrases`` is the policy's compiled matcher (``policy.compiled.phrases``)."""
    subject = ticket.subject_phrases
    if subject is not None and all(c.signals is not None for c in ticket.comments):
        return ticket
    comments = tuple(
        c if c.signals is not None else dataclasses.replace(c, signals=score_comment(c, phrases))
        for c in ticket.comments
    )
    if subject is None:
        subject = phrases.match(ticket.subject)
    return dataclasses.replace(ticket, comments=comments, subject_phrases=subject)
