"""The one shape every help desk has for the bridge."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from connectors.desk_common import BRIDGE_TAG, ChangeBatch, changed_only_by_bridge
from policies.model import Priority, Ticket

__all__ = [
    "BRIDGE_TAG",
    "ChangeBatch",
    "HelpDesk",
    "changed_only_by_bridge",
]


class HelpDesk(Protocol):
    """Read and write tickets in one help desk.

    Every method may raise the typed errors of ``connectors.http``: ``RetryableError`` (with
    ``retry_after``), ``PermanentError`` or ``AuthError``.
    """

    name: str

    def fetch_ticket(self, ticket_id: str) -> Ticket: ...

    def changes(self, cursor: str | None, now: datetime) -> ChangeBatch: ...

    def add_note(self, ticket_id: str, body: str, *, idempotency_key: str) -> str: ...

    def reply(self, ticket_id: str, body: str, *, idempotency_key: str) -> str: ...

    def update(
        self,
        ticket_id: str,
        *,
        group_id: str | None = None,
        assignee_id: str | None = None,
        priority: Priority | None = None,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
    ) -> None: ...

    def bridge_user_id(self) -> str: ...

    def budget_remaining(self) -> int: ...

    @property
    def calls(self) -> int: ...
