"""Opsgenie: pages through the Alert API v2, alert actions back through its Webhook
integration."""

from __future__ import annotations

from connectors.base import Endpoint
from connectors.opsgenie.client import OpsgenieClient
from connectors.opsgenie.inbound import OpsgenieInbound
from connectors.opsgenie.notifier import OpsgenieNotifier
from connectors.opsgenie.settings import OpsgenieSettings
from connectors.provider import BuildContext, ProviderSpec, Role


def build(settings: OpsgenieSettings, context: BuildContext) -> OpsgenieNotifier:
    client = OpsgenieClient(
        settings.api_key_for, base_url=settings.api_url, ca_file=settings.ca_file
    )
    return OpsgenieNotifier(client, public_url=context.public_url)


SPEC = ProviderSpec(
    name="opsgenie",
    role=Role.PAGER,
    settings=OpsgenieSettings,
    build=build,
    endpoints=(Endpoint("/webhooks/opsgenie", OpsgenieInbound()),),
)

__all__ = ["SPEC", "OpsgenieClient", "OpsgenieInbound", "OpsgenieNotifier", "OpsgenieSettings"]
