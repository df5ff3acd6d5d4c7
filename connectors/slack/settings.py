"""Slack's settings: the bot token, the signing secret, the default channel, who may escalate."""

from __future__ import annotations

from pydantic import Field, SecretStr

from connectors.provider import HttpUrl, ProviderSettings, WebhookSecret

DEFAULT_API_URL = "https://slack.com/api/"


class SlackSettings(ProviderSettings):
    title = "Slack"

    bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    signing_secret: WebhookSecret | None = Field(None, alias="SLACK_SIGNING_SECRET")
    channel: str | None = Field(None, alias="SLACK_CHANNEL")
    api_url: HttpUrl = Field(DEFAULT_API_URL, alias="SLACK_API_URL")
    # Comma-separated Slack user (U…) or user-group (S…) ids who may escalate or resolve.
    allowed_escalators: str | None = Field(None, alias="SLACK_ALLOWED_ESCALATORS")

    @property
    def enabled(self) -> bool:
        return self.bot_token is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.signing_secret

    @property
    def allowed_ids(self) -> frozenset[str]:
        return frozenset(
            item.strip() for item in (self.allowed_escalators or "").split(",") if item.strip()
        )

    def detail(self) -> str:
        return self.channel or "no default channel"
