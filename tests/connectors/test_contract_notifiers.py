"""The notifier contracts: every chat provider and every pager, against its sandbox over HTTP,
makes each outbox action's effect once and types its failures. A new provider proves it by
adding one line to ``CHATS`` or ``PAGERS``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from bridge.config import Settings
from bridge.store import outbox
from bridge.store.sentlog import SentLog
from bridge.worker.integrations import Integrations, build_integrations
from connectors.actions import (
    Action,
    ActionKind,
    ChatAlert,
    ChatPost,
    EscalationView,
    NewAction,
    PageAcknowledge,
    PageTrigger,
    Payload,
    TicketCard,
    ViewChange,
)
from connectors.base import Notifier, PermanentError, RetryableError, TicketKey
from connectors.provider import BuildContext
from policies.model import Severity, Tier
from sandbox.common import Fault, FaultPlan
from sandbox.world import SandboxWorld
from tests.conftest import FrozenClock
from tests.connectors.conftest import CONTRACT_START as START

TICKET = TicketKey("zendesk", "4821")
CARD = TicketCard(source="zendesk", ticket_id="4821", subject="Checkout down", status="open")
VIEW = EscalationView(ticket=CARD, severity=Severity.CRITICAL, tier=Tier.L2, reason="15 min at L1")


@dataclass(frozen=True)
class Chat:
    """How a contract test reads one chat stand-in and names its channels."""

    count: Callable[[SandboxWorld, str], tuple[int, int]]  # (ticket messages, follow-ups)
    escalations: str
    support: str
    missing: str
    rate_limit: Callable[[SandboxWorld, float], None]


def posted(world: SandboxWorld, channel: str) -> tuple[int, int]:
    """Messages in the channel, and replies under them."""
    parents = world.slack.messages(channel)
    return len(parents), sum(len(world.slack.thread(channel, m["ts"])) for m in parents)


def teams_cards(world: SandboxWorld, variable: str) -> tuple[int, int]:
    """Cards in the channel whose webhook ``variable`` holds: fresh escalation cards (they open
    with the large severity line), and the cards posted after them."""
    url = world.environment()[variable]
    channel = next(c for c in world.teams.state.channels if world.teams.webhook_url(c) == url)
    cards = world.teams.cards(channel)
    fresh = sum(1 for card in cards if card["body"][0].get("size") == "Large")
    return fresh, len(cards) - fresh


def slack_busy(world: SandboxWorld, retry_after: float) -> None:
    world.slack.faults.inject("*", Fault(status=429, retry_after=retry_after, body={"ok": False}))


def teams_busy(world: SandboxWorld, retry_after: float) -> None:
    world.teams.rate_limit(retry_after=retry_after)


@dataclass(frozen=True)
class Pager:
    """How a contract test reads one pager stand-in, names its key and breaks it."""

    count: Callable[[SandboxWorld, str], int]  # alerts or incidents opened for a key
    routing: str  # the variable holding the key
    faults: Callable[[SandboxWorld], FaultPlan]
    refusal: object  # a body the service answers a bad request with


def pages(world: SandboxWorld, key: str) -> int:
    return len(world.pagerduty.incidents_for(key))


def alerts(world: SandboxWorld, key: str) -> int:
    return len(world.opsgenie.alerts_for(key))


CHATS: dict[str, Chat] = {
    "slack": Chat(posted, "#support-escalations", "#support", "#no-such", slack_busy),
    "teams": Chat(
        teams_cards, "TEAMS_WEBHOOK_URL", "TEAMS_SUPPORT_URL", "TEAMS_NO_SUCH_URL", teams_busy
    ),
}
PAGERS: dict[str, Pager] = {
    "pagerduty": Pager(
        pages, "PAGERDUTY_ROUTING_KEY", lambda w: w.pagerduty.faults, {"status": "invalid event"}
    ),
    "opsgenie": Pager(
        alerts, "OPSGENIE_API_KEY", lambda w: w.opsgenie.faults, {"message": "not processable"}
    ),
}


@pytest.fixture
def integrations(world: SandboxWorld, world_clock: FrozenClock) -> Iterator[Integrations]:
    for service in (world.slack, world.teams, world.pagerduty, world.opsgenie):
        service.reset()
    environment = {**world.environment(), **world.opsgenie_environment()}
    built = build_integrations(Settings.from_env(environment), BuildContext(clock=world_clock))
    yield built
    built.close()


class Outbox:
    """Actions as the delivery loop hands them over, recorded like it records them."""

    def __init__(self, engine: Engine, provider: str) -> None:
        self.engine, self.provider = engine, provider

    def action(self, key: str, payload: Payload, attempts: int = 1) -> Action:
        with self.engine.begin() as connection:
            outbox.enqueue(connection, [NewAction(key, TICKET, self.provider, payload)], START)
            rows = outbox.listing(connection, outbox.PENDING)
        row = next(r for r in rows if r["idempotency_key"] == key)
        return Action(row["id"], key, TICKET, self.provider, payload, attempts, START)

    def deliver(self, notifier: Notifier, action: Action) -> dict[str, object]:
        reference = notifier.deliver(action, SentLog(self.engine, self.provider, lambda: START))
        with self.engine.begin() as connection:
            outbox.mark_done(connection, action.id, reference, START)
        return reference


@pytest.mark.parametrize("name", sorted(CHATS))
def test_chat_posts_the_message_once_then_threads_and_edits(
    name: str,
    integrations: Integrations,
    world: SandboxWorld,
    engine: Engine,
    world_clock: FrozenClock,
) -> None:
    chat, box, spec = integrations.notifiers[name], Outbox(engine, name), CHATS[name]
    channel = spec.escalations
    first = box.action("k1", ChatPost(channel=channel, view=VIEW))
    box.deliver(chat, first)
    box.deliver(chat, dataclasses.replace(first, attempts=2))  # a retry
    assert spec.count(world, channel) == (1, 0)
    world_clock.advance(seconds=2)  # chat tools pace posts per channel
    later = ChatPost(
        channel=channel, view=VIEW, change=ViewChange(acknowledged_by="Ana"), line="Ack'd"
    )
    box.deliver(chat, box.action("k2", later))
    assert spec.count(world, channel) == (1, 1)


@pytest.mark.parametrize("name", sorted(CHATS))
def test_chat_alert_is_posted_once_even_when_retried(
    name: str, integrations: Integrations, world: SandboxWorld, engine: Engine
) -> None:
    chat, box, spec = integrations.notifiers[name], Outbox(engine, name), CHATS[name]
    alert = box.action("alert", ChatAlert(channel=spec.support, text="Ownership gap"))
    box.deliver(chat, alert)
    box.deliver(chat, dataclasses.replace(alert, attempts=3))
    assert sum(spec.count(world, spec.support)) == 1


@pytest.mark.parametrize("name", sorted(CHATS))
def test_chat_failures_are_typed(
    name: str, integrations: Integrations, world: SandboxWorld, engine: Engine
) -> None:
    chat, box, spec = integrations.notifiers[name], Outbox(engine, name), CHATS[name]
    spec.rate_limit(world, 4)
    with pytest.raises(RetryableError) as raised:
        box.deliver(chat, box.action("busy", ChatAlert(channel=spec.support, text="x")))
    assert raised.value.retry_after == 4
    with pytest.raises(PermanentError):
        box.deliver(chat, box.action("nowhere", ChatAlert(channel=spec.missing, text="x")))


def trigger(key: str, routing: str = "PAGERDUTY_ROUTING_KEY") -> PageTrigger:
    return PageTrigger(
        routing=routing,
        dedup_key=key,
        ticket=CARD,
        severity=Severity.CRITICAL,
        tier=Tier.L3,
        rule="matrix",
        route="L3",
        reason="2 h at L2",
    )


@pytest.mark.parametrize("name", sorted(PAGERS))
def test_pager_opens_one_incident_per_ticket_and_follows_up_through_it(
    name: str, integrations: Integrations, world: SandboxWorld, engine: Engine
) -> None:
    pager, box, spec = integrations.notifiers[name], Outbox(engine, name), PAGERS[name]
    box.deliver(pager, box.action("t1", trigger("zendesk:4821", spec.routing)))
    # a second page for the same ticket
    box.deliver(pager, box.action("t2", trigger("zendesk:4821", spec.routing)))
    assert spec.count(world, "zendesk:4821") == 1
    with engine.connect() as connection:
        assert outbox.reference_of(connection, name, TICKET, ActionKind.PAGE_TRIGGER)
    acknowledged = box.deliver(pager, box.action("a1", PageAcknowledge(dedup_key="zendesk:4821")))
    assert acknowledged["dedup_key"] == "zendesk:4821"


@pytest.mark.parametrize("name", sorted(PAGERS))
def test_pager_failures_are_typed(
    name: str, integrations: Integrations, world: SandboxWorld, engine: Engine
) -> None:
    pager, box, spec = integrations.notifiers[name], Outbox(engine, name), PAGERS[name]
    spec.faults(world).inject("*", Fault(status=503))
    with pytest.raises(RetryableError):
        box.deliver(pager, box.action("down", trigger("zendesk:1", spec.routing)))
    spec.faults(world).inject("*", Fault(status=400, body=spec.refusal))
    with pytest.raises(PermanentError):
        box.deliver(pager, box.action("bad", trigger("zendesk:2", spec.routing)))
