"""The outbox's page actions, carried out through the PagerDuty Events API v2.

A trigger names the variable of its routing key; acknowledge and resolve go through the key
that opened the alert, found in the trigger's recorded reference (PagerDuty drops them
otherwise), and are skipped when the bridge never paged for the ticket.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from connectors.actions import Action, ActionKind, PageAcknowledge, PageResolve, PageTrigger
from connectors.base import Check, PermanentError, PolicyNeeds, Reference, SentLog
from connectors.pagerduty import doctor
from connectors.pagerduty.events import PagerDutyEvents, build_trigger


class PagerDutyNotifier:
    name = "pagerduty"

    def __init__(self, events: PagerDutyEvents, *, public_url: str | None = None) -> None:
        self.events = events
        self.public_url = public_url

    def close(self) -> None:
        self.events.close()

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]:
        """``bridge doctor``'s checks (``connectors.pagerduty.doctor``)."""
        return doctor.diagnose(self, needs, send_test=send_test)

    def deliver(self, action: Action, log: SentLog) -> Reference:
        payload = action.payload
        if isinstance(payload, PageTrigger):
            event = build_trigger(
                payload, timestamp=action.created_at, client_url=self._ticket_page(action)
            )
            key = self.events.trigger(payload.routing, event)
            return {"dedup_key": key, "routing_key_env": payload.routing}
        if not isinstance(payload, PageAcknowledge | PageResolve):
            raise PermanentError(f"PagerDuty cannot deliver {action.kind}")
        page = log.reference(action.ticket, ActionKind.PAGE_TRIGGER)
        if page is None:
            return {"skipped": "no page was sent for this ticket"}
        send = (
            self.events.acknowledge if isinstance(payload, PageAcknowledge) else self.events.resolve
        )
        return {"dedup_key": send(page["routing_key_env"], payload.dedup_key)}

    def _ticket_page(self, action: Action) -> str | None:
        """The bridge's dashboard page of the ticket, when the bridge knows its public URL."""
        if not self.public_url:
            return None
        ticket = action.ticket
        return f"{self.public_url}/tickets/{quote(ticket.source)}/{quote(ticket.ticket_id)}"
