"""Zendesk: webhooks in, tickets read and written through zenpy."""

from __future__ import annotations

from connectors.base import Endpoint
from connectors.provider import BuildContext, ProviderSpec, Role
from connectors.zendesk.client import ZendeskDesk
from connectors.zendesk.inbound import ZendeskInbound
from connectors.zendesk.settings import ZendeskSettings


def build(settings: ZendeskSettings, context: BuildContext) -> ZendeskDesk:
    return ZendeskDesk(settings, clock=context.clock, budget_share=context.budget_share)


SPEC = ProviderSpec(
    name="zendesk",
    role=Role.DESK,
    settings=ZendeskSettings,
    build=build,
    endpoints=(Endpoint("/webhooks/zendesk", ZendeskInbound()),),
)

__all__ = ["SPEC", "ZendeskDesk", "ZendeskInbound", "ZendeskSettings"]
