"""Phrase lists matched in customer comments, counting only what the customer affirms.

``compile_phrase_lists({name: phrases})`` builds a ``PhraseMatcher`` once per policy;
``matcher.match(text)`` returns the names of the lists with at least one AFFIRMED hit.
Pure: no I/O, no clock, no global state; a matcher is immutable and safe to share.

Phrases. A plain phrase ("speak to a manager") matches those words in that order, whole words
only, ignoring case, punctuation and spacing ("sue" never hits "issue" or "pursue"). Phrases and
text are normalized alike: contractions are written out ("can't" -> "cannot", "don't" -> "do
not", "'s" dropped), letters and digits split ("SOC2" = "soc 2"). On top of that a phrase may use
(``policies.language_patterns``):

- ``(a|b c)`` one of the alternatives: ``(speak|talk) (to|with) a manager``;
- ``[a|the]`` an optional group: ``speak to [a|the|your] manager``;
- ``*`` up to three words of any kind within one clause: ``put me * through to a supervisor``;
- ``word~`` the word tolerates typos (see Typos);
- a trailing ``?``: the phrase counts in any question (see Questions), e.g. ``soc 2 report?``.

Whose words. Lines quoted from earlier mail (starting with ``>``), everything after an
"Original Message"/"From: ... Sent:" header, and text inside quotation marks ("...", “...”,
«...», '...' where the quote marks cannot be apostrophes) are not the customer's own statement
and are never matched. Other reported speech ("your agent told me to escalate") is matched.

Typos. A phrase word of six or more letters marked ``word~`` also matches a word of five or more
letters one edit away (insertion, deletion, substitution, swap of neighbours): ``manager~`` hits
"manger", ``lawsuit~`` "lawsiut", unless that word is itself a phrase word or a common English
word ("manage", "layer"; ``policies.language_typos``). Unmarked and shorter words must be exact
("sue" is not "use"): tolerating every long word turns "though" into "through" and "filed" into
"failed".

Negation and hypotheticals (NegEx-style, ``policies.language_cues``). A hit is not affirmed when
a cue governs it: a negation (not, no, never, cannot, without, nobody, nothing, ...) or a
hypothetical or fear (if, unless, whether, in case, avoid, prevent, worried about, risk of, ...)
up to six words before it in the same clause, or a cancelling cue up to six words after it
(is not needed, not necessary, unnecessary, off the table, resolved, fixed, back up, ...). A
clause ends at a comma or other break, at but/however/so/because/or/until/then..., and where a
new subject with a finite verb begins ("if you don't fix this I will sue" affirms "I will sue")
or an order does ("I will not accept this, get me a manager" affirms "get me a manager").
Negation words inside the phrase itself ("cannot log in") are part of it. "Not only"/"not
just"/"no doubt" negate nothing; "I don't think we need a manager" negates across "think".

Questions. A sentence ending in "?" asks from its last clause that opens with a question word;
clauses before that are statements ("I want a manager now, do you understand?"). A hit inside
the question counts when the question is

- a request: can/could/would/may + I/we/you/someone/this..., will you, is it possible, is there
  a way, is there/do you have someone..., how can I get/reach/speak..., or it says "please"
  ("could you put me through to a supervisor?");
- rhetorical: why ... ("why hasn't this been escalated?"; not "why would I sue?") or a negative
  request ("can't you escalate this?"); a negation in its opening words is ignored;
- any other question only for phrases marked with a trailing ``?`` (a request for a SOC 2 report
  is usually phrased "do you have a SOC 2 report?"). So "is there an escalation matrix we can
  see?" affirms nothing, and neither does "how do I escalate a ticket in the app?".

Not handled: tense ("our DPA was signed last year" still asks for a DPA), sarcasm, reported
speech without quotation marks, and languages other than English.

Libraries weighed (measured on tests/policies/language_corpus.yaml): rapidfuzz found the same
corrections at about the same cost (5.9 against 7.3 us per looked-up word; 1.3 us with the cache
here), so it does not earn a dependency. negspacy (NegEx on spaCy 3.8, blank English pipeline,
no model to download) with today's plain lists reached precision/recall 0.59/0.33 for
escalation_request and 0.67/0.33 for legal at 89 us a sentence, after a 1.2 s import and 230 MB
of packages, and knows nothing of questions or quotations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from policies.language_cues import Mood, cancelled, mood, question_start, rhetorical_opening
from policies.language_patterns import PatternError, compile_phrase, rendered, token_span
from policies.language_text import sentences
from policies.language_typos import TypoCorrector

__all__ = ["PatternError", "PhraseMatcher", "compile_phrase_lists"]


@dataclass(frozen=True, slots=True)
class _Phrase:
    list_name: str
    regex: re.Pattern[str]
    in_any_question: bool  # marked with a trailing "?"


class _Sentence:
    """One sentence under examination; the question analysis is done only if a hit needs it."""

    def __init__(self, words: tuple[str, ...], asks: bool) -> None:
        self.words = words
        self.text = rendered(words)
        self.asks = asks
        self._question: tuple[int, Mood] | None = None

    def question(self) -> tuple[int, Mood]:
        if self._question is None:
            start = question_start(self.words) if self.asks else len(self.words)
            self._question = (start, mood(self.words, start) if self.asks else Mood.STATEMENT)
        return self._question

    def affirms(self, phrase: _Phrase) -> bool:
        return any(
            self._affirmed(hit, phrase.in_any_question) for hit in phrase.regex.finditer(self.text)
        )

    def _affirmed(self, hit: re.Match[str], in_any_question: bool) -> bool:
        first, last = token_span(self.text, hit.start(), hit.end())
        asked_from, how = self.question()
        if first < asked_from or how is Mood.STATEMENT:
            return not cancelled(self.words, first, last)
        if how is Mood.ENQUIRY and not in_any_question:
            return False
        ignore = rhetorical_opening(self.words, asked_from) if how is Mood.RHETORICAL else 0
        return not cancelled(self.words, first, last, ignore_before=ignore)


@dataclass(frozen=True, slots=True)
class PhraseMatcher:
    """Compiled phrase lists; build with ``compile_phrase_lists``."""

    # Each phrase under the words one of which any of its matches holds: a sentence is searched
    # only for the phrases whose words it has, which for most sentences is none.
    _phrases: tuple[_Phrase, ...]
    _by_anchor: Mapping[str, tuple[int, ...]]
    _typos: TypoCorrector

    def match(self, text: str) -> frozenset[str]:
        """Names of the lists with a phrase the author of ``text`` affirms."""
        found: set[str] = set()
        correct = self._typos.correct
        for sentence in sentences(text):
            words = tuple(correct(w) for w in sentence.tokens)
            candidates = {i for w in set(words) for i in self._by_anchor.get(w, ())}
            current = _Sentence(words, sentence.asks)
            for phrase in (self._phrases[i] for i in sorted(candidates)):
                if phrase.list_name not in found and current.affirms(phrase):
                    found.add(phrase.list_name)
        return frozenset(found)


def compile_phrase_lists(lists: Mapping[str, Sequence[str]]) -> PhraseMatcher:
    """A matcher for the named phrase lists; ``PatternError`` names a phrase it cannot read."""
    compiled = [(name, compile_phrase(p)) for name, phrases in lists.items() for p in phrases]
    by_anchor: dict[str, list[int]] = {}
    for i, (_, phrase) in enumerate(compiled):
        for word in phrase.anchors:
            by_anchor.setdefault(word, []).append(i)
    return PhraseMatcher(
        tuple(_Phrase(name, re.compile(p.regex), p.in_questions) for name, p in compiled),
        {word: tuple(indices) for word, indices in by_anchor.items()},
        TypoCorrector(
            (w for _, p in compiled for w in p.typo_tolerant),
            (w for _, p in compiled for w in p.words),
        ),
    )
