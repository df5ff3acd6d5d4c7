"""The root-cause analyses' answers, read back for the report: the ``[RCA]`` note an agent
writes from the RCA template (its headings), or the policy's RCA field. Parsing is pure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from policies.templates import RCA_MARKER

# The RCA template's headings, as the report names them; "- **Root cause:** text" or
# "Root cause: text", one per line.
HEADINGS = {
    "what happened": "what_happened",
    "root cause": "root_cause",
    "fix": "fix",
    "knowledge-base update": "kb_update",
    "knowledge base update": "kb_update",
    "systemic follow-up": "follow_up",
}
_LINE = re.compile(r"^\s*[-*]?\s*\**\s*([A-Za-z -]+?)\s*:\s*\**\s*(.*)$")
# Answers that say nothing was done.
_NOTHING = re.compile(r"^\(?(none|n/?a|no|nothing|-|not needed|none needed)\b", re.IGNORECASE)
THEME_WORDS = 6


@dataclass(frozen=True)
class Rca:
    root_cause: str = ""
    what_happened: str = ""
    fix: str = ""
    kb_update: str = ""
    follow_up: str = ""

    @property
    def has_kb_update(self) -> bool:
        return _done(self.kb_update)

    @property
    def has_follow_up(self) -> bool:
        return _done(self.follow_up)


def _done(answer: str) -> bool:
    return bool(answer.strip()) and not _NOTHING.match(answer.strip())


def parse_note(text: str) -> Rca:
    """The answers of one RCA note (text after the marker); a note without headings is its
    root cause."""
    body = text.strip().removeprefix(RCA_MARKER).strip()
    found: dict[str, str] = {}
    headed = False
    for line in body.splitlines():
        match = _LINE.match(line)
        key = HEADINGS.get(match.group(1).strip().casefold()) if match else None
        if match is None or key is None:
            continue
        headed = True
        answer = match.group(2).strip().strip("*").strip()
        # The template's own hint in parentheses is no answer.
        if answer and not answer.startswith("(the "):
            found.setdefault(key, answer)
    if not headed and body:
        found["root_cause"] = body.splitlines()[0].strip()
    return Rca(**found)


def theme(root_cause: str) -> str:
    """A root cause's theme: its first words, lower case, without punctuation."""
    words = re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", root_cause.casefold())
    return " ".join(words[:THEME_WORDS])


@dataclass(frozen=True)
class RcaSummary:
    written: int
    kb_updates: int
    follow_ups: list[str]
    themes: list[tuple[str, int]]


def summarize_rcas(rcas: Iterable[Rca], top: int = 5) -> RcaSummary:
    items = list(rcas)
    themes = Counter(theme(r.root_cause) for r in items if r.root_cause.strip())
    return RcaSummary(
        written=len(items),
        kb_updates=sum(r.has_kb_update for r in items),
        follow_ups=[r.follow_up for r in items if r.has_follow_up][:top],
        themes=themes.most_common(top),
    )
