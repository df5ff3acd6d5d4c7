"""gunicorn.conf.py: no control socket shared by every instance on the host."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

CONF = Path(__file__).parents[1] / "gunicorn.conf.py"


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Config:
    """gunicorn's own Config, with every setting the file defines (as ``-c`` loads it)."""
    monkeypatch.delenv("BRIDGE_CONTROL_SOCKET", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_control_socket_is_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert settings(monkeypatch).control_socket_disable is True


def test_control_socket_only_at_a_path_of_the_instance(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = str(tmp_path / "bridge-a.ctl")
    config = settings(monkeypatch, BRIDGE_CONTROL_SOCKET=path)
    assert config.control_socket_disable is False
    assert config.control_socket == path and config.control_socket_mode == 0o600
