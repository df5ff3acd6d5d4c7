from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.actions import EscalationView, TicketCard, ViewChange
from connectors.base import AuthError, PermanentError, RetryableError
from connectors.slack.blocks import build_escalation_message, build_thread_reply
from connectors.slack.client import SlackClient
from connectors.slack.messages import build_plain
from policies.model import Severity, Tier
from sandbox.common import Fault, Served, serve
from sandbox.slack import SlackSandbox

FIXTURES = Path(__file__).parents[2] / "fixtures" / "slack"
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


def notifier(served: Served, fake: FakeTime | None = None, **kwargs: Any) -> SlackClient:
    fake = fake or FakeTime()
    return SlackClient(
        kwargs.pop("token", TOKEN),
        base_url=served.url + "/api/",
        clock=fake.clock,
        sleep=fake.sleep,
        **kwargs,
    )


def escalation() -> EscalationView:
    ticket = TicketCard(
        source="zendesk",
        ticket_id="123",
        url="https://acme.zendesk.com/agent/tickets/123",
        subject="Checkout fails",
        status="open",
        priority="urgent",
    )
    return EscalationView(ticket=ticket, severity=Severity.CRITICAL, tier=Tier.L2, reason="Why")


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
    sender.update_message(
        CHANNEL,
        ts,
        build_escalation_message(ViewChange(acknowledged_by="U0ACK").apply(escalation())),
    )

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
    ts = notifier(served).post_ephemeral(CHANNEL, "U0ME", build_plain("Only you can see this"))
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
    sender = SlackClient(TOKEN, base_url="http://127.0.0.1:9/api/", timeout=2)
    with pytest.raises(RetryableError, match="connection failed"):
        sender.post_message(CHANNEL, {"text": "hi"})


def test_usergroup_members(
    slack: tuple[SlackSandbox, Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, served = slack
    monkeypatch.setattr(sandbox, "usergroups", {"S0LEADS": ("U0ANA", "U0BO")})
    assert notifier(served).usergroup_members("S0LEADS") == {"U0ANA", "U0BO"}
    with pytest.raises(PermanentError, match="no_such_subteam"):
        notifier(served).usergroup_members("S0NONE")
    monkeypatch.setattr(sandbox, "scopes", sandbox.scopes - {"usergroups:read"})
    with pytest.raises((PermanentError, AuthError), match="usergroups:read"):
        notifier(served).usergroup_members("S0LEADS")
