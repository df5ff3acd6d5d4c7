"""Help Scout: signed webhooks in, conversations read and written through the Mailbox API 2.0."""

from __future__ import annotations

from connectors.base import Endpoint
from connectors.helpscout.client import HelpScoutDesk
from connectors.helpscout.inbound import HelpScoutInbound
from connectors.helpscout.settings import HelpScoutSettings
from connectors.provider import BuildContext, ProviderSpec, Role


def build(settings: HelpScoutSettings, context: BuildContext) -> HelpScoutDesk:
    return HelpScoutDesk(settings, clock=context.clock, budget_share=context.budget_share)


SPEC = ProviderSpec(
    name="helpscout",
    role=Role.DESK,
    settings=HelpScoutSettings,
    build=build,
    endpoints=(Endpoint("/webhooks/helpscout", HelpScoutInbound()),),
)

__all__ = ["SPEC", "HelpScoutDesk", "HelpScoutInbound", "HelpScoutSettings"]
