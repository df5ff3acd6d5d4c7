"""``bridge setup clickup`` through the command line, against the ClickUp stand-in over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from bridge import create_app
from sandbox.clickup import ClickUpSandbox
from sandbox.common import serve
from tests.conftest import FrozenClock, make_settings

TOKEN = "pk_cli_test"


@pytest.fixture(scope="module")
def clickup() -> Iterator[ClickUpSandbox]:
    sandbox = ClickUpSandbox(token=TOKEN)
    with serve(sandbox):
        yield sandbox


@pytest.fixture
def app_with(database_url: str, clock: FrozenClock) -> Iterator[Callable[..., Flask]]:
    """Apps with these settings; their database connections closed afterwards."""
    apps: list[Flask] = []

    def make(**environment: str | None) -> Flask:
        settings = make_settings(database_url, **environment)
        app = create_app({"TESTING": True, "BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": clock})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["bridge"].db.dispose()


def test_setup_creates_the_webhook_prints_its_secret_once_asked_then_finds_it(
    clickup: ClickUpSandbox, app_with: Callable[..., Flask]
) -> None:
    clickup.reset()
    environment = {
        "CLICKUP_API_TOKEN": TOKEN,
        "CLICKUP_LIST_ID": clickup.list_id,
        "CLICKUP_API_URL": f"{clickup.base_url}/api/v2",
        "CLICKUP_WEBHOOK_SECRET": None,
    }
    command = ["bridge", "setup", "clickup", "--url", "https://bridge.example.com"]
    first = app_with(**environment).test_cli_runner().invoke(args=[*command, "--show-secret"])
    assert first.exit_code == 0, first.output
    [hook] = clickup.state.webhooks
    assert f"created webhook: {hook.id}" in first.output
    assert f"CLICKUP_WEBHOOK_SECRET={hook.secret}" in first.output
    configured = {**environment, "CLICKUP_WEBHOOK_SECRET": hook.secret}
    again = app_with(**configured).test_cli_runner().invoke(args=command)
    assert again.exit_code == 0, again.output
    assert "webhook exists" in again.output and "matches" in again.output
    assert hook.secret not in again.output
    assert len(clickup.state.webhooks) == 1


def test_setup_without_clickup_configured_says_what_to_set(app_with: Callable[..., Flask]) -> None:
    result = (
        app_with()
        .test_cli_runner()
        .invoke(args=["bridge", "setup", "clickup", "--url", "https://bridge.example.com"])
    )
    assert result.exit_code != 0 and "CLICKUP_API_TOKEN" in result.output


def test_a_refused_token_is_a_clean_error(
    clickup: ClickUpSandbox, app_with: Callable[..., Flask]
) -> None:
    environment = {
        "CLICKUP_API_TOKEN": "pk_wrong",
        "CLICKUP_LIST_ID": clickup.list_id,
        "CLICKUP_API_URL": f"{clickup.base_url}/api/v2",
    }
    result = (
        app_with(**environment)
        .test_cli_runner()
        .invoke(args=["bridge", "setup", "clickup", "--url", "https://bridge.example.com"])
    )
    assert result.exit_code != 0 and "CLICKUP_API_TOKEN" in result.output
    assert "pk_wrong" not in result.output and "Traceback" not in result.output
