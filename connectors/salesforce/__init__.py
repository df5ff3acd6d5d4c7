"""Salesforce Service Cloud: Outbound Messages in, Cases read and written through the REST API."""

from __future__ import annotations

from connectors.base import Endpoint, Reply
from connectors.provider import BuildContext, ProviderSpec, Role
from connectors.salesforce.client import SalesforceDesk
from connectors.salesforce.inbound import SalesforceInbound
from connectors.salesforce.settings import SalesforceSettings


def build(settings: SalesforceSettings, context: BuildContext) -> SalesforceDesk:
    return SalesforceDesk(settings, clock=context.clock, budget_share=context.budget_share)


SPEC = ProviderSpec(
    name="salesforce",
    role=Role.DESK,
    settings=SalesforceSettings,
    build=build,
    endpoints=(Endpoint("/webhooks/salesforce", SalesforceInbound(), reply=Reply.SOAP_ACK),),
)

__all__ = ["SPEC", "SalesforceDesk", "SalesforceInbound", "SalesforceSettings"]
