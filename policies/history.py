"""A ticket's status history, kept from every reading of it.

The desks report part of it themselves (Zendesk's ticket audits, Freshdesk's ``stats`` such as
``pending_since``), and the bridge sees each status whenever it reads the ticket (a webhook, the
sync). ``remember_statuses`` joins what the mirror knew with what the desk says now, so time
spent pending or on hold stays paused after the customer answers, and a reopened ticket is known
to have been solved.
"""

from __future__ import annotations

import dataclasses

from policies.model import Status, StatusChange, Ticket


def remember_statuses(previous: Ticket | None, current: Ticket) -> Ticket:
    """``current`` with every status transition known so far, in time order."""
    changes = list(current.status_history)
    if previous is not None:
        changes += previous.status_history
    changes.sort(key=lambda change: change.at)
    history = _collapse(changes)
    if not history or history[-1].status is not current.status:
        # Seen now and not in the desk's own account: the desk last touched it at updated_at,
        # or, for a ticket first seen still new, it has been so since its creation.
        first_new = not history and current.status is Status.NEW
        at = current.created_at if first_new else current.updated_at
        history.append(StatusChange(max(at, history[-1].at) if history else at, current.status))
    if tuple(history) == current.status_history:
        return current
    return dataclasses.replace(current, status_history=tuple(history))


def _collapse(changes: list[StatusChange]) -> list[StatusChange]:
    """Each change kept only where the status differs from the one before."""
    kept: list[StatusChange] = []
    for change in changes:
        if not kept or kept[-1].status is not change.status:
            kept.append(change)
    return kept
