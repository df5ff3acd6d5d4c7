"""Every request the Help Scout connector sends, through its client over HTTP, checked against
the Mailbox API 2.0 documentation as ``sandbox/helpscout/FACTS.md`` records it (Help Scout
publishes no OpenAPI description to vendor): the operation exists, its query parameters and body
fields are documented ones, and its required fields are there."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bridge.config import Settings
from bridge.worker.integrations import Integrations, build_integrations
from connectors.base import PolicyNeeds
from connectors.helpscout import HelpScoutDesk
from connectors.helpscout.setup import setup_lines
from connectors.provider import BuildContext
from policies.model import Priority, Status
from sandbox.common import Seen
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START

LIST_PARAMS = {
    "mailbox",
    "folder",
    "status",
    "tag",
    "assigned_to",
    "modifiedSince",
    "number",
    "sortField",
    "sortOrder",
    "query",
    "customFieldsByIds",
    "embed",
    "page",
}
# (method, path pattern) -> (query parameters allowed, body fields allowed, body fields required)
OPERATIONS: dict[tuple[str, str], tuple[set[str], set[str], set[str]]] = {
    ("POST", r"/v2/oauth2/token"): (set(), set(), set()),  # a form, checked below
    ("GET", r"/v2/users/me"): (set(), set(), set()),
    ("GET", r"/v2/users"): ({"email", "mailbox", "page"}, set(), set()),
    ("GET", r"/v2/mailboxes"): ({"page"}, set(), set()),
    ("GET", r"/v2/mailboxes/\d+/fields"): ({"page"}, set(), set()),
    ("GET", r"/v2/customers/\d+"): ({"embed"}, set(), set()),
    ("GET", r"/v2/conversations"): (LIST_PARAMS, set(), set()),
    ("GET", r"/v2/conversations/\d+"): ({"embed"}, set(), set()),
    ("PATCH", r"/v2/conversations/\d+"): (set(), {"op", "path", "value"}, {"op", "path"}),
    ("PUT", r"/v2/conversations/\d+/tags"): (set(), {"tags"}, {"tags"}),
    ("POST", r"/v2/conversations/\d+/notes"): (
        set(),
        {"text", "user", "status", "imported", "createdAt", "attachments"},
        {"text"},
    ),
    ("POST", r"/v2/conversations/\d+/reply"): (
        set(),
        {"customer", "text", "draft", "imported", "status", "user", "cc", "bcc", "attachments"},
        {"customer", "text"},
    ),
    ("GET", r"/v2/webhooks"): ({"page"}, set(), set()),
    ("POST", r"/v2/webhooks"): (
        set(),
        {"url", "events", "secret", "payloadVersion", "label", "notification", "mailboxIds"},
        {"url", "events", "secret"},
    ),
}


def problems(seen: Seen) -> list[str]:
    name = f"{seen.method} {seen.path}"
    found = [
        rule
        for (method, pattern), rule in OPERATIONS.items()
        if method == seen.method and re.fullmatch(pattern, seen.path)
    ]
    if not found:
        return [f"{name}: not a documented operation"]
    query, allowed, required = found[0]
    wrong: list[str] = [f"{name}: query {k} undocumented" for k in set(seen.query) - query]
    if seen.path == "/v2/oauth2/token":
        if seen.form.get("grant_type") != "client_credentials":
            wrong.append(f"{name}: not a client-credentials grant")
        return wrong
    if seen.method == "GET":
        return wrong
    body: Any = json.loads(seen.body) if seen.body else None
    if not isinstance(body, dict):
        return [*wrong, f"{name}: body is not one JSON object"]
    wrong += [f"{name}: field {k} undocumented" for k in set(body) - allowed]
    wrong += [f"{name}: field {k} missing" for k in required - set(body)]
    return wrong


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
    world.helpscout.reset()
    world.helpscout.seen.clear()
    built = build_integrations(Settings.from_env(world.environment()), BuildContext(clock=clock))
    yield built
    built.close()


def test_every_helpscout_request_is_a_documented_operation(
    integrations: Integrations, world: SandboxWorld
) -> None:
    desk = integrations.desks["helpscout"]
    assert isinstance(desk, HelpScoutDesk)
    customer = world.helpscout.add_customer("Peter", "Gibbons", "peter@initech.example")
    conversation = world.helpscout.create_conversation(
        "Checkout down", "Every card fails", customer_id=customer, tags=["billing"]
    )
    world.helpscout.add_customer_reply(conversation, "Still broken")
    desk.fetch_ticket(conversation)
    desk.changes(None, CONTRACT_START)
    desk.add_note(conversation, "Hand-off", idempotency_key="k1")
    desk.reply(conversation, "We are on it", idempotency_key="k2")
    desk.update(
        conversation,
        group_id="senior-support",
        assignee_id="lead@example.com",
        priority=Priority.URGENT,
        add_tags=["escalated"],
        remove_tags=["billing"],
        status=Status.PENDING,
    )
    desk.update(conversation, clear_assignee=True)
    setup_lines(desk, url="https://bridge.example")
    list(desk.diagnose(PolicyNeeds(fields=frozenset({"Category"}))))
    seen = list(world.helpscout.seen)
    assert {s.method for s in seen} == {"GET", "POST", "PATCH", "PUT"}
    assert [p for s in seen for p in problems(s)] == []
