"""Every request the ClickUp provider sends (create, the lookup after a lost answer, complete,
``bridge setup clickup``, ``bridge doctor``), through its client over HTTP, checked against the
operations of ClickUp's API v2 reference (``specs/clickup_operations.json``): the operation
exists, its query parameters are documented, its body has only documented fields of their
types."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bridge.config import Settings
from bridge.worker.integrations import Integrations, build_integrations
from connectors.actions import FollowUpDone, FollowUpTask, TicketCard
from connectors.base import PolicyNeeds
from connectors.clickup import ClickUpNotifier
from connectors.clickup.setup import setup_clickup
from connectors.provider import BuildContext
from policies.model import Severity
from sandbox.common import Seen
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START
from tests.connectors.test_contract_notifiers import Outbox
from tests.contracts.spec_check import clickup_problems

TASK = FollowUpTask(
    ticket=TicketCard(source="zendesk", ticket_id="4821", subject="Checkout down"),
    request="[RCA] Root-cause analysis requested",
    severity=Severity.CRITICAL,
    due=CONTRACT_START,
    owner="ana@example.com",
    tags=("rca", "l3", "critical"),
)


@pytest.fixture(scope="module")
def clock() -> FrozenClock:
    return FrozenClock(CONTRACT_START)


@pytest.fixture(scope="module")
def world(clock: FrozenClock) -> Iterator[SandboxWorld]:
    started = SandboxWorld.start(clock=clock)
    yield started
    started.stop()


@pytest.fixture
def integrations(world: SandboxWorld, clock: FrozenClock) -> Iterator[Integrations]:
    world.clickup.reset()
    world.clickup.seen.clear()
    built = build_integrations(Settings.from_env(world.environment()), BuildContext(clock=clock))
    yield built
    built.close()


def test_every_clickup_request_is_a_documented_operation(
    integrations: Integrations, world: SandboxWorld, engine: Engine
) -> None:
    notifier = integrations.notifiers["clickup"]
    assert isinstance(notifier, ClickUpNotifier)
    box = Outbox(engine, "clickup")
    created = box.action("k1", TASK)
    box.deliver(notifier, created)
    box.deliver(notifier, dataclasses.replace(created, attempts=2))
    box.deliver(notifier, box.action("k2", FollowUpDone(reason="recorded on the ticket")))
    setup_clickup(notifier, url="https://bridge.example.com", team_id=None, secret=None)
    list(notifier.diagnose(PolicyNeeds()))
    seen = [s for s in world.clickup.seen if s.path.startswith("/api/")]
    operations = {(s.method, s.path) for s in seen}
    assert len(operations) == 9, operations  # every operation the provider uses
    assert [p for s in seen for p in clickup_problems(s)] == []


def request(method: str, path: str, body: object = None, **query: str) -> Seen:
    raw = json.dumps(body).encode() if body is not None else b""
    return Seen(method, path, query, {}, raw, {})


@pytest.mark.parametrize(
    ("seen", "problem"),
    [
        (
            request("POST", "/api/v2/list/1/task", {"name": "x", "markdown_description": "y"}),
            "'markdown_description' was unexpected",
        ),
        (request("POST", "/api/v2/list/1/task", {"description": "y"}), "'name' is a required"),
        (
            request("POST", "/api/v2/list/1/task", {"name": "x", "due_date": "2026-03-04"}),
            "is not of type 'integer'",
        ),
        (request("GET", "/api/v2/list/1/task", **{"tag[]": "x"}), "tag[] is not documented"),
        (request("PUT", "/api/v2/task/1", {"status": 3}), "is not of type 'string'"),
        (request("POST", "/api/v2/team/1/webhook", {"endpoint": "u"}), "'events' is a required"),
        (request("DELETE", "/api/v2/task/1"), "no such operation"),
    ],
)
def test_the_checker_finds_undocumented_requests(seen: Seen, problem: str) -> None:
    assert any(problem in found for found in clickup_problems(seen)), clickup_problems(seen)
