"""Teams' settings: the default channel's Workflows webhook URL (a secret: its ``sig`` is the
credential), other channels' URLs in variables the policy names, the key that signs card links,
and the bridge's public URL those links point to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from pydantic import Field, SecretStr, field_validator

from connectors.provider import HttpUrl, ProviderSettings, WebhookSecret, http_url

WEBHOOK_URL = "TEAMS_WEBHOOK_URL"
_OWN = frozenset({WEBHOOK_URL, "TEAMS_LINK_SECRET", "TEAMS_LINK_HOURS"})


class TeamsSettings(ProviderSettings):
    title = "Microsoft Teams"

    webhook_url: SecretStr | None = Field(None, alias="TEAMS_WEBHOOK_URL")
    link_secret: WebhookSecret | None = Field(None, alias="TEAMS_LINK_SECRET")
    link_hours: int = Field(24, alias="TEAMS_LINK_HOURS", ge=1, le=24 * 7)
    public_url: HttpUrl | None = Field(None, alias="BRIDGE_PUBLIC_URL")
    # Further channels' webhook URLs a policy names by variable (teams_channels).
    webhook_urls: dict[str, SecretStr] = Field(default_factory=dict, exclude=True)

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            http_url(value.get_secret_value())
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        others = [name for name in environ if name.startswith("TEAMS_") and name not in _OWN]
        urls = {name: SecretStr(value) for name, value in cls.pick(environ, others).items()}
        return super().from_env(environ).model_copy(update={"webhook_urls": urls})

    def webhook_url_for(self, name: str) -> str | None:
        """The URL held by the variable ``name`` (the policy names variables, never URLs)."""
        found = self.webhook_url if name == WEBHOOK_URL else self.webhook_urls.get(name)
        return found.get_secret_value() if found else None

    @property
    def enabled(self) -> bool:
        return self.webhook_url is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.link_secret

    @property
    def links(self) -> bool:
        """Cards carry action links only when they can be signed and point somewhere."""
        return self.link_secret is not None and self.public_url is not None

    def detail(self) -> str:
        return (
            "action links on"
            if self.links
            else "no action links (set BRIDGE_PUBLIC_URL and TEAMS_LINK_SECRET)"
        )

    def secret_values(self) -> list[str]:
        extra = [url.get_secret_value() for url in self.webhook_urls.values()]
        return super().secret_values() + [value for value in extra if value]
