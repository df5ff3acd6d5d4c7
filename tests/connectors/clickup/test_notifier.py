"""The ClickUp provider against its stand-in, over real HTTP: one task per root-cause request,
found again when the create's answer was lost, completed with the list's closed status, its
failures typed; ``bridge setup clickup`` finds or creates the webhook once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bridge.store import outbox, sentlog
from bridge.store.sentlog import SentLog
from connectors.actions import Action, FollowUpDone, FollowUpTask, NewAction, Payload, TicketCard
from connectors.base import AuthError, PermanentError, Reference, RetryableError, TicketKey
from connectors.clickup import ClickUpClient, ClickUpNotifier, ClickUpSettings
from connectors.clickup.setup import setup_clickup
from policies.model import Severity
from sandbox.clickup import ClickUpSandbox
from sandbox.common import Fault, serve
from tests.conftest import FrozenClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TICKET = TicketKey("zendesk", "4821")
TOKEN = "pk_test_token"
TASK = FollowUpTask(
    ticket=TicketCard(source="zendesk", ticket_id="4821", subject="Checkout down"),
    request="[RCA] Root-cause analysis requested",
    severity=Severity.HIGH,
    due=START + timedelta(hours=48),
    owner="lee@example.com",
    tags=("rca", "l2", "high"),
)


@pytest.fixture(scope="module")
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture(scope="module")
def served(clock: FrozenClock) -> Iterator[ClickUpSandbox]:
    sandbox = ClickUpSandbox(token=TOKEN, clock=lambda: clock().timestamp())
    with serve(sandbox):
        yield sandbox


@pytest.fixture
def clickup(served: ClickUpSandbox, clock: FrozenClock) -> ClickUpSandbox:
    served.reset()
    clock.now += timedelta(minutes=2)  # a fresh rate-limit window
    return served


def notifier(
    sandbox: ClickUpSandbox, clock: FrozenClock, token: str = TOKEN, **settings: str
) -> ClickUpNotifier:
    stamp = lambda: clock().timestamp()  # noqa: E731
    client = ClickUpClient(token, base_url=f"{sandbox.base_url}/api/v2", clock=stamp)
    config = ClickUpSettings.from_env(
        {"CLICKUP_API_TOKEN": token, "CLICKUP_LIST_ID": sandbox.list_id, **settings}
    )
    return ClickUpNotifier(
        client,
        config.list_id or "",
        assignees=config.assignees,
        webhook_secret_set=config.webhook_secret is not None,
        clock=stamp,
    )


class Box:
    def __init__(self, engine: Engine, clock: FrozenClock) -> None:
        self.engine, self.clock = engine, clock

    def action(self, key: str, payload: Payload, attempts: int = 1) -> Action:
        with self.engine.begin() as connection:
            outbox.enqueue(connection, [NewAction(key, TICKET, "clickup", payload)], self.clock())
            rows = outbox.listing(connection, outbox.PENDING)
        row = next(r for r in rows if r["idempotency_key"] == key)
        return Action(row["id"], key, TICKET, "clickup", payload, attempts, self.clock())

    def deliver(self, provider: ClickUpNotifier, action: Action) -> Reference:
        reference = provider.deliver(action, SentLog(self.engine, "clickup", self.clock))
        with self.engine.begin() as connection:
            outbox.mark_done(connection, action.id, reference, self.clock())
        return reference


def test_a_task_is_created_once_assigned_and_completed(
    clickup: ClickUpSandbox, clock: FrozenClock, engine: Engine
) -> None:
    provider, box = notifier(clickup, clock), Box(engine, clock)
    created = box.action("zendesk:4821:rca:clickup.task", TASK)
    reference = box.deliver(provider, created)
    [task] = clickup.task_list()
    assert reference == {"task_id": task["id"], "url": task["url"], "list_id": clickup.list_id}
    assert [a["id"] for a in task["assignees"]] == [184]  # lee@example.com, a list member
    assert task["priority"]["priority"] == "high"
    with engine.connect() as connection:  # ClickUp's webhooks name only the task
        assert sentlog.incident_ticket(connection, "clickup", task["id"]) == TICKET

    clock.now += timedelta(minutes=1)
    box.deliver(provider, dataclasses.replace(created, attempts=2))  # after a crash
    assert len(clickup.task_list()) == 1

    done = box.deliver(provider, box.action("done", FollowUpDone(reason="recorded")))
    assert done == {"task_id": task["id"], "status": "complete"}
    [task] = clickup.task_list()
    assert task["status"]["type"] == "closed" and task["date_closed"]


def test_a_lost_answer_is_found_by_the_marker_not_made_twice(
    clickup: ClickUpSandbox, clock: FrozenClock, engine: Engine
) -> None:
    provider, box = notifier(clickup, clock), Box(engine, clock)
    other = box.action("zendesk:1:rca:clickup.task", TASK)
    box.deliver(provider, other)  # another ticket's task in the list
    lost = box.action("zendesk:4821:rca:clickup.task", TASK)
    provider.deliver(lost, SentLog(engine, "clickup", clock))  # made, then the worker died
    clock.now += timedelta(seconds=30)
    reference = box.deliver(provider, dataclasses.replace(lost, attempts=2))
    tasks = clickup.task_list()
    assert len(tasks) == 2
    mine = next(t for t in tasks if t["id"] == reference["task_id"])
    assert "zendesk:4821:rca:clickup.task" in mine["markdown_description"]


def test_an_unknown_owner_leaves_the_task_unassigned_and_the_mapping_wins(
    clickup: ClickUpSandbox, clock: FrozenClock, engine: Engine
) -> None:
    box = Box(engine, clock)
    box.deliver(notifier(clickup, clock), box.action("a", TASK.model_copy(update={"owner": "x"})))
    mapped = notifier(clickup, clock, CLICKUP_ASSIGNEES="Platform team=185")
    box.deliver(mapped, box.action("b", TASK.model_copy(update={"owner": "platform TEAM"})))
    assignees = {t["markdown_description"][-2:]: t["assignees"] for t in clickup.task_list()}
    assert [a["id"] for a in assignees["a`"]] == [] and [a["id"] for a in assignees["b`"]] == [185]


def test_completing_without_a_task_is_skipped(
    clickup: ClickUpSandbox, clock: FrozenClock, engine: Engine
) -> None:
    box = Box(engine, clock)
    skipped = box.deliver(notifier(clickup, clock), box.action("d", FollowUpDone(reason="x")))
    assert "skipped" in skipped and clickup.calls.total() == 0


def test_no_task_is_made_once_the_root_cause_was_recorded_without_one(
    clickup: ClickUpSandbox, clock: FrozenClock, engine: Engine
) -> None:
    """The create failed and waits for a retry; meanwhile the RCA is written on the ticket and
    its completion finds no task. The retry then makes none: nothing would ever close it."""
    provider, box = notifier(clickup, clock), Box(engine, clock)
    waiting = box.action("zendesk:4821:rca:clickup.task", TASK)
    box.deliver(provider, box.action("done", FollowUpDone(reason="recorded")))
    skipped = box.deliver(provider, dataclasses.replace(waiting, attempts=2))
    assert "skipped" in skipped and clickup.task_list() == []


def test_failures_are_typed(clickup: ClickUpSandbox, clock: FrozenClock, engine: Engine) -> None:
    box = Box(engine, clock)
    with pytest.raises(AuthError, match="CLICKUP_API_TOKEN") as refused:
        box.deliver(notifier(clickup, clock, token="pk_wrong"), box.action("a", TASK))
    assert "pk_wrong" not in str(refused.value)
    clickup.faults.inject("createTask", Fault(status=503))
    with pytest.raises(RetryableError):
        box.deliver(notifier(clickup, clock), box.action("b", TASK))
    clickup.faults.inject("createTask", Fault(status=400, body={"err": "bad", "ECODE": "X_1"}))
    with pytest.raises(PermanentError, match=r"bad \(X_1\)"):
        box.deliver(notifier(clickup, clock), box.action("c", TASK))


def test_the_rate_limit_says_when_to_come_back(
    clickup: ClickUpSandbox, clock: FrozenClock, engine: Engine
) -> None:
    client = notifier(clickup, clock).client
    for _ in range(100):
        client.user()
    clock.now += timedelta(seconds=20)
    with pytest.raises(RetryableError) as limited:
        client.user()
    assert limited.value.status == 429 and limited.value.retry_after == 40


def test_setup_creates_the_webhook_once_and_checks_the_secret(
    clickup: ClickUpSandbox, clock: FrozenClock
) -> None:
    provider = notifier(clickup, clock)
    url = "https://bridge.example.com/"
    dry = setup_clickup(provider, url=url, team_id=None, secret=None, dry_run=True)
    assert dry[0].startswith("would create webhook") and clickup.state.webhooks == []
    first = setup_clickup(provider, url=url, team_id=None, secret=None)
    [hook] = clickup.state.webhooks
    assert first[0] == f"created webhook: {hook.id} -> https://bridge.example.com/webhooks/clickup"
    assert hook.events == ["taskStatusUpdated"] and hook.list_id == clickup.list_id
    assert hook.secret not in "\n".join(first)  # printed only when asked
    again = setup_clickup(provider, url=url, team_id=clickup.team_id, secret=hook.secret)
    assert again == [
        f"webhook exists: {hook.id} -> https://bridge.example.com/webhooks/clickup",
        "CLICKUP_WEBHOOK_SECRET matches the webhook's secret",
    ]
    shown = setup_clickup(provider, url=url, team_id=None, secret="old", show_secret=True)
    assert shown[-1] == f"CLICKUP_WEBHOOK_SECRET={hook.secret}"
    assert len(clickup.state.webhooks) == 1


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"CLICKUP_API_TOKEN": "pk_x"}, "set CLICKUP_LIST_ID"),
        ({"CLICKUP_LIST_ID": "1"}, "set CLICKUP_API_TOKEN"),
        ({"CLICKUP_API_TOKEN": "pk", "CLICKUP_LIST_ID": "1", "CLICKUP_ASSIGNEES": "ana"}, "owner="),
        ({"CLICKUP_API_TOKEN": "pk", "CLICKUP_LIST_ID": "1", "CLICKUP_ASSIGNEES": "a=b"}, "owner="),
    ],
)
def test_settings_refuse_half_a_configuration(environment: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClickUpSettings.from_env(environment)


def test_settings_read_the_assignee_mapping() -> None:
    settings = ClickUpSettings.from_env(
        {
            "CLICKUP_API_TOKEN": "pk",
            "CLICKUP_LIST_ID": "1",
            "CLICKUP_ASSIGNEES": " Ana@Example.com=183, L3 engineering = 184 ,",
        }
    )
    assert settings.assignees == {"ana@example.com": 183, "l3 engineering": 184}
    assert settings.describe() == "ClickUp: configured (list 1, no webhook secret)"
