"""Opsgenie's settings: API keys (the default and any a policy names), the inbound webhook's
secret, the API's base URL (US, EU or a stand-in) and the CA bundle to trust."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from pydantic import AliasChoices, Field, SecretStr

from connectors.provider import HttpUrl, ProviderSettings

US_API_URL = "https://api.opsgenie.com"
EU_API_URL = "https://api.eu.opsgenie.com"
API_KEY = "OPSGENIE_API_KEY"


class OpsgenieSettings(ProviderSettings):
    title = "Opsgenie"
    page_noun = "alert"  # an Opsgenie "incident" is another thing

    api_key: SecretStr | None = Field(None, alias="OPSGENIE_API_KEY")
    webhook_secret: SecretStr | None = Field(None, alias="OPSGENIE_WEBHOOK_SECRET")
    api_url: HttpUrl = Field(US_API_URL, alias="OPSGENIE_API_URL")
    ca_file: str | None = Field(
        None, validation_alias=AliasChoices("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    )
    # Further API keys a policy names by variable (opsgenie_keys), read with the rest.
    api_keys: dict[str, SecretStr] = Field(default_factory=dict, exclude=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        known = set(cls.env_names())
        others = [name for name in environ if name.startswith("OPSGENIE_") and name not in known]
        keys = {name: SecretStr(value) for name, value in cls.pick(environ, others).items()}
        return super().from_env(environ).model_copy(update={"api_keys": keys})

    def api_key_for(self, name: str) -> str | None:
        """The key held by the variable ``name`` (the policy names variables, never keys)."""
        if name == API_KEY:
            return self.api_key.get_secret_value() if self.api_key else None
        key = self.api_keys.get(name)
        return key.get_secret_value() if key else None

    @property
    def enabled(self) -> bool:
        return self.api_key is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.webhook_secret

    def detail(self) -> str:
        return self.api_url

    def secret_values(self) -> list[str]:
        extra = [key.get_secret_value() for key in self.api_keys.values()]
        return super().secret_values() + [value for value in extra if value]
