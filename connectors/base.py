"""The shapes every help-desk connector shares."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class WebhookHint:
    """What an inbound help-desk webhook says: "ticket N may have changed".

    A webhook is only a hint; the bridge re-reads the ticket from the API before deciding.
    ``event_id`` is the provider's id for this delivery or event when it sends one.
    """

    ticket_id: str
    event_id: str | None = None
    kind: str = "ticket.changed"


class WebhookParseError(ValueError):
    """The body is not a webhook the bridge understands (answered 400)."""


def body_digest(body: bytes) -> str:
    """A stable dedup key for deliveries that carry no id of their own."""
    return "sha256:" + hashlib.sha256(body).hexdigest()
