"""Intercom: webhook notifications in, conversations read and written through the REST API."""

from __future__ import annotations

from connectors.base import Endpoint
from connectors.intercom.client import IntercomDesk
from connectors.intercom.inbound import IntercomInbound
from connectors.intercom.settings import IntercomSettings
from connectors.provider import BuildContext, ProviderSpec, Role


def build(settings: IntercomSettings, context: BuildContext) -> IntercomDesk:
    return IntercomDesk(settings, clock=context.clock, budget_share=context.budget_share)


SPEC = ProviderSpec(
    name="intercom",
    role=Role.DESK,
    settings=IntercomSettings,
    build=build,
    endpoints=(Endpoint("/webhooks/intercom", IntercomInbound()),),
)

__all__ = ["SPEC", "IntercomDesk", "IntercomInbound", "IntercomSettings"]
