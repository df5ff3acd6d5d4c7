"""Freshdesk's settings: API access, the automation webhook's password, plan limit, statuses."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.freshdesk.limits import PLANS, Plan
from connectors.freshdesk.mapping import parse_status_map
from connectors.provider import HttpUrl, ProviderSettings, WebhookSecret
from policies.model import Status


class FreshdeskSettings(ProviderSettings):
    title = "Freshdesk"

    domain: str | None = Field(None, alias="FRESHDESK_DOMAIN")
    api_key: SecretStr | None = Field(None, alias="FRESHDESK_API_KEY")
    webhook_secret: WebhookSecret | None = Field(None, alias="FRESHDESK_WEBHOOK_SECRET")
    url: HttpUrl | None = Field(None, alias="FRESHDESK_URL")
    # The plan: its account limit and its per-endpoint limits (growth, pro, enterprise, trial).
    plan: Literal["growth", "pro", "enterprise", "trial"] = Field("growth", alias="FRESHDESK_PLAN")
    # Requests per minute of the account, when not the plan's (more bought from Freshdesk).
    rate_limit: int | None = Field(None, alias="FRESHDESK_RATE_LIMIT", ge=1)
    # Custom statuses (ids 6 and up) onto the shared ones, e.g. "6=pending,7=hold".
    status_map: str | None = Field(None, alias="FRESHDESK_STATUS_MAP")

    @field_validator("domain")
    @classmethod
    def _bare_name(cls, value: str | None) -> str | None:
        if value is not None and ("/" in value or "." in value):
            raise ValueError("must be the bare account name, e.g. 'acme' for acme.freshdesk.com")
        return value

    @field_validator("status_map")
    @classmethod
    def _status_map(cls, value: str | None) -> str | None:
        if value is not None:
            parse_status_map(value)
        return value

    @model_validator(mode="after")
    def _all_or_none(self) -> Self:
        if (self.domain is None) != (self.api_key is None):
            missing = "FRESHDESK_DOMAIN" if self.domain is None else "FRESHDESK_API_KEY"
            raise ValueError(f"Freshdesk API is partly configured: set {missing}")
        return self

    @property
    def enabled(self) -> bool:
        return self.api_key is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.webhook_secret

    @property
    def base_url(self) -> str:
        return (self.url or f"https://{self.domain}.freshdesk.com").rstrip("/")

    @property
    def limits(self) -> Plan:
        preset = PLANS[self.plan]
        return Plan(self.rate_limit or preset.total, preset.endpoints)

    @property
    def statuses(self) -> dict[int, Status]:
        return parse_status_map(self.status_map or "")

    def detail(self) -> str:
        return self.base_url
