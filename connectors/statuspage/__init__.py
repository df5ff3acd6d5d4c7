"""Statuspage: public incidents for outages the policy names (no inbound: it calls nobody)."""

from __future__ import annotations

from connectors.provider import BuildContext, ProviderSpec, Role
from connectors.statuspage.client import StatuspageClient
from connectors.statuspage.notifier import StatuspageNotifier
from connectors.statuspage.settings import StatuspageSettings


def build(settings: StatuspageSettings, context: BuildContext) -> StatuspageNotifier:
    if settings.api_key is None or settings.page_id is None:
        raise ValueError("Statuspage is not configured: set STATUSPAGE_API_KEY, STATUSPAGE_PAGE_ID")
    client = StatuspageClient(
        settings.api_key.get_secret_value(),
        settings.page_id,
        base_url=settings.api_url,
        clock=lambda: context.clock().timestamp(),
    )
    return StatuspageNotifier(client, clock=lambda: context.clock().timestamp())


SPEC = ProviderSpec(
    name="statuspage", role=Role.STATUS, settings=StatuspageSettings, build=build, endpoints=()
)

__all__ = ["SPEC", "StatuspageClient", "StatuspageNotifier", "StatuspageSettings"]
