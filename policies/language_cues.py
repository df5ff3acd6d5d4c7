"""Whether a phrase found in a sentence is affirmed: negation, hypotheticals and questions.

The rules follow NegEx (Chapman et al., 2001): a cue before a phrase governs it within a short
window that ends at a clause boundary; a few cues after a phrase ("... is not needed") do too;
pseudo-cues ("not only") contain a negation word but negate nothing. Added for customer mail:
a new subject with a finite verb ("... I will sue") and an imperative ("..., get me a manager")
start a new clause even without a comma, and questions are told apart by their opening words.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from policies.language_text import CLAUSE_BREAK

WINDOW = 6  # tokens between a cue and the phrase it governs, at most

Cue = tuple[str, ...]

_NEGATIONS = frozenset(
    {"not", "no", "never", "cannot", "without", "nor", "neither", "nobody", "nothing", "none"}
)
_BEFORE: tuple[Cue, ...] = (
    *((word,) for word in _NEGATIONS),
    ("hardly",),
    ("instead", "of"),
    ("rather", "than"),
    # hypotheticals and fears: the thing has not happened
    ("if",),
    ("unless",),
    ("whether",),
    ("in", "case"),
    ("in", "the", "event"),
    ("avoid",),
    ("avoiding",),
    ("prevent",),
    ("preventing",),
    ("worried", "about"),
    ("concerned", "about"),
    ("afraid", "of"),
    ("risk", "of"),
)
_AFTER: tuple[Cue, ...] = (
    ("not", "needed"),
    ("not", "necessary"),
    ("not", "required"),
    ("not", "an", "option"),
    ("no", "longer", "needed"),
    ("no", "longer", "necessary"),
    ("unnecessary",),
    ("off", "the", "table"),
    ("ruled", "out"),
    ("resolved",),
    ("fixed",),
    ("back", "up"),
    ("back", "online"),
    ("working", "again"),
    ("prevention",),  # "data loss prevention" names a kind of product
    # done before: "our DPA was signed last year", "we have it on file" ("already" is not one:
    # "I asked for a manager twice already" still asks)
    ("was", "signed"),
    ("on", "file"),
    ("nothing", "to", "do"),
)
_PSEUDO = {"not": {"only", "just"}, "no": {"doubt", "wonder", "matter"}}
_POLITE_IF = frozenset({"it", "grateful", "great", "helpful", "nice", "thankful", "appreciated"})
_ENDS_SCOPE = frozenset(
    {CLAUSE_BREAK, "but", "however", "although", "though", "except", "so", "because", "then"}
    | {"otherwise", "else", "whereas", "until", "till", "or"}
)
_SUBJECTS = frozenset({"i", "we", "you", "they", "he", "she"})
_FINITE = frozenset(
    {"will", "would", "shall", "am", "are", "is", "was", "were", "want", "need", "demand"}
    | {"insist", "expect", "must", "should", "have", "had", "can", "could", "may", "might"}
)
_RAISING = frozenset({"think", "believe", "suppose", "expect", "feel", "that"})
_IMPERATIVES = frozenset(
    {"get", "put", "give", "let", "connect", "transfer", "escalate", "pass", "send", "forward"}
    | {"raise", "bring", "loop", "have"}
)
_NOT_CLAUSE_START = (
    _NEGATIONS
    | _SUBJECTS
    | {"to", "will", "would", "shall", "should", "do", "did", "does", "can", "could", "must"}
    | {"may", "might"}
)
_FILLERS = frozenset(
    {"hi", "hello", "hey", "ok", "okay", "so", "and", "but", "also", "then", "well", "sorry"}
    | {"please", "um", "team", "guys", "folks", "again", "honestly", "seriously", "now"}
)
_ASKING = frozenset(
    {"why", "what", "when", "where", "who", "whom", "whose", "which", "how", "is", "are", "was"}
    | {"were", "do", "does", "did", "have", "has", "had", "can", "could", "would", "will"}
    | {"shall", "should", "may", "might", "am", "cannot", "any"}
)
_MODALS = frozenset({"can", "could", "would", "may", "might", "shall"})
_ASKED = frozenset(
    {"i", "we", "you", "u", "someone", "somebody", "anyone", "anybody", "this", "it", "my", "our"}
)
_PEOPLE = frozenset({"someone", "somebody", "anyone", "anybody"})
_REACH = frozenset({"get", "reach", "speak", "talk", "contact"})
_OPENER = 4  # tokens at the start of a question whose negation is rhetorical ("can't you ...")


class Mood(enum.Enum):
    """How the part of a sentence holding a phrase speaks."""

    STATEMENT = "statement"
    REQUEST = "request"  # "can I talk to someone senior?"
    RHETORICAL = "rhetorical"  # "why hasn't this been escalated?", "can't you escalate it?"
    ENQUIRY = "enquiry"  # "is there an escalation matrix we can see?"


def _by_edge(cues: Iterable[Cue], edge: int) -> Mapping[str, tuple[Cue, ...]]:
    found: dict[str, list[Cue]] = {}
    for cue in cues:
        found.setdefault(cue[edge], []).append(cue)
    return {word: tuple(group) for word, group in found.items()}


_BEFORE_BY_LAST = _by_edge(_BEFORE, -1)
_AFTER_BY_FIRST = _by_edge(_AFTER, 0)


def question_start(words: tuple[str, ...]) -> int:
    """Where the question begins in a sentence that ends with "?".

    That is the last clause opening with a question word; words before it are statements
    ("I want a manager now, do you understand?"). With no such clause, all of it asks.
    """
    start = 0
    clause = 0  # index of the current clause's first token
    opening = 0  # index where its first word that is not a filler may be
    for at, word in enumerate(words):
        if word == CLAUSE_BREAK:
            clause = opening = at + 1
        elif at == opening and word in _FILLERS:
            opening = at + 1
        elif at == opening and word in _ASKING:
            start = clause
    return start


def mood(words: tuple[str, ...], start: int) -> Mood:
    """The mood of the question that begins at ``start``."""
    rest = [w for w in words[start:] if w != CLAUSE_BREAK]
    if "please" in rest:
        return Mood.REQUEST
    while rest and rest[0] in _FILLERS:
        rest.pop(0)
    w0, w1, w2, w3 = (*rest[:4], "", "", "", "")[:4]
    if w0 == "why":
        return Mood.ENQUIRY if w1 in ("would", "should") and w2 in ("i", "we") else Mood.RHETORICAL
    if (w0 in _MODALS or w0 == "will") and w1 == "not" and w2 in _ASKED:
        return Mood.RHETORICAL
    if w0 == "cannot" and w1 in _ASKED:
        return Mood.RHETORICAL
    if (w0 in _MODALS and w1 in _ASKED) or (w0, w1) in (("will", "you"), ("any", "chance")):
        return Mood.REQUEST
    if (w0, w1, w2) == ("is", "it", "possible") or (w0, w1, w2, w3) == ("is", "there", "a", "way"):
        return Mood.REQUEST
    if (w0, w1) == ("is", "there") and w2 in _PEOPLE:
        return Mood.REQUEST
    if (w0, w1, w2) == ("do", "you", "have") and w3 in _PEOPLE:
        return Mood.REQUEST
    if w0 in ("how", "who", "where") and w1 in _MODALS | {"do"} and w2 in ("i", "we"):
        # "how do I escalate?" may be about a product feature; "who can I escalate to?" is not
        return Mood.REQUEST if w3 in _REACH or (w0 != "how" and w3 == "escalate") else Mood.ENQUIRY
    return Mood.ENQUIRY


def _ends_with(words: tuple[str, ...], at: int, cue: Cue) -> bool:
    first = at - len(cue) + 1
    return first >= 0 and words[first : at + 1] == cue


def _starts_with(words: tuple[str, ...], at: int, cue: Cue) -> bool:
    return words[at : at + len(cue)] == cue


def _governed_from_before(words: tuple[str, ...], start: int, ignore_before: int) -> bool:
    if start > 0 and words[start] in _IMPERATIVES and words[start - 1] not in _NOT_CLAUSE_START:
        return False  # "..., get me a manager": an order starts its own clause
    for at in range(start - 1, max(start - 1 - WINDOW, -1), -1):
        word = words[at]
        if word in _ENDS_SCOPE:
            return False
        if word in _SUBJECTS and words[at + 1] in _FINITE:
            # A new subject starts a new clause, which a cue right before it governs ("if we
            # need to"), as does a negated "think" ("I don't think we need").
            lead = words[max(at - 3, 0) : at]
            raised = bool(set(lead) & _RAISING) and bool(set(lead) & _NEGATIONS)
            return raised or (at > ignore_before and _cue_ends_at(words, at - 1))
        if at >= ignore_before and _cue_ends_at(words, at):
            return True
    return False


def _cue_ends_at(words: tuple[str, ...], at: int) -> bool:
    word = words[at]
    if word == "if" and at > 0 and words[at - 1] in _POLITE_IF:
        return False  # "I'd appreciate it if a manager called me" asks; it does not suppose
    return words[at + 1] not in _PSEUDO.get(word, ()) and any(
        _ends_with(words, at, cue) for cue in _BEFORE_BY_LAST.get(word, ())
    )


def _governed_from_after(words: tuple[str, ...], end: int) -> bool:
    for at in range(end, min(end + WINDOW, len(words))):
        word = words[at]
        if any(_starts_with(words, at, cue) for cue in _AFTER_BY_FIRST.get(word, ())):
            return True
        if word in _ENDS_SCOPE or word in _NEGATIONS:
            return False
    return False


def cancelled(words: tuple[str, ...], start: int, end: int, ignore_before: int = 0) -> bool:
    """Whether a negation or hypothetical cue governs the phrase at ``words[start:end]``.

    Cues before ``ignore_before`` do not count (a rhetorical question's opening).
    """
    return _governed_from_before(words, start, ignore_before) or _governed_from_after(words, end)


def rhetorical_opening(words: tuple[str, ...], start: int) -> int:
    """End of the opening of the question at ``start``, where its negation is rhetorical."""
    at = start
    while at < len(words) and (words[at] in _FILLERS or words[at] == CLAUSE_BREAK):
        at += 1
    return at + _OPENER
