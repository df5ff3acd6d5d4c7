"""``bridge doctor`` for Slack: the token, the scopes Slack says it has (``X-OAuth-Scopes``)
against the ones the bridge uses, and every channel the policy names: found, and the bot a
member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from connectors.base import Check, CheckStatus, ConnectorError, PolicyNeeds

if TYPE_CHECKING:
    from connectors.slack.notifier import SlackNotifier

# What each scope is for; either of a pair is enough (public or private channels).
NEEDED_SCOPES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("chat:write",), "posting and updating escalation messages"),
    (("commands",), "the /escalate and /escalation commands"),
    (("channels:history", "groups:history"), "finding a message posted before a crash"),
    (("channels:read", "groups:read"), "turning channel names into ids"),
)
MANIFEST = "add it under oauth_config.scopes.bot in the app's manifest, then reinstall the app"


def diagnose(notifier: SlackNotifier, needs: PolicyNeeds) -> Iterator[Check]:
    client = notifier.client
    try:
        identity, granted = client.auth_test()
    except ConnectorError as exc:
        yield Check("slack: token", CheckStatus.FAIL, str(exc), "check SLACK_BOT_TOKEN")
        return
    yield Check(
        "slack: token", CheckStatus.OK, f"bot {identity.get('user')} in {identity.get('team')}"
    )
    for scopes, purpose in NEEDED_SCOPES:
        label = f"slack: scope {' or '.join(scopes)}"
        if granted.intersection(scopes):
            yield Check(label, CheckStatus.OK, purpose)
        else:
            yield Check(label, CheckStatus.FAIL, f"missing: needed for {purpose}", MANIFEST)
    groups = sorted(notifier.authorization.allowed_groups)
    if groups and "usergroups:read" not in granted:
        yield Check(
            "slack: scope usergroups:read",
            CheckStatus.FAIL,
            f"missing: SLACK_ALLOWED_ESCALATORS names user groups ({', '.join(groups)})",
            MANIFEST,
        )
    elif groups:
        yield Check("slack: scope usergroups:read", CheckStatus.OK, "reading allowed user groups")
    channels = set(needs.channels) | (
        {notifier.default_channel} if notifier.default_channel else set()
    )
    if not channels:
        return
    try:
        listed = client.list_channels()
    except ConnectorError as exc:
        yield Check("slack: channels", CheckStatus.FAIL, str(exc), "grant channels:read")
        return
    by_name = {str(c["name"]): c for c in listed} | {str(c["id"]): c for c in listed}
    for channel in sorted(channels):
        found = by_name.get(channel.removeprefix("#"))
        label = f"slack: channel {channel}"
        if found is None:
            yield Check(
                label,
                CheckStatus.FAIL,
                "not found, or archived",
                "create it or change `channels:` in the policy",
            )
        elif not found.get("is_member"):
            yield Check(
                label,
                CheckStatus.FAIL,
                f"{found['id']}: the bot is not a member",
                f"/invite the bot to {channel}",
            )
        else:
            yield Check(label, CheckStatus.OK, f"{found['id']}, the bot is a member")
