"""PagerDuty's settings: routing keys (the default and any a policy names), the V3 webhook
secret, the Events API URL and the CA bundle to trust."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Self

from pydantic import AliasChoices, Field, SecretStr

from connectors.provider import HttpUrl, ProviderSettings, WebhookSecret

DEFAULT_EVENTS_URL = "https://events.pagerduty.com"
ROUTING_KEY = "PAGERDUTY_ROUTING_KEY"


class PagerDutySettings(ProviderSettings):
    title = "PagerDuty"

    routing_key: SecretStr | None = Field(None, alias="PAGERDUTY_ROUTING_KEY")
    webhook_secret: WebhookSecret | None = Field(None, alias="PAGERDUTY_WEBHOOK_SECRET")
    events_url: HttpUrl = Field(DEFAULT_EVENTS_URL, alias="PAGERDUTY_EVENTS_URL")
    # V3 signatures cover no timestamp: an event older than this is answered 202 and ignored, so
    # a captured delivery cannot be replayed once its event id has left the inbox. PagerDuty
    # retries failed deliveries for up to 48 h (2880 minutes): a longer bridge outage than this
    # window loses the events it held back (each one logged).
    webhook_max_age: int = Field(5, alias="PAGERDUTY_WEBHOOK_MAX_AGE_MINUTES", ge=1, le=2880)
    ca_file: str | None = Field(
        None, validation_alias=AliasChoices("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    )
    # Further routing keys a policy names by variable (pagerduty_keys), read with the rest.
    routing_keys: dict[str, SecretStr] = Field(default_factory=dict, exclude=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        known = set(cls.env_names())
        others = [name for name in environ if name.startswith("PAGERDUTY_") and name not in known]
        keys = {name: SecretStr(value) for name, value in cls.pick(environ, others).items()}
        return super().from_env(environ).model_copy(update={"routing_keys": keys})

    def routing_key_for(self, name: str) -> str | None:
        """The key held by the variable ``name`` (the policy names variables, never keys)."""
        if name == ROUTING_KEY:
            return self.routing_key.get_secret_value() if self.routing_key else None
        key = self.routing_keys.get(name)
        return key.get_secret_value() if key else None

    @property
    def enabled(self) -> bool:
        return self.routing_key is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.webhook_secret

    @property
    def event_max_age(self) -> timedelta:
        return timedelta(minutes=self.webhook_max_age)

    def detail(self) -> str:
        return self.events_url

    def secret_values(self) -> list[str]:
        extra = [key.get_secret_value() for key in self.routing_keys.values()]
        return super().secret_values() + [value for value in extra if value]
