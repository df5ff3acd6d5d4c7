"""What the running bridge holds, passed around explicitly: settings, the database, the clock,
the policy and the comment templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy import Engine

from bridge.config import Settings
from policies import Policy
from policies.templates import TemplateRenderer

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The one place the bridge reads the wall clock; everything else is given a clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: Engine
    clock: Clock
    policy: Policy
    templates: TemplateRenderer


def runtime(app: Flask | None = None) -> Runtime:
    found: Runtime = (app or current_app).extensions["bridge"]
    return found
