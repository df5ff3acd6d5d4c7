"""Freshdesk: automation webhooks in, tickets read and written through the REST API v2."""

from __future__ import annotations

from connectors.base import Endpoint
from connectors.freshdesk.client import FreshdeskDesk
from connectors.freshdesk.inbound import FreshdeskInbound
from connectors.freshdesk.settings import FreshdeskSettings
from connectors.provider import BuildContext, ProviderSpec, Role


def build(settings: FreshdeskSettings, context: BuildContext) -> FreshdeskDesk:
    return FreshdeskDesk(settings, clock=context.clock, budget_share=context.budget_share)


SPEC = ProviderSpec(
    name="freshdesk",
    role=Role.DESK,
    settings=FreshdeskSettings,
    build=build,
    endpoints=(Endpoint("/webhooks/freshdesk", FreshdeskInbound()),),
    unassigns=False,  # no documented way to unassign a ticket (sandbox/freshdesk/FACTS.md)
)

__all__ = ["SPEC", "FreshdeskDesk", "FreshdeskInbound", "FreshdeskSettings"]
