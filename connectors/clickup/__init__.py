"""ClickUp: the root-cause write-up of an escalated ticket as a task, completed both ways
(recorded on the ticket → task closed; task completed in ClickUp → recorded on the ticket)."""

from __future__ import annotations

from connectors.base import Endpoint
from connectors.clickup.client import ClickUpClient
from connectors.clickup.inbound import ClickUpInbound
from connectors.clickup.notifier import ClickUpNotifier
from connectors.clickup.settings import ClickUpSettings
from connectors.provider import BuildContext, ProviderSpec, Role


def build(settings: ClickUpSettings, context: BuildContext) -> ClickUpNotifier:
    if settings.api_token is None or settings.list_id is None:
        raise ValueError("ClickUp is not configured: set CLICKUP_API_TOKEN, CLICKUP_LIST_ID")
    client = ClickUpClient(
        settings.api_token.get_secret_value(),
        base_url=settings.api_url,
        clock=lambda: context.clock().timestamp(),
    )
    return ClickUpNotifier(
        client,
        settings.list_id,
        assignees=settings.assignees,
        webhook_secret_set=settings.webhook_secret is not None,
        clock=lambda: context.clock().timestamp(),
    )


SPEC = ProviderSpec(
    name="clickup",
    role=Role.TASKS,
    settings=ClickUpSettings,
    build=build,
    endpoints=(Endpoint("/webhooks/clickup", ClickUpInbound()),),
)

__all__ = ["SPEC", "ClickUpClient", "ClickUpInbound", "ClickUpNotifier", "ClickUpSettings"]
