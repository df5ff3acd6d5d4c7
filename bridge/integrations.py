"""Builds the configured outside services from Settings: help desks, Slack, PagerDuty."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bridge.config import Settings
from connectors.freshdesk import FreshdeskConfig, FreshdeskDesk
from connectors.helpdesk import HelpDesk
from connectors.zendesk import ZendeskConfig, ZendeskDesk
from policies.model import Status


@dataclass(frozen=True)
class DeskTuning:
    """What Settings does not carry (yet): plan limits, the budget share, status mapping."""

    zendesk_plan_per_minute: int = 400
    freshdesk_plan_per_minute: int = 200
    budget_share: float = 0.5
    zendesk_incremental_per_minute: int = 10
    lookback: timedelta = timedelta(days=1)
    timeout: float = 10.0
    freshdesk_status_map: Mapping[int, Status] = field(default_factory=dict)


def build_helpdesks(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    tuning: DeskTuning | None = None,
) -> dict[str, HelpDesk]:
    """The desks whose credentials are set, keyed by name ("zendesk", "freshdesk")."""
    tune = tuning or DeskTuning()
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
