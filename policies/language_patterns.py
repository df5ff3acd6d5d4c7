"""The phrase pattern syntax of ``policies.language``, compiled to regular expressions.

A pattern is words (normalized like comment text) plus, optionally:

- ``(a|b c)`` one of the alternatives, each a sequence (words, groups, gaps);
- ``[a|b c]`` the same, but optional;
- ``*`` a gap of up to ``GAP`` words inside one clause (never first or last);
- ``word~`` the word also matches its typos (``policies.language_typos``; six letters or more);
- a trailing ``?``: the phrase counts in any question, not only in requests.

The expressions run on a sentence rendered as ``" tok tok , tok "`` (see ``rendered``), so a
match always covers whole tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from policies.language_text import CLAUSE_BREAK, tokens
from policies.language_typos import MIN_WORD

GAP = 3
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "to", "of", "in", "on", "for", "with", "up", "by", "at", "as", "and", "or"}
    | {"i", "me", "my", "we", "us", "our", "you", "your", "it", "this", "that", "one", "all"}
    | {"is", "are", "was", "were", "be", "been", "have", "has", "do", "can", "will", "would"}
    | {"not", "no", "get", "like", "want", "need", "there", "what", "please"}
)
_SYNTAX = re.compile(r"[()\[\]|*]|[^()\[\]|*]+")
_GAP_REGEX = rf"(?: [^ {CLAUSE_BREAK}]+){{0,{GAP}}}"


class PatternError(ValueError):
    """A phrase that does not follow the pattern syntax."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """One compiled pattern."""

    source: str
    regex: str
    in_questions: bool
    words: frozenset[str]
    typo_tolerant: frozenset[str]
    anchors: frozenset[str]  # every match holds one of these words


def rendered(words: Iterable[str]) -> str:
    """The string the compiled expressions search: tokens between single spaces."""
    return " " + " ".join(words) + " "


def token_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Token indices [first, last) of a match at ``start:end`` of a ``rendered`` string."""
    return text.count(" ", 0, start) - 1, text.count(" ", 0, end)


class _Parser:
    """Recursive descent over the pattern's syntax characters and word chunks."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts = [p for p in _SYNTAX.findall(source) if p.strip()]
        self.at = 0
        self.words: set[str] = set()
        self.typo_tolerant: set[str] = set()

    def fail(self, why: str) -> PatternError:
        return PatternError(f"phrase {self.source!r}: {why}")

    def peek(self) -> str | None:
        return self.parts[self.at] if self.at < len(self.parts) else None

    def sequence(self) -> tuple[str, frozenset[str]]:
        regex = ""
        joined = False  # whether the next element needs a space before it
        anchors: frozenset[str] = frozenset()
        while (part := self.peek()) is not None and part not in (")", "]", "|"):
            self.at += 1
            if part == "*":
                if not joined or self.peek() in (None, ")", "]", "|", "*"):
                    raise self.fail("a gap * needs a word on both sides")
                regex += _GAP_REGEX
                continue
            if part in ("(", "["):
                inner, words = self.alternatives(closing=")" if part == "(" else "]")
                if part == "[":
                    regex += f"(?: {inner})?" if joined else f"(?:{inner} )?"
                    continue
            else:
                inner, words = self.literal(part)
            regex += (" " if joined else "") + inner
            joined = True
            anchors = max(anchors, words, key=_selectivity) if anchors else words
        if not anchors:
            raise self.fail("every alternative needs a word that is not optional")
        return regex, anchors

    def alternatives(self, closing: str) -> tuple[str, frozenset[str]]:
        options = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            options.append(self.sequence())
        if self.peek() != closing:
            raise self.fail(f"missing {closing!r}")
        self.at += 1
        regex = "(?:" + "|".join(r for r, _ in options) + ")"
        return regex, frozenset().union(*(words for _, words in options))

    def literal(self, chunk: str) -> tuple[str, frozenset[str]]:
        words: list[str] = []
        for piece in chunk.split():
            found = [w for w in tokens(piece.removesuffix("~")) if w != CLAUSE_BREAK]
            if piece.endswith("~"):
                if len(found) != 1 or len(found[0]) < MIN_WORD or not found[0].isalpha():
                    raise self.fail(f"~ follows one word of {MIN_WORD} letters or more: {piece!r}")
                self.typo_tolerant.add(found[0])
            words += found
        if not words:
            raise self.fail(f"{chunk.strip()!r} has no words")
        self.words.update(words)
        return " ".join(re.escape(w) for w in words), frozenset({max(words, key=len)})


def _selectivity(anchors: frozenset[str]) -> tuple[int, int]:
    """How rarely a set of words is likely to occur: long words are rarer, fewer words too,
    and function words occur in nearly every sentence."""
    return min(0 if w in _FUNCTION_WORDS else len(w) for w in anchors), -len(anchors)


def compile_phrase(source: str) -> Phrase:
    """The expression for one pattern; ``PatternError`` says what is wrong with it."""
    text = source.strip()
    in_questions = text.endswith("?")
    parser = _Parser(text.removesuffix("?"))
    if not parser.parts:
        raise parser.fail("it is empty")
    regex, anchors = parser.sequence()
    if parser.peek() is not None:
        raise parser.fail(f"unexpected {parser.peek()!r}")
    return Phrase(
        source,
        f"(?<= ){regex}(?= )",
        in_questions,
        frozenset(parser.words),
        frozenset(parser.typo_tolerant),
        anchors,
    )
