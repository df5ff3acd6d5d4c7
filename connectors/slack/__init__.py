"""Slack: escalation messages with buttons in, clicks and slash commands back."""

from __future__ import annotations

from connectors.base import Endpoint, Reply
from connectors.provider import BuildContext, ProviderSpec, Role
from connectors.slack.client import SlackClient
from connectors.slack.inbound import COMMAND_KIND, SlackActions, SlackCommands
from connectors.slack.notifier import SlackNotifier
from connectors.slack.settings import SlackSettings


def build(settings: SlackSettings, context: BuildContext) -> SlackNotifier:
    if settings.bot_token is None:
        raise ValueError("Slack is not configured: set SLACK_BOT_TOKEN")
    # Never sleep for Slack's per-channel pace: that would hold up every other delivery. A busy
    # channel answers "retry in N s" and the outbox schedules the post then.
    client = SlackClient(
        settings.bot_token.get_secret_value(),
        base_url=settings.api_url,
        clock=lambda: context.clock().timestamp(),
        max_wait=0.0,
    )
    return SlackNotifier(settings, client, context.clock)


SPEC = ProviderSpec(
    name="slack",
    role=Role.CHAT,
    settings=SlackSettings,
    build=build,
    endpoints=(
        Endpoint("/slack/actions", SlackActions(), reply=Reply.EMPTY),
        Endpoint("/slack/commands", SlackCommands(), reply=Reply.COMMAND, kinds=(COMMAND_KIND,)),
    ),
)

__all__ = ["SPEC", "SlackClient", "SlackNotifier", "SlackSettings"]
