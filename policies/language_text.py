"""Text preparation for ``policies.language``: the customer's own words, sentences, tokens.

Pure string work with precompiled regular expressions; see ``policies.language`` for the
semantics this serves.
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
# punctuation; apostrophes between letters may occur inside.
_DOUBLE_QUOTED = (
    r"\"[^\"\n]{0,400}\"",
    r"\u201c[^\u201d\n]{0,400}\u201d",
    r"\u201e[^\u201c\u201d\n]{0,400}[\u201c\u201d]",
    r"\u00ab[^\u00bb\n]{0,400}\u00bb",
)
_SINGLE_QUOTED = (
    r"(?:(?<=[\s(])|^)['\u2018](?=\w)"
    r"(?:[^'\u2018\u2019\n]|(?<=\w)['\u2019](?=\w)){0,200}"
    r"(?<=[\w.!?,])['\u2019](?=[\s.,;:!?)]|$)"
)
_QUOTED = re.compile("|".join((*_DOUBLE_QUOTED, _SINGLE_QUOTED)), re.MULTILINE)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
_APOSTROPHE = re.compile(r"[\u2019\u2018`\u00b4]")
_CONTRACTIONS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bwon'?t\b", "will not"),
        (r"\bcan'?t\b|\bcan not\b", "cannot"),
        (r"\bshan'?t\b", "shall not"),
        (r"\bain'?t\b", "is not"),
        (r"n't\b", " not"),
        (r"\b(do|does|did|is|are|was|were|have|has|had|could|would|should)nt\b", r"\1 not"),
        (r"'ll\b", " will"),
        (r"'re\b", " are"),
        (r"'m\b", " am"),
        (r"'ve\b", " have"),
        (r"'d\b", " would"),
        (r"'s\b", ""),
    )
)
_BREAKS = re.compile(r"[,;:()\[\]{}]|\s[-\u2013\u2014]+\s|[\"\u201c\u201d\u201e\u00ab\u00bb]")
_TOKEN = re.compile(rf"[^\W\d_]+|\d+|{CLAUSE_BREAK}")


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


def tokens(text: str) -> tuple[str, ...]:
    """Lower-case words, numbers and clause breaks; contractions written out (n't -> not).

    Letters and digits are split ("SOC2" -> soc 2) so either spelling matches.
    """
    text = _APOSTROPHE.sub("'", text.lower())
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return tuple(_TOKEN.findall(_BREAKS.sub(" , ", text)))


def sentences(text: str) -> Iterator[Sentence]:
    """The sentences of the author's own words, in order, with their tokens."""
    for found in _SENTENCE.finditer(own_words(text)):
        words = tokens(found.group())
        if any(w != CLAUSE_BREAK for w in words):
            yield Sentence(words, "?" in found.group().rstrip()[-3:])
