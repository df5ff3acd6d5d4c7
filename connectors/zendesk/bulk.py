"""Many tickets' notes, replies and updates in one ``update_many`` job (Zendesk's bulk update).

``PUT /api/v2/tickets/update_many`` takes up to 100 ticket objects, each with its own comment,
group, assignee, priority, status and ``additional_tags``/``remove_tags`` (which only bulk
updates honour), and answers with a queued job; ``GET /api/v2/job_statuses/{id}`` then gives
each ticket's result. https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/
https://developer.zendesk.com/api-reference/ticketing/ticket-management/job_statuses/

Only first attempts come here, so a hand-over that removes the previous tier's agent clears the
agent the plan saw just before. A ticket whose result is not known yet (the job still runs) or
failed is retried later through the single path, which finds a note's marker before posting
again and reads who holds the ticket before removing an agent (``connectors._desk.deliver``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connectors._desk.common import with_marker
from connectors.actions import Action, DeskNote, DeskReply, DeskUpdate
from connectors.base import ConnectorError, PermanentError, Reference, RetryableError

BULK_MAX = 100
# The job is read once right after it is queued; if it has not finished, its tickets wait this
# long and are checked one by one.
JOB_PENDING_RETRY = 5.0
Resolve = Callable[[str], str]


def ticket_object(action: Action, group_id: Resolve, agent_id: Resolve) -> dict[str, Any]:
    """The ``update_many`` entry of one action. Raises ``PermanentError`` for an unknown group
    or agent name, as a single update would."""
    payload = action.payload
    entry: dict[str, Any] = {"id": int(action.ticket.ticket_id)}
    if isinstance(payload, DeskNote | DeskReply):
        body = with_marker(payload.body, action.key)
        entry["comment"] = {"body": body, "public": isinstance(payload, DeskReply)}
        return entry
    if not isinstance(payload, DeskUpdate):
        raise PermanentError(f"zendesk cannot bulk-deliver {action.kind}")
    fields: dict[str, Any] = {
        "group_id": int(group_id(payload.group)) if payload.group else None,
        "assignee_id": int(agent_id(payload.assignee)) if payload.assignee else None,
        "priority": payload.priority.value if payload.priority else None,
        "status": payload.status.value if payload.status else None,
        "additional_tags": sorted(payload.add_tags) or None,
        "remove_tags": sorted(payload.remove_tags) or None,
    }
    entry |= {k: v for k, v in fields.items() if v is not None}
    if payload.clear_assignee and not payload.assignee:
        entry["assignee_id"] = None  # nobody assigned, the group kept (D-unassign)
    return entry


def outcomes(
    actions: Sequence[Action], entries: Mapping[int, dict[str, Any] | ConnectorError], job: Any
) -> list[Reference | ConnectorError]:
    """Each action's outcome from the job status (``entries``: the index of each action sent,
    or the error that kept it out of the job)."""
    status = job.get("status") if isinstance(job, Mapping) else None
    job_id = str(job.get("id")) if isinstance(job, Mapping) else ""
    results: dict[str, Mapping[str, Any]] = {}
    if status == "completed":
        for row in job.get("results") or ():
            if isinstance(row, Mapping) and "id" in row:
                results[str(row["id"])] = row
    out: list[Reference | ConnectorError] = []
    for index, action in enumerate(actions):
        entry = entries[index]
        if isinstance(entry, ConnectorError):
            out.append(entry)
            continue
        row = results.get(action.ticket.ticket_id)
        if status != "completed":
            out.append(
                RetryableError(
                    f"Zendesk job {job_id} is {status or 'unknown'}: checked again ticket by "
                    "ticket",
                    retry_after=JOB_PENDING_RETRY,
                )
            )
        elif row is not None and row.get("success") is True:
            out.append({"job_id": job_id, "bulk": True})
        else:
            error = (row or {}).get("error") or "no result for the ticket"
            out.append(RetryableError(f"Zendesk job {job_id}: {error}"))
    return out
