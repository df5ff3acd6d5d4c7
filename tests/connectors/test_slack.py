from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from connectors.http import AuthError, PermanentError, RetryableError
from connectors.slack import (
    ActionKind,
    CommandKind,
    SlackAuthorization,
    SlackNotifier,
    TicketRef,
    parse_action,
    parse_command,
)
from connectors.slack_blocks import (
    EscalationMessage,
    build_escalation_message,
    build_parent_update,
    build_thread_reply,
)
from policies.model import Priority, Severity, Source, Status, Ticket, Tier
from sandbox.common import Fault, Served, serve
from sandbox.slack import SlackSandbox

FIXTURES = Path(__file__).parents[1] / "fixtures" / "slack"
TOKEN = "xoxb-test-token"
CHANNEL = "C0ESCALATE"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class FakeTime:
    """Monotonic clock and sleep in one: sleeping moves the clock."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture(scope="module")
def served_slack() -> Iterator[tuple[SlackSandbox, Served]]:
    sandbox = SlackSandbox(token=TOKEN, channels=[CHANNEL, "C0OTHER"], archived=["C0OLD"])
    with serve(sandbox) as served:
        yield sandbox, served


@pytest.fixture
def slack(served_slack: tuple[SlackSandbox, Served]) -> tuple[SlackSandbox, Served]:
    served_slack[0].reset()
    return served_slack


def notifier(served: Served, fake: FakeTime | None = None, **kwargs: Any) -> SlackNotifier:
    fake = fake or FakeTime()
    return SlackNotifier(
        kwargs.pop("token", TOKEN),
        base_url=served.url + "/api/",
        clock=fake.clock,
        sleep=fake.sleep,
        **kwargs,
    )


def escalation() -> EscalationMessage:
    ticket = Ticket(
        source=Source.ZENDESK,
        id="123",
        url="https://acme.zendesk.com/agent/tickets/123",
        subject="Checkout fails",
        status=Status.OPEN,
        priority=Priority.URGENT,
        created_at=NOW,
        updated_at=NOW,
    )
    return EscalationMessage(ticket=ticket, severity=Severity.CRITICAL, tier=Tier.L2, reason="Why")


def test_post_thread_and_update_through_the_real_client(
    slack: tuple[SlackSandbox, Served],
) -> None:
    sandbox, served = slack
    fake = FakeTime()
    sender = notifier(served, fake)
    channel, ts = sender.post_message(CHANNEL, build_escalation_message(escalation()))
    assert channel == CHANNEL
    reply_channel, reply_ts = sender.post_message(
        CHANNEL, build_thread_reply("Acknowledged", actor="U0ACK"), thread_ts=ts
    )
    sender.update_message(CHANNEL, ts, build_parent_update(escalation(), acknowledged_by="U0ACK"))

    assert fake.slept == [1.0]  # one post per second per channel
    [parent] = sandbox.messages(CHANNEL)
    assert parent["ts"] == ts and "edited" in parent
    assert "Acknowledged by" in json.dumps(parent["blocks"])
    assert [m["ts"] for m in sandbox.thread(CHANNEL, ts)] == [reply_ts]
    assert reply_channel == CHANNEL


def test_pacing_is_per_channel(slack: tuple[SlackSandbox, Served]) -> None:
    _, served = slack
    fake = FakeTime()
    sender = notifier(served, fake)
    sender.post_message(CHANNEL, {"text": "one"})
    sender.post_message("C0OTHER", {"text": "two"})
    assert fake.slept == []


def test_pacing_raises_instead_of_waiting_beyond_max_wait(
    slack: tuple[SlackSandbox, Served],
) -> None:
    sandbox, served = slack
    sender = notifier(served, max_wait=0)
    sender.post_message(CHANNEL, {"text": "one"})
    with pytest.raises(RetryableError) as caught:
        sender.post_message(CHANNEL, {"text": "two"})
    assert caught.value.retry_after == pytest.approx(1.0)
    assert sandbox.calls["chat.postMessage"] == 1


def test_post_ephemeral(slack: tuple[SlackSandbox, Served]) -> None:
    sandbox, served = slack
    ts = notifier(served).post_ephemeral(CHANNEL, "U0ME", "Only you can see this")
    assert sandbox.ephemeral == [
        {"channel": CHANNEL, "user": "U0ME", "ts": ts, "text": "Only you can see this"}
    ]


def test_429_is_retryable_with_retry_after_and_holds_the_channel(
    slack: tuple[SlackSandbox, Served],
) -> None:
    sandbox, served = slack
    sandbox.rate_limit("chat.postMessage", retry_after=7)
    sender = notifier(served)
    with pytest.raises(RetryableError) as caught:
        sender.post_message(CHANNEL, {"text": "hi"})
    assert (caught.value.status, caught.value.retry_after) == (429, 7.0)
    with pytest.raises(RetryableError):  # held back locally, Slack is not asked again
        sender.post_message(CHANNEL, {"text": "hi"})
    assert sandbox.calls["chat.postMessage"] == 1
    sender.post_message("C0OTHER", {"text": "other channels are not held"})


@pytest.mark.parametrize(
    ("kwargs", "channel", "error", "words"),
    [
        ({}, "C0MISSING", PermanentError, "channel_not_found"),
        ({}, "C0OLD", PermanentError, "is_archived"),
        ({"token": "xoxb-wrong"}, CHANNEL, AuthError, "SLACK_BOT_TOKEN"),
    ],
)
def test_api_errors_become_permanent_errors(
    slack: tuple[SlackSandbox, Served],
    kwargs: dict[str, Any],
    channel: str,
    error: type[Exception],
    words: str,
) -> None:
    _, served = slack
    with pytest.raises(error, match=words) as caught:
        notifier(served, **kwargs).post_message(channel, {"text": "hi"})
    assert not isinstance(caught.value, RetryableError)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retryable(slack: tuple[SlackSandbox, Served], status: int) -> None:
    sandbox, served = slack
    sandbox.faults.inject("chat.update", Fault(status=status, body="<html>down</html>"))
    with pytest.raises(RetryableError) as caught:
        notifier(served).update_message(CHANNEL, "1.000001", {"text": "x"})
    assert caught.value.status == status


def test_connection_refused_is_retryable() -> None:
    sender = SlackNotifier(TOKEN, base_url="http://127.0.0.1:9/api/", timeout=2)
    with pytest.raises(RetryableError, match="connection failed"):
        sender.post_message(CHANNEL, {"text": "hi"})


# ---- parse_action ----


def action_body(fixture: str, **action: str) -> bytes:
    payload = json.loads((FIXTURES / fixture).read_text())
    payload["actions"][0].update(action)
    return ("payload=" + quote(json.dumps(payload))).encode()


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "block_actions_payload.bolt_python_test.json",
            (
                "W111",
                "primary-owner",
                "C111",
                "111.222",
                "https://hooks.slack.com/actions/T111/111/random-value",
            ),
        ),
        (
            "block_actions_payload.docs_example.json",
            (
                "UA8RXUSPL",
                "jtorrance",
                "CBR2V3XEX",
                "1548261231.000200",
                "https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209",
            ),
        ),
    ],
)
@pytest.mark.parametrize(
    ("action_id", "kind"),
    [
        ("bridge.ack", ActionKind.ACK),
        ("bridge.own", ActionKind.OWN),
        ("bridge.escalate", ActionKind.ESCALATE),
        ("bridge.resolve", ActionKind.RESOLVE),
    ],
)
def test_parse_action_on_recorded_payloads(
    fixture: str, expected: tuple[str, ...], action_id: str, kind: ActionKind
) -> None:
    action = parse_action(action_body(fixture, action_id=action_id, value="freshdesk:45"))
    assert action.kind is kind
    assert action.ticket == TicketRef(Source.FRESHDESK, "45")
    user_id, user_name, channel_id, message_ts, response_url = expected
    assert (action.user_id, action.user_name, action.channel_id) == (user_id, user_name, channel_id)
    assert (action.message_ts, action.response_url) == (message_ts, response_url)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"payload=",
        b"payload=%7Bnot+json",
        b"payload=%5B%5D",
        b"\xff\xfe",
        ("payload=" + quote(json.dumps({"type": "view_submission"}))).encode(),
        ("payload=" + quote(json.dumps({"type": "block_actions", "actions": []}))).encode(),
        action_body("block_actions_payload.docs_example.json"),  # someone else's button
        action_body("block_actions_payload.docs_example.json", action_id="bridge.ack"),
        action_body(
            "block_actions_payload.docs_example.json", action_id="bridge.ack", value="jira:1"
        ),
    ],
)
def test_parse_action_rejects_garbage(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse_action(body)


# ---- parse_command ----


def command_body(**changes: str) -> bytes:
    vector = json.loads((FIXTURES / "slash_command_form.signing_test_vector.json").read_text())
    return urlencode({**vector["form_fields"], **changes}).encode()


def test_signing_vector_command_is_not_ours() -> None:
    vector = json.loads((FIXTURES / "slash_command_form.signing_test_vector.json").read_text())
    with pytest.raises(ValueError, match="Usage"):
        parse_command(vector["raw_body"].encode())


@pytest.mark.parametrize(
    ("command", "text", "kind", "ticket", "reason"),
    [
        ("/escalate", "zendesk:123", CommandKind.ESCALATE, "zendesk:123", ""),
        (
            "/escalate",
            "freshdesk:45 customer  wants a manager",
            CommandKind.ESCALATE,
            "freshdesk:45",
            "customer wants a manager",
        ),
        ("/escalate", "77 outage", CommandKind.ESCALATE, "77", "outage"),
        ("/escalation", "status zendesk:9", CommandKind.STATUS, "zendesk:9", ""),
        ("/escalation", "STATUS 9", CommandKind.STATUS, "9", ""),
    ],
)
def test_parse_command(
    command: str, text: str, kind: CommandKind, ticket: str, reason: str
) -> None:
    parsed = parse_command(command_body(command=command, text=text))
    assert (parsed.kind, parsed.ticket, parsed.reason) == (kind, ticket, reason)
    assert (parsed.user_id, parsed.user_name, parsed.channel_id) == (
        "U2CERLKJA",
        "roadrunner",
        "G8PSS9T3V",
    )
    assert parsed.response_url.startswith("https://hooks.slack.com/commands/")


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/escalate", ""),
        ("/escalate", "jira:1"),
        ("/escalate", "zendesk:abc"),
        ("/escalation", "status"),
        ("/escalation", "list 1"),
        ("/other", "zendesk:1"),
    ],
)
def test_parse_command_rejects_bad_input(command: str, text: str) -> None:
    with pytest.raises(ValueError, match="Usage"):
        parse_command(command_body(command=command, text=text))


# ---- authorization ----

GROUP = frozenset({"S1"})


@pytest.mark.parametrize(
    ("auth", "kind", "user", "groups", "allowed"),
    [
        (SlackAuthorization(), ActionKind.RESOLVE, "U1", (), True),
        (SlackAuthorization(frozenset({"U1"})), ActionKind.RESOLVE, "U1", (), True),
        (SlackAuthorization(frozenset({"U1"})), ActionKind.ESCALATE, "U2", (), False),
        (SlackAuthorization(frozenset({"U1"})), ActionKind.ACK, "U2", (), True),
        (SlackAuthorization(allowed_groups=GROUP), ActionKind.ESCALATE, "U2", ("S1",), True),
        (SlackAuthorization(allowed_groups=GROUP), ActionKind.RESOLVE, "U2", ("S2",), False),
    ],
)
def test_authorization(
    auth: SlackAuthorization, kind: ActionKind, user: str, groups: tuple[str, ...], allowed: bool
) -> None:
    assert auth.permits(kind, user, groups) is allowed
