"""The shape of a provider: its settings (read from its environment variables) and the spec the
registry lists (name, role, settings, how to build it, the endpoints it posts to)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from ipaddress import ip_address
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, SecretStr

from connectors.base import Clock, Endpoint, Inbound


class Role(StrEnum):
    DESK = "desk"  # a help desk: tickets come from it and notes go to it
    CHAT = "chat"  # where people work: escalation messages, buttons, commands
    PAGER = "pager"  # on-call paging
    STATUS = "status"  # the public status page
    TASKS = "tasks"  # a work tracker: follow-up tasks such as the root-cause write-up


class ProviderSettings(BaseModel):
    """A provider's settings. Each field's alias is its environment variable (a public contract,
    so the names never change); a validation error names the variable."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    title: ClassVar[str]
    page_noun: ClassVar[str] = "incident"  # what a pager calls what it opens, in notes

    @classmethod
    def env_names(cls) -> list[str]:
        return [name for choices in cls._aliases() for name in choices]

    @classmethod
    def _aliases(cls) -> list[list[str]]:
        """Each field's variable names, in the order they are looked for."""
        out: list[list[str]] = []
        for name, info in cls.model_fields.items():
            alias = info.validation_alias
            if isinstance(alias, AliasChoices):
                out.append([str(choice) for choice in alias.choices])
            elif info.exclude:
                continue
            else:
                out.append([str(alias or info.alias or name)])
        return out

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Self:
        """Validate the provider's variables; blank ones count as unset, and of a field's
        alternative names the first one set wins."""
        values: dict[str, str] = {}
        for choices in cls._aliases():
            found = cls.pick(environ, choices)
            if found:
                first = next(iter(found))
                values[first] = found[first]
        return cls.model_validate(values)

    @staticmethod
    def pick(environ: Mapping[str, str], names: list[str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for name in names:
            raw = environ.get(name)
            if raw is not None and raw.strip():
                values[name] = raw.strip()
        return values

    @property
    def enabled(self) -> bool:
        """Whether the credentials to act through this provider are set."""
        raise NotImplementedError

    @property
    def inbound_secret(self) -> SecretStr | None:
        """The secret its inbound requests are verified with (None: the endpoint answers 404)."""
        return None

    @property
    def event_max_age(self) -> timedelta | None:
        """Events older than this (by the receipt's ``occurred_at``) are answered and ignored,
        for senders whose signature covers no timestamp; None: no limit."""
        return None

    def detail(self) -> str:
        """What start-up says about the provider when it is on (never a secret)."""
        return ""

    @property
    def restricts_people(self) -> bool:
        """Whether only some people may act on escalations through this provider."""
        return False

    def describe(self) -> str:
        if not self.enabled:
            return f"{self.title}: off"
        detail = self.detail()
        return f"{self.title}: configured" + (f" ({detail})" if detail else "")

    def secret_values(self) -> list[str]:
        return [
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr) and value.get_secret_value()
        ]


def _loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def http_url(value: str) -> str:
    """A base URL: https with a host, or http to a loopback address (a sandbox, a proxy on the
    same host); never with credentials inside, which would reach start-up lines, connector
    errors, the outbox's ``last_error`` and the dead-letter alert. A trailing slash is dropped
    except after ``/api/`` (Slack's SDK wants it there). The messages never repeat the value."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    if "@" in parts.netloc:
        raise ValueError(
            "must not carry a user name or password (user:password@): "
            "credentials go in their own variables"
        )
    try:
        parts.port  # noqa: B018 (parsing it is the check)
    except ValueError:
        raise ValueError("has an invalid port") from None
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ValueError("must be https:// (http:// only to a loopback address such as 127.0.0.1)")
    return value.rstrip("/") if not value.endswith("/api/") else value


# A base URL override field: ``url: HttpUrl | None = Field(None, alias="X_URL")``.
HttpUrl = Annotated[str, AfterValidator(http_url)]

SECRET_MIN = 16


def _long_secret(value: SecretStr) -> SecretStr:
    if len(value.get_secret_value()) < SECRET_MIN:
        raise ValueError(
            f"must be at least {SECRET_MIN} characters: the service's secret as it shows it, or "
            "where you choose it a random one, e.g. python -c "
            '"import secrets; print(secrets.token_urlsafe(32))"'
        )
    return value


# What inbound requests are verified with: ``secret: WebhookSecret | None = Field(...)``.
WebhookSecret = Annotated[SecretStr, AfterValidator(_long_secret)]


@dataclass(frozen=True)
class BuildContext:
    """What building a provider needs besides its own settings."""

    clock: Clock
    budget_share: float = 0.5  # of a help desk's plan limit the bridge may use
    public_url: str | None = None  # where people reach this bridge (BRIDGE_PUBLIC_URL)
    # Some provider restricts who may act (an allow-list): providers that cannot tell who acts
    # must then refuse the restricted requests.
    people_restricted: bool = False


@dataclass(frozen=True)
class ProviderSpec:
    """One line of the registry."""

    name: str
    role: Role
    settings: type[ProviderSettings]
    build: Callable[[Any, BuildContext], Any]  # (its settings, context) -> HelpDesk | Notifier
    endpoints: tuple[Endpoint, ...] = field(default=())
    # A desk whose API documents a way to remove a ticket's assignee (``DeskUpdate``'s
    # ``clear_assignee``); the planner asks no other desk to.
    unassigns: bool = True

    def inbound_for(self, kind: str) -> Inbound | None:
        """The inbound that stored requests of ``kind``."""
        for endpoint in self.endpoints:
            if kind in endpoint.kinds:
                return endpoint.inbound
        return next((e.inbound for e in self.endpoints if not e.kinds), None)
