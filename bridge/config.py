"""Settings from the environment (and a ``.env`` file), validated once at start.

The process's own settings are here; each provider's live with the provider
(``connectors/<name>/settings.py``) and are read from the same environment. Secrets are
``SecretStr``: their ``repr``/``str`` never shows the value, so settings can be logged or shown in
an error safely. A provider is enabled when its credentials are set; any combination works.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from ipaddress import ip_network
from pathlib import Path
from typing import Any, Literal, TypeVar

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from connectors.provider import HttpUrl, ProviderSettings
from connectors.registry import PROVIDERS

S = TypeVar("S", bound=ProviderSettings)


MIN_SECRET_CHARS = 32


class ConfigError(Exception):
    """Invalid configuration; the message names the environment variable(s) to fix."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    database_url: str | None = Field(None, alias="DATABASE_URL")
    # What this installation is; "production" refuses what only a trial may do (the demo).
    environment: Literal["development", "test", "staging", "production"] | None = Field(
        None, alias="BRIDGE_ENV"
    )
    policy_path: str | None = Field(None, alias="BRIDGE_POLICY")
    # A folder whose comment templates replace the shipped ones by name.
    templates_dir: str | None = Field(None, alias="BRIDGE_TEMPLATES")
    admin_token: SecretStr | None = Field(None, alias="BRIDGE_ADMIN_TOKEN")
    log_format: str | None = Field(None, alias="BRIDGE_LOG_FORMAT")
    log_level: str = Field("INFO", alias="BRIDGE_LOG_LEVEL")
    # Other libraries' DEBUG lines carry whole request and response bodies (customer text).
    log_bodies: bool = Field(False, alias="BRIDGE_LOG_BODIES")
    sweep_seconds: float = Field(5.0, alias="BRIDGE_SWEEP_SECONDS")
    sync_seconds: float = Field(60.0, alias="BRIDGE_SYNC_SECONDS")
    # A stable name lets a restarted worker take its lease and its claimed actions back at once.
    worker_id: str | None = Field(None, alias="BRIDGE_WORKER_ID")
    # The share of each help desk's plan limit the bridge may use.
    api_budget_share: float = Field(0.5, alias="BRIDGE_API_BUDGET_SHARE")
    # Where people reach this bridge, for links back to it (PagerDuty's client_url).
    public_url: HttpUrl | None = Field(None, alias="BRIDGE_PUBLIC_URL")
    # -- web security (README, Security) ------------------------------------------------------
    # Signs the dashboard's session cookies; else a random key generated once and kept in the
    # database, so every process and instance shares it and it never derives from the token.
    secret_key: SecretStr | None = Field(None, alias="BRIDGE_SECRET_KEY")
    session_hours: float = Field(12.0, alias="BRIDGE_SESSION_HOURS")
    # Without a token the dashboard is served only when opted in, to loopback clients naming a
    # trusted host (a rebound DNS name is not one), never through a proxy.
    dashboard_open: bool = Field(False, alias="BRIDGE_DASHBOARD_OPEN")
    trusted_hosts: tuple[str, ...] = Field(
        ("localhost", "127.0.0.1", "::1"), alias="BRIDGE_TRUSTED_HOSTS"
    )
    metrics_token: SecretStr | None = Field(None, alias="BRIDGE_METRICS_TOKEN")
    metrics_allow: tuple[str, ...] = Field((), alias="BRIDGE_METRICS_ALLOW")
    inbox_retention_days: float = Field(7.0, alias="BRIDGE_INBOX_RETENTION_DAYS")
    providers: dict[str, ProviderSettings] = Field(default_factory=dict, exclude=True)

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

    @field_validator("api_budget_share")
    @classmethod
    def _share(cls, value: float) -> float:
        if not 0 < value <= 1:
            raise ValueError("must be a fraction above 0 and at most 1, e.g. 0.5")
        return value

    @field_validator("templates_dir")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_dir():
            raise ValueError("is not a folder")
        return value

    @field_validator("admin_token", "secret_key", "metrics_token")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # A token guessed online or a key attacked offline: 32 random characters are out of reach.
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_CHARS:
            raise ValueError(
                f"must be at least {MIN_SECRET_CHARS} characters; generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return value

    @field_validator("trusted_hosts", "metrics_allow", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().lower() for part in value.split(",") if part.strip())
        return value

    @field_validator("trusted_hosts")
    @classmethod
    def _hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(host.strip("[]") for host in value)

    @field_validator("metrics_allow")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for network in value:
            try:
                ip_network(network, strict=False)
            except ValueError:
                raise ValueError(
                    f"{network!r} is not an address or network, e.g. 10.0.0.0/8,127.0.0.1"
                ) from None
        return value

    @field_validator("sweep_seconds", "sync_seconds", "session_hours", "inbox_retention_days")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number")
        return value

    # -- providers ---------------------------------------------------------------------------
    def provider(self, model: type[S]) -> S:
        """A provider's settings by their model, e.g. ``settings.provider(SlackSettings)``."""
        for found in self.providers.values():
            if isinstance(found, model):
                return found
        return model()

    def enabled(self, name: str) -> bool:
        found = self.providers.get(name)
        return found is not None and found.enabled

    @property
    def people_restricted(self) -> bool:
        """Whether an enabled provider restricts who may act (SLACK_ALLOWED_ESCALATORS)."""
        return any(s.restricts_people for s in self.providers.values() if s.enabled)

    def describe(self) -> list[str]:
        """One line per provider saying whether it is configured (no secret values)."""
        return [found.describe() for found in self.providers.values()]

    def secret_values(self) -> list[str]:
        """Every secret value, for the log redaction filter and the dashboard."""
        values = [
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr) and value.get_secret_value()
        ]
        for found in self.providers.values():
            values += found.secret_values()
        return values

    # -- reading -----------------------------------------------------------------------------
    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read and validate; a ``ConfigError`` names every bad variable."""
        problems: list[str] = []
        core: Settings | None = None
        try:
            core = cls.model_validate(ProviderSettings.pick(environ, _env_names(cls)))
        except ValidationError as exc:
            problems += _problems(exc)
        providers: dict[str, ProviderSettings] = {}
        for spec in PROVIDERS:
            try:
                providers[spec.name] = spec.settings.from_env(environ)
            except ValidationError as exc:
                problems += _problems(exc)
        if problems or core is None:
            raise ConfigError("invalid configuration: " + "; ".join(problems))
        return core.model_copy(update={"providers": providers})


def _env_names(model: type[BaseModel]) -> list[str]:
    return [str(info.alias) for name, info in model.model_fields.items() if info.alias]


def _problems(exc: ValidationError) -> list[str]:
    out = []
    for error in exc.errors():
        message = str(error["msg"])
        name = str(error["loc"][0]) if error["loc"] else ""
        out.append(f"{name}: {message}" if name else message)
    return out


def load_settings(environ: Mapping[str, str] | None = None, dotenv_path: str = ".env") -> Settings:
    """Settings from a ``.env`` file (if present) overlaid by the process environment."""
    values: dict[str, Any] = {}
    if Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return Settings.from_env(values)
