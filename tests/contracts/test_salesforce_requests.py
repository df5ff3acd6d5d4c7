"""Every request the Salesforce connector sends, through simple-salesforce over HTTP, checked
against the REST resources Salesforce documents (``sandbox/salesforce/FACTS.md``): Salesforce
publishes no machine-readable description of its REST API, so the resources, their methods and
what their bodies may carry are listed here from the documentation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from bridge.config import Settings
from bridge.worker.integrations import build_integrations
from connectors.base import PolicyNeeds
from connectors.provider import BuildContext
from connectors.salesforce import SalesforceDesk
from policies.model import Priority, Status
from sandbox.common import Seen
from sandbox.salesforce import soql
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START

_ID = r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?"
_DATA = r"/services/data/v62\.0"
# (method, path pattern) of every documented resource the connector may call (S-query, S-login,
# S-userinfo, S-limits, S-comment, S-topics, S-case).
RESOURCES = (
    ("POST", r"/services/oauth2/token"),
    ("POST", r"/services/Soap/u/62\.0"),
    ("GET", r"/services/oauth2/userinfo"),
    ("GET", rf"{_DATA}/query/?"),
    ("GET", rf"{_DATA}/query/01g[A-Za-z0-9]+-\d+"),
    ("GET", rf"{_DATA}/limits/?"),
    ("GET", rf"{_DATA}/sobjects/Case/describe/?"),
    ("GET", rf"{_DATA}/sobjects/(Case|Contact|Account)/{_ID}"),
    ("PATCH", rf"{_DATA}/sobjects/Case/{_ID}"),
    ("POST", rf"{_DATA}/sobjects/(CaseComment|Topic|TopicAssignment)/?"),
    ("DELETE", rf"{_DATA}/sobjects/TopicAssignment/{_ID}"),
)
# What a create or update may carry, per object (S-comment, S-topics, S-case).
BODIES = {
    "CaseComment": {"ParentId", "CommentBody", "IsPublished"},
    "Topic": {"Name"},
    "TopicAssignment": {"TopicId", "EntityId"},
    "Case": {"OwnerId", "Priority", "Status"},
}
COMMENT_BYTES = 4_000


def problems(seen: Seen) -> list[str]:
    name = f"{seen.method} {seen.path}"
    if not any(m == seen.method and re.fullmatch(p, seen.path) for m, p in RESOURCES):
        return [f"{name}: not a documented resource the connector should call"]
    found: list[str] = []
    signed_in = seen.path.startswith("/services/data/") or seen.path.endswith("/userinfo")
    if signed_in and not seen.headers.get("Authorization", "").startswith("Bearer "):
        found.append(f"{name}: no bearer session")
    if seen.path.rstrip("/").endswith("/query"):
        try:
            soql.parse(seen.query.get("q", ""))  # unquoted dateTimes, known columns and objects
        except soql.QueryError as exc:
            found.append(f"{name}: {exc.code} {exc}")
    if seen.method in ("POST", "PATCH") and seen.path.startswith("/services/data/"):
        body = json.loads(seen.body)
        sobject = seen.path.split("/sobjects/")[1].split("/")[0]
        extra = set(body) - BODIES[sobject]
        if extra:
            found.append(f"{name}: fields {sorted(extra)} are not written by the bridge")
        if len(str(body.get("CommentBody") or "").encode()) > COMMENT_BYTES:
            found.append(f"{name}: CommentBody over {COMMENT_BYTES} bytes")
    return found


@pytest.fixture
def desk(world: SandboxWorld, world_clock: FrozenClock) -> Iterator[SalesforceDesk]:
    world_clock.now = CONTRACT_START
    world.salesforce.reset()
    world.salesforce.seen.clear()
    integrations = build_integrations(
        Settings.from_env(world.environment()), BuildContext(clock=world_clock)
    )
    made = integrations.desks["salesforce"]
    assert isinstance(made, SalesforceDesk)
    yield made
    integrations.close()


@pytest.fixture(scope="module")
def world_clock() -> FrozenClock:
    return FrozenClock(CONTRACT_START)


@pytest.fixture(scope="module")
def world(world_clock: FrozenClock) -> Iterator[SandboxWorld]:
    started = SandboxWorld.start(clock=world_clock)
    yield started
    started.stop()


def test_every_request_is_a_documented_resource_with_a_valid_body(
    desk: SalesforceDesk, world: SandboxWorld
) -> None:
    sandbox = world.salesforce
    account = sandbox.add_account("Initech", tier="VIP")
    case = sandbox.create_case(
        "Checkout down",
        contact_id=sandbox.add_contact("Peter Gibbons", "p@initech.example", account_id=account),
        topics=("billing",),
    )
    desk.fetch_ticket(case)
    desk.add_note(case, "Hand-off " + "x" * 5000, idempotency_key="n")
    desk.reply(case, "We are on it", idempotency_key="r")
    desk.update(
        case,
        group_id="senior-support",
        priority=Priority.URGENT,
        status=Status.HOLD,
        add_tags=("escalated",),
        remove_tags=("billing",),
    )
    desk.update(case, assignee_id="lead@example.com")
    desk.changes(None, CONTRACT_START)
    list(desk.diagnose(PolicyNeeds(fields=frozenset({"Refund amount"}))))
    seen = list(sandbox.seen)
    assert len(seen) > 15
    assert [p for s in seen for p in problems(s)] == []


def test_the_check_catches_what_salesforce_would_refuse() -> None:
    quoted = Seen(
        "GET",
        "/services/data/v62.0/query/",
        {"q": "SELECT Id FROM Case WHERE SystemModstamp > '2026-01-01T00:00:00Z'"},
        {},
        b"",
        {"Authorization": "Bearer x"},
    )
    assert problems(quoted) and "INVALID_FIELD" in problems(quoted)[0]
    unversioned = Seen("GET", "/services/data/query/", {}, {}, b"", {})
    assert problems(unversioned)
    extra = Seen(
        "PATCH",
        "/services/data/v62.0/sobjects/Case/5005e0000000001AAA",
        {},
        {},
        b'{"IsClosed": true}',
        {"Authorization": "Bearer x"},
    )
    assert problems(extra) == [
        "PATCH /services/data/v62.0/sobjects/Case/5005e0000000001AAA: "
        "fields ['IsClosed'] are not written by the bridge"
    ]
