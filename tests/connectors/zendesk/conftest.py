"""The Zendesk connector tests' sandbox, clock and desk."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.zendesk import ZendeskDesk, ZendeskSettings
from sandbox.common import serve
from sandbox.zendesk import ZendeskSandbox


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[ZendeskSandbox, Clock]]:
    clock = Clock()
    service = ZendeskSandbox(clock=clock)
    with serve(service):
        yield service, clock


@pytest.fixture
def clock(served: tuple[ZendeskSandbox, Clock]) -> Clock:
    served[1].now = Clock().now
    return served[1]


@pytest.fixture
def sandbox(served: tuple[ZendeskSandbox, Clock], clock: Clock) -> ZendeskSandbox:
    served[0].reset()
    return served[0]


def zendesk_settings(sandbox: ZendeskSandbox, token: str = "", **values: object) -> ZendeskSettings:
    return ZendeskSettings.model_validate(
        {
            "ZENDESK_SUBDOMAIN": "acme",
            "ZENDESK_EMAIL": sandbox.email,
            "ZENDESK_API_TOKEN": token or sandbox.token,
            "ZENDESK_URL": sandbox.base_url,
            **values,
        }
    )


def make_desk(
    sandbox: ZendeskSandbox, clock: Clock, rate_limit: int = 400, **options: Any
) -> ZendeskDesk:
    settings = zendesk_settings(sandbox, ZENDESK_RATE_LIMIT=rate_limit)
    return ZendeskDesk(settings, clock=clock, **{"timeout": 2.0, **options})
