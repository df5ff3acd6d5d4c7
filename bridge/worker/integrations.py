"""The providers this bridge has credentials for, built from the registry."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from bridge.config import Settings
from connectors.base import ChatNotifier, HelpDesk, Notifier
from connectors.provider import BuildContext, Role
from connectors.registry import PROVIDERS

log = logging.getLogger(__name__)


@dataclass
class Integrations:
    desks: dict[str, HelpDesk] = field(default_factory=dict)
    notifiers: dict[str, Notifier] = field(default_factory=dict)
    chats: dict[str, ChatNotifier] = field(default_factory=dict)
    chat: ChatNotifier | None = None  # the default one: escalation messages, alerts

    def provider(self, name: str) -> Notifier | None:
        return self.desks.get(name) or self.notifiers.get(name)

    def enabled(self) -> set[str]:
        return set(self.desks) | set(self.notifiers)

    @property
    def chat_name(self) -> str | None:
        return self.chat.name if self.chat else None

    def close(self) -> None:
        for provider in [*self.desks.values(), *self.notifiers.values()]:
            try:
                provider.close()
            except Exception:  # closing must not stop the others from closing
                log.exception("could not close a provider", extra={"provider": provider.name})


def build_integrations(settings: Settings, context: BuildContext) -> Integrations:
    integrations = Integrations()
    context = replace(context, people_restricted=settings.people_restricted)
    for spec in PROVIDERS:
        provider_settings = settings.providers.get(spec.name)
        if provider_settings is None or not provider_settings.enabled:
            continue
        built = spec.build(provider_settings, context)
        if spec.role is Role.DESK:
            integrations.desks[spec.name] = built
        else:
            integrations.notifiers[spec.name] = built
            if spec.role is Role.CHAT:
                integrations.chats[spec.name] = built
                integrations.chat = integrations.chat or built
    return integrations
