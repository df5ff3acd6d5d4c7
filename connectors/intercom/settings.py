"""Intercom's settings: the access token, the app's client secret (webhook signatures), the
admin the bridge writes as, the base URL and the rate limit."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from connectors.provider import HttpUrl, ProviderSettings
from policies.model import Priority

DEFAULT_URL = "https://api.intercom.io"
# A private app may make 10,000 calls a minute (Intercom "Rate limiting"; FACTS.md I-ratelimit).
DEFAULT_RATE_LIMIT = 10_000
# The REST API version the connector is written against; sent on every call.
API_VERSION = "2.11"


class IntercomSettings(ProviderSettings):
    title = "Intercom"

    access_token: SecretStr | None = Field(None, alias="INTERCOM_ACCESS_TOKEN")
    client_secret: SecretStr | None = Field(None, alias="INTERCOM_CLIENT_SECRET")
    # Notes, replies, tags and assignments are made "by" an admin: the bridge's own teammate.
    admin_id: str | None = Field(None, alias="INTERCOM_ADMIN_ID", pattern=r"^\d+$")
    url: HttpUrl | None = Field(None, alias="INTERCOM_URL")
    rate_limit: int = Field(DEFAULT_RATE_LIMIT, alias="INTERCOM_RATE_LIMIT", ge=1)
    # Intercom's priority is one flag: what a flagged conversation means to this team.
    priority_flag: Literal["urgent", "high"] = Field("high", alias="INTERCOM_PRIORITY_FLAG")

    @model_validator(mode="after")
    def _admin_with_token(self) -> Self:
        if self.access_token is not None and self.admin_id is None:
            raise ValueError(
                "Intercom is partly configured: set INTERCOM_ADMIN_ID "
                "(the admin the bridge writes notes as)"
            )
        return self

    @property
    def enabled(self) -> bool:
        return self.access_token is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.client_secret

    @property
    def base_url(self) -> str:
        return (self.url or DEFAULT_URL).rstrip("/")

    @property
    def flagged(self) -> Priority:
        return Priority(self.priority_flag)

    def detail(self) -> str:
        return self.base_url
