"""PagerDuty: pages through the Events API v2, incident events back through V3 webhooks."""

from __future__ import annotations

from connectors.base import Endpoint
from connectors.pagerduty.events import PagerDutyEvents
from connectors.pagerduty.inbound import PagerDutyInbound
from connectors.pagerduty.notifier import PagerDutyNotifier
from connectors.pagerduty.settings import PagerDutySettings
from connectors.provider import BuildContext, ProviderSpec, Role


def build(settings: PagerDutySettings, context: BuildContext) -> PagerDutyNotifier:
    events = PagerDutyEvents(
        settings.routing_key_for, base_url=settings.events_url, ca_file=settings.ca_file
    )
    return PagerDutyNotifier(events, public_url=context.public_url)


SPEC = ProviderSpec(
    name="pagerduty",
    role=Role.PAGER,
    settings=PagerDutySettings,
    build=build,
    endpoints=(Endpoint("/webhooks/pagerduty", PagerDutyInbound()),),
)

__all__ = ["SPEC", "PagerDutyEvents", "PagerDutyInbound", "PagerDutyNotifier", "PagerDutySettings"]
