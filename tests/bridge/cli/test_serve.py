"""``bridge serve`` without a help desk: the demo, said loudly, and never in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge.cli import demo
from bridge.cli.serve import serve_command

DESK_VARIABLES = ("ZENDESK_API_TOKEN", "ZENDESK_SUBDOMAIN", "ZENDESK_EMAIL", "FRESHDESK_API_KEY")


@pytest.fixture
def demos(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[str, int]]:
    """The demos started (none really: the sandbox world is not needed to test the choice)."""
    monkeypatch.chdir(tmp_path)  # no .env file
    for name in DESK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    started: list[tuple[str, int]] = []
    monkeypatch.setattr(demo, "run_demo", lambda host, port: started.append((host, port)))
    return started


def test_the_fallback_to_the_demo_is_said_loudly(
    demos: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIDGE_ENV", raising=False)
    result = CliRunner().invoke(serve_command, ["--port", "8123"])
    assert result.exit_code == 0, result.output
    assert demos == [("127.0.0.1", 8123)]
    assert "WARNING: no help desk is configured" in result.stderr
    assert "BRIDGE_ENV=production" in result.stderr


@pytest.mark.parametrize("flags", [[], ["--demo"]])
def test_production_refuses_the_demo(
    demos: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch, flags: list[str]
) -> None:
    monkeypatch.setenv("BRIDGE_ENV", "production")
    result = CliRunner().invoke(serve_command, flags)
    assert result.exit_code != 0
    assert "never served in production" in result.output
    assert demos == []


def test_an_explicit_demo_needs_no_warning(
    demos: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGE_ENV", "development")
    result = CliRunner().invoke(serve_command, ["--demo"])
    assert result.exit_code == 0 and demos and "WARNING" not in result.output
