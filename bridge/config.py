"""Settings from the environment (and a ``.env`` file), validated once at start.

The process's own settings are here; each provider's live with the provider
(``connectors/<name>/settings.py``) and are read from the same environment. Secrets are
``SecretStr``: their ``repr``/``str`` never shows the value, so settings can be logged or shown in
an error safely. A provider is enabled when its credentials are set; any combination works.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from connectors.provider import HttpUrl, ProviderSettings
from connectors.registry import PROVIDERS

S = TypeVar("S", bound=ProviderSettings)


class ConfigError(Exception):
    """Invalid configuration; the message names the environment variable(s) to fix."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    database_url: str | None = Field(None, alias="DATABASE_URL")
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

    @field_validator("sweep_seconds", "sync_seconds")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number of seconds")
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
