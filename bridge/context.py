"""What the running bridge holds: settings, storage and the clock, passed around explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app

from bridge.config import Settings
from bridge.storage import Storage
from policies import Policy

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BridgeContext:
    settings: Settings
    storage: Storage
    clock: Clock
    policy: Policy


def bridge_context(app: Flask | None = None) -> BridgeContext:
    context: BridgeContext = (app or current_app).extensions["bridge"]
    return context
