"""Help Scout's settings: the OAuth2 app (client credentials), the webhook secret the bridge
chooses, the base URL and the account's rate limit."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from connectors.provider import HttpUrl, ProviderSettings, WebhookSecret

DEFAULT_URL = "https://api.helpscout.net"
# Where people open a conversation (FACTS.md H-conversation: ``/conversation/<id>/<number>/``).
WEB_URL = "https://secure.helpscout.net"
# The Mailbox API's per-minute limit for the account; writes count double (FACTS.md H-ratelimit).
DEFAULT_RATE_LIMIT = 200


class HelpScoutSettings(ProviderSettings):
    title = "Help Scout"

    app_id: str | None = Field(None, alias="HELPSCOUT_APP_ID")
    app_secret: SecretStr | None = Field(None, alias="HELPSCOUT_APP_SECRET")
    # Chosen by the operator, at most 40 characters (H-webhooks); ``bridge setup`` sends it.
    webhook_secret: WebhookSecret | None = Field(None, alias="HELPSCOUT_WEBHOOK_SECRET")
    url: HttpUrl | None = Field(None, alias="HELPSCOUT_URL")
    rate_limit: int = Field(DEFAULT_RATE_LIMIT, alias="HELPSCOUT_RATE_LIMIT", ge=1)

    @model_validator(mode="after")
    def _pairs(self) -> Self:
        if (self.app_id is None) != (self.app_secret is None):
            raise ValueError(
                "Help Scout is partly configured: set both HELPSCOUT_APP_ID and "
                "HELPSCOUT_APP_SECRET (the app's ID and secret, Your Profile > My Apps)"
            )
        secret = self.webhook_secret
        if secret is not None and len(secret.get_secret_value()) > 40:
            raise ValueError("HELPSCOUT_WEBHOOK_SECRET: Help Scout takes at most 40 characters")
        return self

    @property
    def enabled(self) -> bool:
        return self.app_id is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.webhook_secret

    @property
    def base_url(self) -> str:
        return (self.url or DEFAULT_URL).rstrip("/")

    @property
    def web_url(self) -> str:
        return WEB_URL if self.url is None else self.base_url

    def detail(self) -> str:
        return self.base_url
