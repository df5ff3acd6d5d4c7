"""Typo tolerance for ``policies.language``: a misspelt word becomes the phrase word it misses.

Only words a phrase marks with ``~`` are typo-tolerant: with every long phrase word tolerant,
common words turn into phrase words ("though" -> "through", "filed" -> "failed", "reach" ->
"breach", "better" -> "letter"), which a phrase author cannot foresee.
A token is corrected to a tolerant word when one edit (an insertion, a deletion, a substitution
or a swap of neighbours: optimal string alignment distance 1) turns it into that word, the word
has at least ``MIN_WORD`` letters and the token at least ``MIN_TOKEN``, and the token is not
itself a phrase word or a common English word (``REAL_WORDS``: "layer" is no typo of "lawyer").
Candidates come from a deletion index (the SymSpell idea): a word and a token one edit apart
share a string reachable by deleting at most one letter from each, so a token costs one dict
look-up per letter instead of a comparison with every phrase word.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

MIN_WORD = 6
MIN_TOKEN = 5

# Common English words one edit away from a typo-tolerant word of the shipped phrase lists, which
# must stay what they are. Found by checking every word of pyspellchecker's English frequency
# list seen 500 times or more; "manger" is left to mean "manager" on purpose, and inflections
# ("seniors", "databases") may match their stem.
REAL_WORDS = frozenset(
    {"layer", "layers", "manage", "managed", "manages", "outrage", "regulatory", "sensor"}
)


def _deletions(word: str) -> Iterator[str]:
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) < len(b):
        return a[first:] == b[first + 1 :]
    if a[first + 1 :] == b[first + 1 :]:
        return True
    swapped = first + 1 < len(a) and a[first] == b[first + 1] and a[first + 1] == b[first]
    return swapped and a[first + 2 :] == b[first + 2 :]


class TypoCorrector:
    """Maps tokens to the phrase words they misspell; built once per set of phrase lists."""

    def __init__(self, tolerant: Iterable[str], exact: Iterable[str]) -> None:
        """``tolerant``: the words marked with ``~``; ``exact``: every other phrase word."""
        tolerant = frozenset(tolerant)
        self._keep = tolerant | frozenset(exact) | REAL_WORDS
        index: dict[str, set[str]] = {}
        for word in tolerant:
            for key in (word, *_deletions(word)):
                index.setdefault(key, set()).add(word)
        self._index = {key: tuple(sorted(found)) for key, found in index.items()}
        # Words repeat across comments; the cache is bounded and keeps the answers pure.
        self.correct = lru_cache(maxsize=8192)(self._correct)

    def _correct(self, token: str) -> str:
        """The phrase word ``token`` misspells, else ``token`` itself."""
        if len(token) < MIN_TOKEN or token in self._keep or not token.isalpha():
            return token
        index = self._index
        candidates = set(index.get(token, ()))
        for key in _deletions(token):
            candidates.update(index.get(key, ()))
        fits = sorted(c for c in candidates if one_edit_apart(token, c))
        return fits[0] if fits else token
