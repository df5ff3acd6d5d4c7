"""The sandboxes on a frozen clock, for the contract suites."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock

CONTRACT_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def world_clock() -> FrozenClock:
    return FrozenClock(CONTRACT_START)


@pytest.fixture(scope="module")
def world(world_clock: FrozenClock) -> Iterator[SandboxWorld]:
    started = SandboxWorld.start(clock=world_clock)
    yield started
    started.stop()
