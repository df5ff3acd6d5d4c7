"""Microsoft Teams: Adaptive Cards through Workflows webhooks out, confirmed card links back."""

from __future__ import annotations

from connectors.base import Endpoint, Reply
from connectors.provider import BuildContext, ProviderSpec, Role
from connectors.teams.client import TeamsClient
from connectors.teams.inbound import TeamsActions
from connectors.teams.notifier import ACTIONS_PATH, TeamsNotifier
from connectors.teams.settings import TeamsSettings


def build(settings: TeamsSettings, context: BuildContext) -> TeamsNotifier:
    client = TeamsClient(settings.webhook_url_for, clock=lambda: context.clock().timestamp())
    return TeamsNotifier(
        settings, client, context.clock, people_restricted=context.people_restricted
    )


SPEC = ProviderSpec(
    name="teams",
    role=Role.CHAT,
    settings=TeamsSettings,
    build=build,
    endpoints=(Endpoint(ACTIONS_PATH, TeamsActions(), reply=Reply.PAGE),),
)

__all__ = ["SPEC", "TeamsActions", "TeamsClient", "TeamsNotifier", "TeamsSettings"]
