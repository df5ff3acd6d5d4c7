"""Every provider the bridge knows, in the order start-up lists them. Adding a provider is one
line here (see CONTRIBUTING.md)."""

from __future__ import annotations

from connectors import (
    clickup,
    freshdesk,
    helpscout,
    intercom,
    opsgenie,
    pagerduty,
    salesforce,
    slack,
    statuspage,
    teams,
    zendesk,
)
from connectors.provider import ProviderSpec, Role

PROVIDERS: tuple[ProviderSpec, ...] = (
    zendesk.SPEC,
    freshdesk.SPEC,
    intercom.SPEC,
    helpscout.SPEC,
    salesforce.SPEC,
    slack.SPEC,
    teams.SPEC,
    pagerduty.SPEC,
    opsgenie.SPEC,
    statuspage.SPEC,
    clickup.SPEC,
)


def spec(name: str) -> ProviderSpec:
    for provider in PROVIDERS:
        if provider.name == name:
            return provider
    raise KeyError(name)


def names(role: Role) -> list[str]:
    return [provider.name for provider in PROVIDERS if provider.role is role]
