"""Statuspage's settings: the API key, the page incidents go to, and the API's base URL."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from connectors.provider import HttpUrl, ProviderSettings

DEFAULT_API_URL = "https://api.statuspage.io/v1"


class StatuspageSettings(ProviderSettings):
    title = "Statuspage"

    api_key: SecretStr | None = Field(None, alias="STATUSPAGE_API_KEY")
    page_id: str | None = Field(None, alias="STATUSPAGE_PAGE_ID")
    api_url: HttpUrl = Field(DEFAULT_API_URL, alias="STATUSPAGE_API_URL")

    @model_validator(mode="after")
    def _both_or_none(self) -> Self:
        if (self.api_key is None) != (self.page_id is None):
            missing = "STATUSPAGE_PAGE_ID" if self.page_id is None else "STATUSPAGE_API_KEY"
            raise ValueError(f"Statuspage is partly configured: set {missing}")
        return self

    @property
    def enabled(self) -> bool:
        return self.api_key is not None and self.page_id is not None

    def detail(self) -> str:
        return f"page {self.page_id}"
