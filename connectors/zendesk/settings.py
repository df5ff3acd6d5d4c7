"""Zendesk's settings: API access, the webhook's signing secret, the plan's rate limit."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.provider import HttpUrl, ProviderSettings, WebhookSecret


class ZendeskSettings(ProviderSettings):
    title = "Zendesk"

    subdomain: str | None = Field(None, alias="ZENDESK_SUBDOMAIN")
    email: str | None = Field(None, alias="ZENDESK_EMAIL")
    api_token: SecretStr | None = Field(None, alias="ZENDESK_API_TOKEN")
    webhook_secret: WebhookSecret | None = Field(None, alias="ZENDESK_WEBHOOK_SECRET")
    # Another host for the same API (a proxy, the sandbox); this client only, nothing global.
    url: HttpUrl | None = Field(None, alias="ZENDESK_URL")
    # Requests per minute of the account's plan (Team 200, Growth/Professional 400, ...).
    rate_limit: int = Field(400, alias="ZENDESK_RATE_LIMIT", ge=1)

    @field_validator("subdomain")
    @classmethod
    def _bare_name(cls, value: str | None) -> str | None:
        if value is not None and ("/" in value or "." in value):
            raise ValueError("must be the bare account name, e.g. 'acme' for acme.zendesk.com")
        return value

    @model_validator(mode="after")
    def _all_or_none(self) -> Self:
        credentials = {
            "ZENDESK_SUBDOMAIN": self.subdomain,
            "ZENDESK_EMAIL": self.email,
            "ZENDESK_API_TOKEN": self.api_token,
        }
        missing = [name for name, value in credentials.items() if value is None]
        if missing and len(missing) < len(credentials):
            raise ValueError(f"Zendesk API is partly configured: set {', '.join(missing)}")
        return self

    @property
    def enabled(self) -> bool:
        return self.api_token is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.webhook_secret

    @property
    def canonical_url(self) -> str:
        return f"https://{self.subdomain}.zendesk.com"

    @property
    def base_url(self) -> str:
        return self.url or self.canonical_url

    def detail(self) -> str:
        return self.base_url
