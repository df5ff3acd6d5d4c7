"""Shared test harness: a database per test (SQLite, or PostgreSQL when
``BRIDGE_TEST_DATABASE_URL`` is set), a frozen clock, and app/client fixtures."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from bridge import create_app
from bridge.config import Settings
from bridge.store import db
from bridge.store.tables import metadata

FIXTURES = Path(__file__).parent / "fixtures"

SECRETS = {
    "ZENDESK_WEBHOOK_SECRET": "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
    "FRESHDESK_WEBHOOK_SECRET": "freshdesk-webhook-password-1",
    "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
    "PAGERDUTY_WEBHOOK_SECRET": "HvPtlQNKMPpHSSqJpCdndXfo7HnGXa1pnH6w5axpxLFn9aRBNBGh4e8/HlonK5mz",
    "CLICKUP_WEBHOOK_SECRET": "7x1PK3mISQG0jBqeNYuhWn8alZdRtf5E",
}


def fixture_bytes(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def fixture_json(relative: str) -> Any:
    return json.loads(fixture_bytes(relative))


class FrozenClock:
    """An injectable clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = os.environ.get("BRIDGE_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'bridge.db'}"
        return
    engine = db.make_engine(url)
    _reset_postgres(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    yield engine
    engine.dispose()


def make_settings(database_url: str, **overrides: str | None) -> Settings:
    """Settings as the environment gives them: ``overrides`` by variable name, None unsets."""
    values: dict[str, str | None] = {"DATABASE_URL": database_url, **SECRETS, **overrides}
    return Settings.from_env({k: v for k, v in values.items() if v is not None})


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def app(settings: Settings, clock: FrozenClock) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "BRIDGE_SETTINGS": settings, "BRIDGE_CLOCK": clock})
    yield app
    app.extensions["bridge"].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
