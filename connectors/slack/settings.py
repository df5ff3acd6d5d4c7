"""Slack's settings: the bot token, the signing secret, the default channel, who may escalate."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

from connectors.provider import HttpUrl, ProviderSettings, WebhookSecret

DEFAULT_API_URL = "https://slack.com/api/"
_USER = re.compile(r"[UW][A-Z0-9]{2,}")
_GROUP = re.compile(r"S[A-Z0-9]{2,}")


def _items(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


class SlackSettings(ProviderSettings):
    title = "Slack"

    bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    signing_secret: WebhookSecret | None = Field(None, alias="SLACK_SIGNING_SECRET")
    channel: str | None = Field(None, alias="SLACK_CHANNEL")
    api_url: HttpUrl = Field(DEFAULT_API_URL, alias="SLACK_API_URL")
    # Comma-separated Slack user (U…, W…) or user-group (S…) ids who may escalate, take
    # ownership, resolve or publish; empty: everyone in the workspace.
    allowed_escalators: str | None = Field(None, alias="SLACK_ALLOWED_ESCALATORS")
    # The workspace and app whose clicks and commands count (default: the bot token's
    # workspace from auth.test; the app is checked only when set).
    team_id: str | None = Field(None, alias="SLACK_TEAM_ID")
    app_id: str | None = Field(None, alias="SLACK_APP_ID")

    @field_validator("allowed_escalators")
    @classmethod
    def _ids(cls, value: str | None) -> str | None:
        for item in _items(value):
            if not _USER.fullmatch(item) and not _GROUP.fullmatch(item):
                raise ValueError(
                    f"{item!r} is neither a Slack user id (U…, W…) nor a user-group id (S…); "
                    "names and e-mails do not work here"
                )
        return value

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.signing_secret

    @property
    def allowed_users(self) -> frozenset[str]:
        return frozenset(i for i in _items(self.allowed_escalators) if _USER.fullmatch(i))

    @property
    def allowed_groups(self) -> frozenset[str]:
        return frozenset(i for i in _items(self.allowed_escalators) if _GROUP.fullmatch(i))

    @property
    def restricts_people(self) -> bool:
        return bool(_items(self.allowed_escalators))

    def detail(self) -> str:
        return self.channel or "no default channel"
