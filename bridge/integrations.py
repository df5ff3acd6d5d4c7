"""Builds the configured outside services from Settings: help desks, Slack, PagerDuty."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bridge.config import Settings
from connectors.freshdesk import FreshdeskConfig, FreshdeskDesk
from connectors.freshdesk_mapping import parse_status_map
from connectors.helpdesk import HelpDesk
from connectors.pagerduty import PagerDutyEvents
from connectors.slack import SlackNotifier
from connectors.zendesk import ZendeskConfig, ZendeskDesk
from policies.model import Status


@dataclass(frozen=True)
class DeskTuning:
    """Plan limits, the share of them the bridge may use, and the Freshdesk status mapping."""

    zendesk_plan_per_minute: int = 400
    freshdesk_plan_per_minute: int = 200
    budget_share: float = 0.5
    zendesk_incremental_per_minute: int = 10
    lookback: timedelta = timedelta(days=1)
    timeout: float = 10.0
    freshdesk_status_map: Mapping[int, Status] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> DeskTuning:
        return cls(
            zendesk_plan_per_minute=settings.zendesk_rate_limit,
            freshdesk_plan_per_minute=settings.freshdesk_rate_limit,
            budget_share=settings.api_budget_share,
            freshdesk_status_map=parse_status_map(settings.freshdesk_status_map or ""),
        )


def build_helpdesks(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    tuning: DeskTuning | None = None,
) -> dict[str, HelpDesk]:
    """The desks whose credentials are set, keyed by name ("zendesk", "freshdesk")."""
    tune = tuning or DeskTuning.from_settings(settings)
    desks: dict[str, HelpDesk] = {}
    if settings.zendesk_enabled and settings.zendesk_api_token is not None:
        desks["zendesk"] = ZendeskDesk(
            ZendeskConfig(
                subdomain=settings.zendesk_subdomain or "",
                email=settings.zendesk_email or "",
                api_token=settings.zendesk_api_token.get_secret_value(),
                base_url=settings.zendesk_url,
                plan_per_minute=tune.zendesk_plan_per_minute,
                budget_share=tune.budget_share,
                incremental_per_minute=tune.zendesk_incremental_per_minute,
                timeout=tune.timeout,
                lookback=tune.lookback,
            ),
            clock=clock,
        )
    if settings.freshdesk_enabled and settings.freshdesk_api_key is not None:
        desks["freshdesk"] = FreshdeskDesk(
            FreshdeskConfig(
                domain=settings.freshdesk_domain or "",
                api_key=settings.freshdesk_api_key.get_secret_value(),
                base_url=settings.freshdesk_url,
                plan_per_minute=tune.freshdesk_plan_per_minute,
                budget_share=tune.budget_share,
                timeout=tune.timeout,
                lookback=tune.lookback,
                status_map=tune.freshdesk_status_map,
            ),
            clock=clock,
        )
    return desks


@dataclass
class Integrations:
    """The outside services this bridge has credentials for."""

    desks: dict[str, HelpDesk]
    slack: SlackNotifier | None
    pagerduty: PagerDutyEvents | None

    def enabled(self) -> set[str]:
        names = set(self.desks)
        if self.slack:
            names.add("slack")
        if self.pagerduty:
            names.add("pagerduty")
        return names

    def close(self) -> None:
        if self.pagerduty:
            self.pagerduty.close()


def routing_key_resolver(
    settings: Settings, environ: Mapping[str, str]
) -> Callable[[str], str | None]:
    """Routing keys by the name of their environment variable, read when a page is sent."""
    default = settings.pagerduty_routing_key

    def resolve(name: str) -> str | None:
        if name == "PAGERDUTY_ROUTING_KEY" and default is not None:
            return default.get_secret_value()
        return environ.get(name) or None

    return resolve


def build_integrations(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    environ: Mapping[str, str] | None = None,
    tuning: DeskTuning | None = None,
) -> Integrations:
    env = os.environ if environ is None else environ
    slack = None
    if settings.slack_bot_token is not None:
        # Never sleep for Slack's per-channel pace: that would hold up every other delivery.
        # A busy channel answers "retry in N s" and the outbox schedules the post then.
        slack = SlackNotifier(
            settings.slack_bot_token.get_secret_value(),
            base_url=settings.slack_api_url,
            clock=lambda: clock().timestamp(),
            max_wait=0.0,
        )
    pagerduty = None
    if settings.pagerduty_routing_key is not None:
        pagerduty = PagerDutyEvents(
            routing_key_resolver(settings, env),
            base_url=settings.pagerduty_events_url,
            ca_file=env.get("SSL_CERT_FILE") or env.get("REQUESTS_CA_BUNDLE") or None,
        )
    return Integrations(
        desks=build_helpdesks(settings, clock=clock, tuning=tuning),
        slack=slack,
        pagerduty=pagerduty,
    )
