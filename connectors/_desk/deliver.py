"""A help desk's outbox actions: notes, replies and updates, through the desk's own methods.

Notes and replies are posted once: the connectors look for the action's marker before posting
again (a response lost after the desk stored the comment must not make a second one). An update
that removes the previous tier's agent first reads who holds the ticket now: delivered after
someone else took it (a retry after an outage, a backlog), it keeps them.
"""

from __future__ import annotations

from connectors.actions import Action, DeskNote, DeskReply, DeskUpdate
from connectors.base import HelpDesk, PermanentError, Reference


def deliver_to_desk(desk: HelpDesk, action: Action) -> Reference:
    ticket_id, key, payload = action.ticket.ticket_id, action.key, action.payload
    if isinstance(payload, DeskNote):
        return {"comment_id": desk.add_note(ticket_id, payload.body, idempotency_key=key)}
    if isinstance(payload, DeskReply):
        return {"comment_id": desk.reply(ticket_id, payload.body, idempotency_key=key)}
    if isinstance(payload, DeskUpdate):
        desk.update(
            ticket_id,
            group_id=payload.group,
            assignee_id=payload.assignee,
            clear_assignee=payload.clear_assignee and still_assigned(desk, ticket_id, payload),
            priority=payload.priority,
            add_tags=payload.add_tags,
            remove_tags=payload.remove_tags,
            status=payload.status,
        )
        return {"updated": True}
    raise PermanentError(f"{desk.name} cannot deliver {action.kind}")


def still_assigned(desk: HelpDesk, ticket_id: str, payload: DeskUpdate) -> bool:
    """Whether the agent an update removes still holds the ticket (an update that does not name
    them clears whoever is assigned)."""
    if payload.previous_assignee is None:
        return True
    return desk.fetch_ticket(ticket_id).assignee_id == payload.previous_assignee
