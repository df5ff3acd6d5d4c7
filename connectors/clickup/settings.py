"""ClickUp's settings: the personal token, the list follow-up tasks go to, the webhook's secret
(inbound), who is who (desk owners to ClickUp user ids) and the API's base URL."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from connectors.provider import HttpUrl, ProviderSettings

DEFAULT_API_URL = "https://api.clickup.com/api/v2"


def parse_assignees(text: str) -> dict[str, int]:
    """``"ana@example.com=183, Platform team=184"``: an owner as the bridge names them (an
    e-mail, an agent's or a team's name; compared case-insensitively) to a ClickUp user id."""
    found: dict[str, int] = {}
    for entry in text.split(","):
        if not entry.strip():
            continue
        owner, sep, user = entry.rpartition("=")
        if not sep or not owner.strip() or not user.strip().isdigit():
            raise ValueError(f"{entry.strip()!r} is not owner=clickup-user-id")
        found[owner.strip().casefold()] = int(user)
    return found


class ClickUpSettings(ProviderSettings):
    title = "ClickUp"

    api_token: SecretStr | None = Field(None, alias="CLICKUP_API_TOKEN")
    list_id: str | None = Field(None, alias="CLICKUP_LIST_ID")
    webhook_secret: SecretStr | None = Field(None, alias="CLICKUP_WEBHOOK_SECRET")
    # Needed by ``bridge setup clickup`` only when the token sees several workspaces.
    team_id: str | None = Field(None, alias="CLICKUP_TEAM_ID")
    assignees: dict[str, int] = Field(default_factory=dict, alias="CLICKUP_ASSIGNEES")
    api_url: HttpUrl = Field(DEFAULT_API_URL, alias="CLICKUP_API_URL")

    @field_validator("assignees", mode="before")
    @classmethod
    def _assignees(cls, value: object) -> object:
        return parse_assignees(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _both_or_none(self) -> Self:
        if (self.api_token is None) != (self.list_id is None):
            missing = "CLICKUP_LIST_ID" if self.list_id is None else "CLICKUP_API_TOKEN"
            raise ValueError(f"ClickUp is partly configured: set {missing}")
        return self

    @property
    def enabled(self) -> bool:
        return self.api_token is not None and self.list_id is not None

    @property
    def inbound_secret(self) -> SecretStr | None:
        return self.webhook_secret

    def detail(self) -> str:
        back = "completions come back" if self.webhook_secret else "no webhook secret"
        return f"list {self.list_id}, {back}"
