"""The outbox's follow-up task actions, carried out through the ClickUp API.

One task per ticket's root-cause request: created once (a retry after a crash or a lost answer
looks for the task by the marker its description carries before creating another), remembered
by id so ClickUp's webhooks find the ticket, and completed through the id in the sent log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from connectors.actions import Action, ActionKind, FollowUpDone, FollowUpTask
from connectors.base import Check, PermanentError, PolicyNeeds, Reference, SentLog
from connectors.clickup import doctor
from connectors.clickup.builders import (
    BRIDGE_TAG,
    assignee_for,
    build_task,
    done_status,
    made_by,
)
from connectors.clickup.client import ClickUpClient

CACHE_TTL = 900.0  # seconds: a new member or a renamed status is picked up within 15 minutes
PAGE_SIZE = 100  # Get Tasks answers at most 100 tasks a page
LOOKUP_PAGES = 5
# A lost answer is looked for among tasks created since shortly before the action was queued.
LOOKUP_SLACK = timedelta(minutes=5)


class ClickUpNotifier:
    name = "clickup"

    def __init__(
        self,
        client: ClickUpClient,
        list_id: str,
        *,
        assignees: dict[str, int],
        webhook_secret_set: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.list_id = list_id
        self.assignees = assignees
        self.webhook_secret_set = webhook_secret_set
        self._clock = clock
        self._cache: dict[str, tuple[float, Any]] = {}

    def close(self) -> None:
        self.client.close()

    def deliver(self, action: Action, log: SentLog) -> Reference:
        payload = action.payload
        if isinstance(payload, FollowUpTask):
            return self._create(action, payload, log)
        if isinstance(payload, FollowUpDone):
            return self._complete(action, log)
        raise PermanentError(f"ClickUp cannot deliver {action.kind}")

    def _create(self, action: Action, payload: FollowUpTask, log: SentLog) -> Reference:
        if log.reference(action.ticket, ActionKind.TASK_COMPLETE) is not None:
            # The root cause was recorded while this create waited (a retry after an outage):
            # its completion found no task and did nothing, so no task is left open.
            return {"skipped": "the root cause was recorded before the task was made"}
        task = self._earlier(action) if action.attempts > 1 else None
        if task is None:
            user = assignee_for(payload.owner, self.assignees, self.members())
            body = build_task(payload, key=action.key, assignees=[user] if user else [])
            task = self.client.create_task(self.list_id, body)
        task_id = str(task["id"])
        log.remember_object(action.ticket, task_id)
        return {"task_id": task_id, "url": task.get("url"), "list_id": self.list_id}

    def _earlier(self, action: Action) -> dict[str, Any] | None:
        """The task an earlier attempt created, if its answer was lost."""
        since = action.created_at - LOOKUP_SLACK
        params = {
            "tags[]": BRIDGE_TAG,
            "include_closed": "true",
            "include_markdown_description": "true",
            "date_created_gt": int(since.timestamp() * 1000),
        }
        for page in range(LOOKUP_PAGES):
            tasks = self.client.tasks(self.list_id, params, page)
            found = next((t for t in tasks if made_by(t, action.key)), None)
            if found is not None or len(tasks) < PAGE_SIZE:
                return found
        return None

    def _complete(self, action: Action, log: SentLog) -> Reference:
        created = log.reference(action.ticket, ActionKind.TASK_CREATE)
        if created is None or not created.get("task_id"):
            return {"skipped": "no task was created for this ticket"}
        status = self.done_status()
        if status is None:
            raise PermanentError(
                f"ClickUp list {self.list_id} has no closed or done status to complete tasks with"
            )
        task_id = str(created["task_id"])
        self.client.update_task(task_id, {"status": status})
        return {"task_id": task_id, "status": status}

    # -- the list's members and statuses, cached -------------------------------------------------

    def members(self) -> list[dict[str, Any]]:
        return list(self._cached("members", lambda: self.client.members(self.list_id)))

    def done_status(self) -> str | None:
        found = self._cached("list", lambda: self.client.get_list(self.list_id))
        return done_status(found.get("statuses") or [])

    def _cached(self, name: str, load: Callable[[], Any]) -> Any:
        now = self._clock()
        hit = self._cache.get(name)
        if hit is None or now - hit[0] > CACHE_TTL:
            hit = (now, load())
            self._cache[name] = hit
        return hit[1]

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]:
        """``bridge doctor``'s checks (``connectors.clickup.doctor``)."""
        return doctor.diagnose(self, needs)
