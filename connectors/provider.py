"""The shape of a provider: its settings (read from its environment variables) and the spec the
registry lists (name, role, settings, how to build it, the endpoints it posts to)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, SecretStr

from connectors.base import Clock, Endpoint, Inbound


class Role(StrEnum):
    DESK = "desk"  # a help desk: tickets come from it and notes go to it
    CHAT = "chat"  # where people work: escalation messages, buttons, commands
    PAGER = "pager"  # on-call paging
    STATUS = "status"  # the public status page


class ProviderSettings(BaseModel):
    """A provider's settings. Each field's alias is its environment variable (a public contract,
    so the names never change); a validation error names the variable."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    title: ClassVar[str]

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


def http_url(value: str) -> str:
    """A base URL override: http(s) with a host; a trailing slash is dropped except after
    ``/api/`` (Slack's SDK wants it there)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/") if not value.endswith("/api/") else value


# A base URL override field: ``url: HttpUrl | None = Field(None, alias="X_URL")``.
HttpUrl = Annotated[str, AfterValidator(http_url)]


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

    def inbound_for(self, kind: str) -> Inbound | None:
        """The inbound that stored requests of ``kind``."""
        for endpoint in self.endpoints:
            if kind in endpoint.kinds:
                return endpoint.inbound
        return next((e.inbound for e in self.endpoints if not e.kinds), None)
