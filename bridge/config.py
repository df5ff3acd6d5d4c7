"""Settings from the environment (and a ``.env`` file), validated once at start.

Secrets are ``SecretStr``: their ``repr``/``str`` never shows the value, so a settings object can be
logged or shown in an error safely. A help desk or notifier is enabled when its credentials are set.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from connectors.freshdesk_mapping import parse_status_map

ENV_NAMES: dict[str, str] = {
    "database_url": "DATABASE_URL",
    "policy_path": "BRIDGE_POLICY",
    "templates_dir": "BRIDGE_TEMPLATES",
    "admin_token": "BRIDGE_ADMIN_TOKEN",
    "log_format": "BRIDGE_LOG_FORMAT",
    "log_level": "BRIDGE_LOG_LEVEL",
    "sweep_seconds": "BRIDGE_SWEEP_SECONDS",
    "sync_seconds": "BRIDGE_SYNC_SECONDS",
    "worker_id": "BRIDGE_WORKER_ID",
    "zendesk_subdomain": "ZENDESK_SUBDOMAIN",
    "zendesk_email": "ZENDESK_EMAIL",
    "zendesk_api_token": "ZENDESK_API_TOKEN",
    "zendesk_webhook_secret": "ZENDESK_WEBHOOK_SECRET",
    "zendesk_url": "ZENDESK_URL",
    "zendesk_rate_limit": "ZENDESK_RATE_LIMIT",
    "freshdesk_domain": "FRESHDESK_DOMAIN",
    "freshdesk_api_key": "FRESHDESK_API_KEY",
    "freshdesk_webhook_secret": "FRESHDESK_WEBHOOK_SECRET",
    "freshdesk_url": "FRESHDESK_URL",
    "freshdesk_rate_limit": "FRESHDESK_RATE_LIMIT",
    "freshdesk_status_map": "FRESHDESK_STATUS_MAP",
    "api_budget_share": "BRIDGE_API_BUDGET_SHARE",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_channel": "SLACK_CHANNEL",
    "slack_api_url": "SLACK_API_URL",
    "slack_allowed": "SLACK_ALLOWED_ESCALATORS",
    "pagerduty_routing_key": "PAGERDUTY_ROUTING_KEY",
    "pagerduty_webhook_secret": "PAGERDUTY_WEBHOOK_SECRET",
    "pagerduty_events_url": "PAGERDUTY_EVENTS_URL",
}

# Credentials that only make sense together: a partial set is a configuration error.
CREDENTIAL_GROUPS: dict[str, tuple[str, ...]] = {
    "Zendesk API": ("zendesk_subdomain", "zendesk_email", "zendesk_api_token"),
    "Freshdesk API": ("freshdesk_domain", "freshdesk_api_key"),
}


class ConfigError(Exception):
    """Invalid configuration; the message names the environment variable(s) to fix."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str | None = None
    policy_path: str | None = None
    templates_dir: str | None = None  # a folder whose templates replace the shipped ones by name
    admin_token: SecretStr | None = None
    log_format: str | None = None
    log_level: str = "INFO"
    sweep_seconds: float = 5.0
    sync_seconds: float = 60.0
    # A stable name lets a restarted worker take its lease and its claimed actions back at once.
    worker_id: str | None = None

    zendesk_subdomain: str | None = None
    zendesk_email: str | None = None
    zendesk_api_token: SecretStr | None = None
    zendesk_webhook_secret: SecretStr | None = None
    zendesk_url: str | None = None
    zendesk_rate_limit: int = 400  # requests/min of the account's plan (Team 200, Growth 400, …)

    freshdesk_domain: str | None = None
    freshdesk_api_key: SecretStr | None = None
    freshdesk_webhook_secret: SecretStr | None = None
    freshdesk_url: str | None = None
    freshdesk_rate_limit: int = 200  # requests/min of the plan
    freshdesk_status_map: str | None = None  # custom statuses, e.g. "6=pending,7=hold"
    api_budget_share: float = 0.5  # the share of each plan's limit the bridge may use

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_channel: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_allowed: str | None = None  # comma-separated Slack user (U…) or user-group (S…) ids

    pagerduty_routing_key: SecretStr | None = None
    pagerduty_webhook_secret: SecretStr | None = None
    pagerduty_events_url: str = "https://events.pagerduty.com"

    @field_validator("zendesk_url", "freshdesk_url", "slack_api_url", "pagerduty_events_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if not value.endswith("/api/") else value

    @field_validator("zendesk_subdomain", "freshdesk_domain")
    @classmethod
    def _bare_name(cls, value: str | None) -> str | None:
        if value is not None and ("/" in value or "." in value):
            raise ValueError("must be the bare account name, e.g. 'acme' for acme.zendesk.com")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a SQLAlchemy database URL") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite and postgresql are supported")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str | None) -> str | None:
        if value is not None and value not in ("json", "text"):
            raise ValueError("must be 'json' or 'text'")
        return value

    @field_validator("zendesk_rate_limit", "freshdesk_rate_limit")
    @classmethod
    def _rate(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be the plan's requests per minute, at least 1")
        return value

    @field_validator("api_budget_share")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 < value <= 1:
            raise ValueError("must be a fraction above 0 and at most 1, e.g. 0.5")
        return value

    @field_validator("freshdesk_status_map")
    @classmethod
    def _status_map(cls, value: str | None) -> str | None:
        if value is not None:
            parse_status_map(value)
        return value

    @field_validator("templates_dir")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_dir():
            raise ValueError("is not a folder")
        return value

    @field_validator("sweep_seconds", "sync_seconds")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number of seconds")
        return value

    # -- what is enabled ---------------------------------------------------------------------
    @property
    def zendesk_enabled(self) -> bool:
        return self.zendesk_api_token is not None

    @property
    def freshdesk_enabled(self) -> bool:
        return self.freshdesk_api_key is not None

    @property
    def slack_enabled(self) -> bool:
        return self.slack_bot_token is not None

    @property
    def pagerduty_enabled(self) -> bool:
        return self.pagerduty_routing_key is not None

    @property
    def slack_allowed_ids(self) -> frozenset[str]:
        return frozenset(i.strip() for i in (self.slack_allowed or "").split(",") if i.strip())

    @property
    def zendesk_base_url(self) -> str:
        return self.zendesk_url or f"https://{self.zendesk_subdomain}.zendesk.com"

    @property
    def freshdesk_base_url(self) -> str:
        return self.freshdesk_url or f"https://{self.freshdesk_domain}.freshdesk.com"

    def describe(self) -> list[str]:
        """One line per integration saying whether it is configured (no secret values)."""

        def state(on: bool, detail: str = "") -> str:
            return ("configured" + (f" ({detail})" if detail and on else "")) if on else "off"

        return [
            f"Zendesk: {state(self.zendesk_enabled, self.zendesk_base_url)}",
            f"Freshdesk: {state(self.freshdesk_enabled, self.freshdesk_base_url)}",
            f"Slack: {state(self.slack_enabled, self.slack_channel or 'no default channel')}",
            f"PagerDuty: {state(self.pagerduty_enabled, self.pagerduty_events_url)}",
        ]

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read and validate; a ``ConfigError`` names every bad variable."""
        values: dict[str, Any] = {}
        for field_name, env_name in ENV_NAMES.items():
            raw = environ.get(env_name)
            if raw is not None and raw.strip() != "":
                values[field_name] = raw.strip()
        return cls.validated(values)

    @classmethod
    def validated(cls, values: Mapping[str, Any]) -> Settings:
        try:
            settings = cls(**values)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                field_name = str(error["loc"][0]) if error["loc"] else ""
                name = ENV_NAMES.get(field_name, field_name)
                problems.append(f"{name}: {error['msg']}")
            raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
        settings._check_groups()
        return settings

    def _check_groups(self) -> None:
        for label, group in CREDENTIAL_GROUPS.items():
            present = [name for name in group if getattr(self, name) is not None]
            if present and len(present) != len(group):
                missing = [ENV_NAMES[name] for name in group if name not in present]
                raise ConfigError(f"{label} is partly configured: set {', '.join(missing)}")

    def secret_values(self) -> list[str]:
        """Every secret value, for the log redaction filter."""
        return [
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr) and value.get_secret_value()
        ]
