"""Durations as people write them in the policy file: ``15m``, ``2h``, ``1d``, ``1h30m``."""

from __future__ import annotations

import re
from functools import lru_cache

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+)([smhdw])")
_WHOLE = re.compile(r"(?:\d+[smhdw])+")


class Span(int):
    """Seconds, remembering how many were written as whole days (``d``/``w``): on a
    business-hours clock a day means a business day, not 24 business hours."""

    days: int = 0

    def __new__(cls, seconds: int, days: int = 0) -> Span:
        span = super().__new__(cls, seconds)
        span.days = days
        return span


def parse_duration(text: object) -> Span:
    """Seconds in ``text``; raises ``ValueError`` with a message meant for the policy author."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(f"bad duration {text!r}: write e.g. 15m, 2h, 1d")
    if isinstance(text, int):
        # A bare number is ambiguous (seconds? minutes?), so only 0 is accepted.
        if text == 0:
            return Span(0)
        raise ValueError(f"bad duration {text!r}: add a unit, e.g. {text}m or {text}h")
    compact = text.strip().lower().replace(" ", "")
    if compact in ("0", "immediately"):
        return Span(0)
    if not _WHOLE.fullmatch(compact):
        raise ValueError(f"bad duration {text!r}: write e.g. 15m, 2h, 1d")
    parts = _PART.findall(compact)
    days = sum(int(n) * (7 if u == "w" else 1) for n, u in parts if u in "dw")
    return Span(sum(int(n) * _UNITS[u] for n, u in parts), days)


@lru_cache(maxsize=1024)  # explanations spell the same few limits and ages over and over
def format_duration(seconds: float, *, days: bool = True) -> str:
    """The shortest exact reading of ``seconds``: 900 -> ``15m``, 5400 -> ``1h30m``
    (``days=False``: hours at most, for business time where a day is not 24 hours)."""
    total = round(seconds)
    if total == 0:
        return "0m"
    sign = "-" if total < 0 else ""
    total = abs(total)
    parts = []
    units = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
    for unit, size in units if days else units[1:]:
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)


def human_duration(seconds: float) -> str:
    """A reading for the process document: ``15 min``, ``2 hours``, ``1 day``."""
    total = round(seconds)
    for size, one, many in ((86400, "day", "days"), (3600, "hour", "hours"), (60, "min", "min")):
        if total >= size and total % size == 0:
            count = total // size
            return f"{count} {one if count == 1 else many}"
    return format_duration(total)


def spoken_duration(seconds: float, *, business: bool = False) -> str:
    """A duration as a customer reads it: ``1 hour``, ``2 hours 30 minutes``, ``1 business
    day`` (a policy's whole days on a business clock), at most two units."""
    days = getattr(seconds, "days", 0)
    if business and days and int(seconds) == days * 86400:
        return f"{days} business day{'' if days == 1 else 's'}"
    total = max(0, round(seconds / 60)) * 60
    units = (("day", 86400), ("hour", 3600), ("minute", 60))
    parts = []
    for name, size in units if not business else units[1:]:
        count, total = divmod(total, size)
        if count:
            parts.append(f"{count} {name}{'' if count == 1 else 's'}")
    text = " ".join(parts[:2]) or "less than a minute"
    return text + (" of business time" if business else "")
