"""What every signed inbound request shares: a timestamp window. Pure."""

from __future__ import annotations

from datetime import timedelta

from connectors.base import SignatureError

MAX_AGE = timedelta(minutes=5)
# The sender's clock and ours may disagree slightly; a larger lead than this is treated as forged.
ALLOWED_CLOCK_SKEW = timedelta(seconds=60)


def check_age(age: timedelta, max_age: timedelta = MAX_AGE) -> None:
    if age > max_age:
        raise SignatureError("timestamp is older than 5 minutes (replay?)")
    if age < -ALLOWED_CLOCK_SKEW:
        raise SignatureError("timestamp is in the future")
