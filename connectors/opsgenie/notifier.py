"""The outbox's page actions, carried out through the Opsgenie Alert API.

A trigger creates the ticket's alert with the ticket's incident key as its alias (Opsgenie
adds a repeat to an open alert with that alias instead of opening another, so a retried
create is harmless) through the key the trigger's variable names; acknowledge and close go
by alias through the same key, found in the trigger's recorded reference, and are skipped
when the bridge never paged this ticket through Opsgenie.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from connectors.actions import Action, ActionKind, PageAcknowledge, PageResolve, PageTrigger
from connectors.base import Check, PermanentError, PolicyNeeds, Reference, SentLog
from connectors.opsgenie import doctor
from connectors.opsgenie.builders import build_action, build_create
from connectors.opsgenie.client import OpsgenieClient


class OpsgenieNotifier:
    name = "opsgenie"

    def __init__(self, client: OpsgenieClient, *, public_url: str | None = None) -> None:
        self.client = client
        self.public_url = public_url

    def close(self) -> None:
        self.client.close()

    def diagnose(self, needs: PolicyNeeds, *, send_test: bool = False) -> Iterator[Check]:
        """``bridge doctor``'s checks (``connectors.opsgenie.doctor``)."""
        return doctor.diagnose(self.client, needs, send_test=send_test)

    def deliver(self, action: Action, log: SentLog) -> Reference:
        payload = action.payload
        if isinstance(payload, PageTrigger):
            body = build_create(payload, ticket_page=self._ticket_page(action))
            request_id = self.client.create(payload.routing, body)
            return {
                "dedup_key": body["alias"],
                "key_env": payload.routing,
                "request_id": request_id,
            }
        if not isinstance(payload, PageAcknowledge | PageResolve):
            raise PermanentError(f"Opsgenie cannot deliver {action.kind}")
        page = log.reference(action.ticket, ActionKind.PAGE_TRIGGER)
        if page is None:
            return {"skipped": "no alert was created for this ticket"}
        key_env, alias = str(page["key_env"]), str(page["dedup_key"])
        if isinstance(payload, PageAcknowledge):
            request_id = self.client.acknowledge(key_env, alias, build_action())
        else:
            request_id = self.client.close_alert(key_env, alias, build_action())
        return {"dedup_key": alias, "request_id": request_id}

    def _ticket_page(self, action: Action) -> str | None:
        """The bridge's dashboard page of the ticket, when the bridge knows its public URL."""
        if not self.public_url:
            return None
        ticket = action.ticket
        return f"{self.public_url}/tickets/{quote(ticket.source)}/{quote(ticket.ticket_id)}"
