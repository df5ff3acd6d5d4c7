"""Property-based fuzzing of every endpoint in the intake table: random headers and bodies, and
validly signed random bodies. Never a 5xx, no row for a refused request, every row storable on
PostgreSQL. Bounded here (a few seconds); ``benchmarks/bench_fuzz.py`` runs it for longer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge import create_app
from tests.conftest import FrozenClock, make_settings
from tests.support.fuzz import ENDPOINTS, SETTINGS, SIGNERS, check, requests


@pytest.fixture
def fuzz_app(database_url: str, clock: FrozenClock) -> Iterator[Flask]:
    config = make_settings(database_url, **SETTINGS)
    app = create_app({"TESTING": True, "BRIDGE_SETTINGS": config, "BRIDGE_CLOCK": clock})
    yield app
    app.extensions["bridge"].db.dispose()


def test_every_endpoint_of_the_intake_table_is_fuzzed_signed() -> None:
    """A new provider's endpoint needs its signer in tests/support/fuzz.py."""
    assert ENDPOINTS and set(ENDPOINTS) <= set(SIGNERS), set(ENDPOINTS) - set(SIGNERS)


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_requests_never_get_a_5xx_and_refused_ones_store_nothing(
    fuzz_app: Flask, clock: FrozenClock, data: st.DataObject
) -> None:
    check(fuzz_app, fuzz_app.test_client(), data.draw(requests(clock())))
