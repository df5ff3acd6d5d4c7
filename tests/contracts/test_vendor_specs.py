"""Every request the connectors send, through the real clients over HTTP, checked against the
vendors' published specifications (``specs/``, see SOURCES.md): the operation exists, required
arguments are present, bodies validate, role notes are honoured. The sandboxes record what
they receive (``SandboxService.seen``)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bridge.cli.doctor import policy_needs
from bridge.config import Settings
from bridge.policy_files import load_policy
from bridge.worker.integrations import Integrations, build_integrations
from connectors.actions import ChatAlert, ChatPost, PageAcknowledge, PageResolve, ViewChange
from connectors.base import PolicyNeeds
from connectors.provider import BuildContext
from connectors.zendesk import ZendeskDesk
from connectors.zendesk.setup import setup_zendesk
from policies.model import Priority
from sandbox.common import Seen
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START
from tests.connectors.test_contract_notifiers import VIEW, Outbox, trigger
from tests.contracts.spec_check import (
    opsgenie_problems,
    pagerduty_problems,
    role_allows,
    slack_problems,
    zendesk_operation,
    zendesk_problems,
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
    for service in (world.zendesk, world.freshdesk, world.slack, world.pagerduty, world.opsgenie):
        service.reset()
        service.seen.clear()
    environment = {**world.environment(), **world.opsgenie_environment()}
    built = build_integrations(Settings.from_env(environment), BuildContext(clock=clock))
    yield built
    built.close()


def needs() -> PolicyNeeds:
    return policy_needs(load_policy(None).doc)


def exercise_zendesk(desk: ZendeskDesk, world: SandboxWorld) -> None:
    ticket = str(world.zendesk.create_ticket("Checkout down", tags=["billing"]))
    world.zendesk.add_customer_comment(int(ticket), "Still broken")
    desk.fetch_ticket(ticket)
    desk.changes(None, CONTRACT_START)
    desk.add_note(ticket, "Hand-off", idempotency_key="k1")
    desk.reply(ticket, "We are on it", idempotency_key="k2")
    desk.update(
        ticket,
        group_id="senior-support",
        assignee_id="lead@example.com",
        priority=Priority.URGENT,
        add_tags=["escalated"],
        remove_tags=["billing"],
    )
    setup_zendesk(desk, url="https://bridge.example.com")
    list(desk.diagnose(needs()))


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_every_zendesk_request_is_in_the_spec_and_allowed_for_the_role(
    integrations: Integrations, world: SandboxWorld, role: str
) -> None:
    world.zendesk.set_bridge_role(role)
    desk = integrations.desks["zendesk"]
    assert isinstance(desk, ZendeskDesk)
    exercise_zendesk(desk, world)
    seen = [s for s in world.zendesk.seen if s.path.startswith("/api/")]
    assert len(seen) > 20
    problems = [p for s in seen for p in zendesk_problems(s, role)]
    assert problems == []


def test_the_old_requests_break_the_zendesk_contract() -> None:
    """What the bridge once sent: the incremental export as an agent is not allowed."""
    export = zendesk_operation("GET", "/api/v2/incremental/tickets/cursor.json")
    assert export is not None and export["allowed_for"] == ["Admins"]
    assert not role_allows(export["allowed_for"], "agent")
    assert zendesk_operation("GET", "/api/v2/search/export") is not None


def test_every_slack_request_is_a_method_with_its_arguments(
    integrations: Integrations, world: SandboxWorld, engine: Engine, clock: FrozenClock
) -> None:
    chat, box = integrations.notifiers["slack"], Outbox(engine, "slack")
    first = box.action("k1", ChatPost(channel="#support-escalations", view=VIEW))
    box.deliver(chat, first)
    box.deliver(chat, dataclasses.replace(first, attempts=2))
    clock.advance(seconds=2)
    later = ChatPost(
        channel="#support-escalations", view=VIEW, change=ViewChange(owner="Ana"), line="Owned"
    )
    box.deliver(chat, dataclasses.replace(box.action("k2", later), attempts=2))
    alert = box.action("alert", ChatAlert(channel="#support", text="gap"))
    box.deliver(chat, dataclasses.replace(alert, attempts=2))
    list(chat.diagnose(needs()))  # type: ignore[attr-defined]
    seen: list[Seen] = list(world.slack.seen)
    methods = {s.path.rsplit("/", 1)[-1] for s in seen}
    assert {"chat.postMessage", "chat.update", "conversations.history"} <= methods
    assert {"conversations.replies", "conversations.list", "auth.test"} <= methods
    assert [p for s in seen for p in slack_problems(s)] == []


def test_a_channel_name_breaks_the_slack_contract_where_an_id_is_needed() -> None:
    old = Seen("POST", "/api/conversations.history", {}, {"channel": "#support"}, b"", {})
    assert slack_problems(old) == [
        "conversations.history: channel '#support' is not a conversation id"
    ]
    post = Seen("POST", "/api/chat.postMessage", {}, {"channel": "#support", "text": "x"}, b"", {})
    assert slack_problems(post) == []


def test_every_pagerduty_event_validates_against_the_events_api_schema(
    integrations: Integrations, world: SandboxWorld, engine: Engine
) -> None:
    pager, box = integrations.notifiers["pagerduty"], Outbox(engine, "pagerduty")
    long_page = trigger("zendesk:4821").model_copy(update={"reason": "障害🔥" * 100_000})
    box.deliver(pager, box.action("t1", long_page))
    box.deliver(pager, box.action("a1", PageAcknowledge(dedup_key="zendesk:4821")))
    box.deliver(pager, box.action("r1", PageResolve(dedup_key="zendesk:4821")))
    list(pager.diagnose(needs(), send_test=True))  # type: ignore[attr-defined]
    seen = [s for s in world.pagerduty.seen if s.path.endswith("/enqueue")]
    assert len(seen) == 5
    assert [p for s in seen for p in pagerduty_problems(s)] == []


def test_an_event_without_event_action_breaks_the_pagerduty_contract() -> None:
    bad = Seen("POST", "/v2/enqueue", {}, {}, b'{"routing_key": "k", "payload": {}}', {})
    assert any("event_action" in p for p in pagerduty_problems(bad))


def test_every_opsgenie_request_is_an_alert_api_operation_with_a_valid_body(
    integrations: Integrations, world: SandboxWorld, engine: Engine
) -> None:
    pager, box = integrations.notifiers["opsgenie"], Outbox(engine, "opsgenie")
    long_page = trigger("zendesk:4821", "OPSGENIE_API_KEY").model_copy(
        update={"reason": "障害🔥" * 100_000, "inputs": {"n": 1, "list": [1, 2]}}
    )
    box.deliver(pager, box.action("t1", long_page))
    box.deliver(pager, box.action("a1", PageAcknowledge(dedup_key="zendesk:4821")))
    box.deliver(pager, box.action("r1", PageResolve(dedup_key="zendesk:4821")))
    list(pager.diagnose(needs(), send_test=True))  # type: ignore[attr-defined]
    seen = list(world.opsgenie.seen)
    operations = {(s.method, s.path.rsplit("/", 1)[-1]) for s in seen}
    assert {("POST", "alerts"), ("POST", "acknowledge"), ("POST", "close")} <= operations
    assert {("GET", "account")} <= operations and any("/requests/" in s.path for s in seen)
    assert [p for s in seen for p in opsgenie_problems(s)] == []


@pytest.mark.parametrize(
    ("path", "query", "body", "problem"),
    [
        ("/v2/alerts", {}, {"alias": "a"}, "'message' is a required property"),
        ("/v2/alerts", {}, {"message": "m", "priority": "P9"}, "is not one of"),
        ("/v2/alerts", {}, {"message": "m", "details": {"n": 1}}, "is not of type 'string'"),
        ("/v2/alerts", {}, {"message": "m", "severity": "x"}, "unknown property severity"),
        ("/v2/alerts/a/notes", {"identifierType": "alias"}, {}, "'note' is a required property"),
        ("/v2/alerts/a/close", {"identifierType": "key"}, {}, "identifierType='key'"),
        ("/v2/alerts/a/resolve", {}, {}, "no such operation"),
    ],
)
def test_bad_requests_break_the_opsgenie_contract(
    path: str, query: dict[str, str], body: dict[str, object], problem: str
) -> None:
    headers = {"Authorization": "GenieKey k"}
    bad = Seen("POST", path, query, {}, json.dumps(body).encode(), headers)
    assert any(problem in p for p in opsgenie_problems(bad)), opsgenie_problems(bad)
    unsigned = Seen("GET", "/v2/account", {}, {}, b"", {"Authorization": "Bearer k"})
    assert opsgenie_problems(unsigned) == ["getInfo: no GenieKey Authorization header"]
