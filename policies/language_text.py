"""Text preparation for ``policies.language``: the customer's own words, sentences, tokens.

Pure string work: a few precompiled regular expressions over the whole comment, then one pass
over its pieces; see ``policies.language`` for the semantics this serves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

CLAUSE_BREAK = ","  # the one non-word token: commas, colons, brackets, dashes, removed quotes

# Quoted e-mail: "> " lines, and everything after an Outlook/Gmail original-message header.
_REPLY_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)
_FORWARDED_TAIL = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:original message|forwarded message)[ \t]*-{2,}|from:.*\n[ \t]*sent:)"
    r".*\Z",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
# Quotation marks: straight, curly, low-9 and guillemets. A single quote mark only counts where it
# cannot be an apostrophe: it opens after a space or bracket and closes before a space or
# punctuation; apostrophes between letters may occur inside. Every branch starts with its quote
# mark (the look-behind comes after it) so the engine skips ahead to quote marks.
_QUOTED = re.compile(
    "|".join(
        (
            r"\"[^\"\n]{0,400}\"",
            r"\u201c[^\u201d\n]{0,400}\u201d",
            r"\u201e[^\u201c\u201d\n]{0,400}[\u201c\u201d]",
            r"\u00ab[^\u00bb\n]{0,400}\u00bb",
            r"['\u2018](?<![^\s(]['\u2018])(?=\w)"
            r"(?:[^'\u2018\u2019\n]|(?<=\w)['\u2019](?=\w)){0,200}"
            r"(?<=[\w.!?,])['\u2019](?=[\s.,;:!?)]|$)",
        )
    ),
)
_APOSTROPHE = re.compile(r"[\u2019\u2018`\u00b4]")
# Words (with inner apostrophes), numbers, sentence ends, and clause breaks.
_PIECE = re.compile(
    r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+|[.!?]+|\n"
    r"|[,;:()\[\]{}\"\u201c\u201d\u201e\u00ab\u00bb]|[ \t][-\u2013\u2014]+\s"
)
_CONTRACTED = {
    "won't": ("will", "not"),
    "wont": ("will", "not"),
    "can't": ("cannot",),
    "cant": ("cannot",),
    "shan't": ("shall", "not"),
    "ain't": ("is", "not"),
    **{
        f"{verb}nt": (verb, "not")
        for verb in [
            "do",
            "does",
            "did",
            "is",
            "are",
            "was",
            "were",
            "have",
            "has",
            "had",
            "could",
            "would",
            "should",
        ]
    },
}
_SUFFIXES = {"ll": ("will",), "re": ("are",), "m": ("am",), "ve": ("have",), "d": ("would",)}


@dataclass(frozen=True, slots=True)
class Sentence:
    """Tokens of one sentence, and whether it ended with a question mark."""

    tokens: tuple[str, ...]
    asks: bool


def own_words(text: str) -> str:
    """``text`` without quoted replies and quotations, which are not the author's statement.

    A removed quotation becomes a clause break so the words around it do not join up.
    """
    text = _FORWARDED_TAIL.sub("", text)
    text = _REPLY_LINE.sub("", text)
    return _QUOTED.sub(" , ", text)


def _words(piece: str) -> tuple[str, ...]:
    """One word piece written out: "don't" -> do not, "I'm" -> i am, "it's" -> it."""
    if piece in _CONTRACTED:
        return _CONTRACTED[piece]
    if "'" not in piece:
        return (piece,)
    if piece.endswith("n't"):
        return piece[:-3], "not"
    head, _, tail = piece.rpartition("'")
    if tail == "s":
        return _words(head)
    return (*_words(head), *_SUFFIXES.get(tail, (tail,)))


def _pieces(text: str) -> Iterator[tuple[str, ...]]:
    """Sentences as runs of tokens, each run closed by a sentence end ("." "?" "\\n"...)."""
    words: list[str] = []
    for piece in _PIECE.findall(_APOSTROPHE.sub("'", text.lower())):
        if piece[0] in ".!?\n":
            words.append(piece)
            yield tuple(words)
            words = []
        elif piece[0].isalnum():
            for word in _words(piece):
                if word == "not" and words and words[-1] == "can":
                    words[-1] = "cannot"
                else:
                    words.append(word)
        elif not words or words[-1] != CLAUSE_BREAK:
            words.append(CLAUSE_BREAK)
    yield tuple(words)


def tokens(text: str) -> tuple[str, ...]:
    """Lower-case words, numbers and clause breaks; contractions written out (n't -> not).

    Letters and digits are split ("SOC2" -> soc 2) so either spelling matches; sentence ends
    count as clause breaks.
    """
    return tuple(
        w if w[0].isalnum() else CLAUSE_BREAK for sentence in _pieces(text) for w in sentence
    )


def sentences(text: str) -> Iterator[Sentence]:
    """The sentences of the author's own words, in order, with their tokens."""
    for run in _pieces(own_words(text)):
        ends = run[-1] if run and run[-1][0] in ".!?\n" else ""
        words = run[:-1] if ends else run
        if any(w != CLAUSE_BREAK for w in words):
            yield Sentence(words, "?" in ends)
