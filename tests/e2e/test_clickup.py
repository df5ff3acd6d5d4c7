"""ClickUp end to end: an escalated ticket solved → the root-cause task in the list (due at the
RCA deadline, assigned, tagged); the task completed in ClickUp → the RCA recorded on the ticket
(a note, no overdue reminders); duplicates and forged or broken webhooks change nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import requests

from bridge.runtime import runtime
from bridge.store import sentlog
from connectors.base import TicketKey
from sandbox.clickup import wire
from sandbox.world import CLICKUP_WEBHOOK_SECRET
from tests.e2e.conftest import Bridge
from tests.e2e.effects import assert_exactly_once
from tests.e2e.test_flows_back import paged_ticket
from tests.support.drivers import Desk


def solved_escalation(bridge: Bridge, desk: Desk) -> tuple[str, dict[str, Any], datetime]:
    """A Critical ticket escalated to L3, then solved: its root-cause task, when it was solved."""
    ticket, _ = paged_ticket(bridge, desk)
    solved_at = bridge.clock()
    desk.set(ticket, status="solved")
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    tasks = [t for t in bridge.world.clickup.task_list() if f"#{ticket})" in t["name"]]
    assert len(tasks) == 1, [t["name"] for t in bridge.world.clickup.task_list()]
    return ticket, tasks[0], solved_at


def test_a_solved_escalation_gets_one_root_cause_task(bridge: Bridge, desk: Desk) -> None:
    ticket, task, solved_at = solved_escalation(bridge, desk)
    assert task["name"].startswith("Root cause: ")
    assert task["status"]["status"] == "to do"
    assert task["priority"]["priority"] == "urgent"  # Critical
    assert int(task["due_date"]) == int((solved_at + timedelta(hours=48)).timestamp() * 1000)
    assert {"escalation-bridge", "rca", "l3", "critical"} <= {t["name"] for t in task["tags"]}
    description = task["markdown_description"]
    assert "[RCA] Root-cause analysis requested" in description
    assert f"#{ticket}](" in description  # a link to the ticket
    # Nothing more on later ticks or another webhook for the same ticket.
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    assert len([t for t in bridge.world.clickup.task_list() if f"#{ticket})" in t["name"]]) == 1


def test_a_low_csat_follow_up_asks_the_follow_up_team_for_the_root_cause(
    bridge: Bridge, desk: Desk
) -> None:
    """The demo's "CSAT 2 on a solved ticket": its follow-up is owned at L2, so the solved
    ticket's root cause is asked for there, and the ClickUp page shows the task."""
    with bridge.clock.ago(hours=3):
        ticket = desk.create("Password reset mail never arrives", priority="low")
    desk.set(ticket, status="solved")
    desk.csat(ticket, 2)
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    [task] = [t for t in bridge.world.clickup.task_list() if f"#{ticket})" in t["name"]]
    # Intercom has only a priority flag: an unflagged conversation is Medium, not Low.
    severity = "medium" if desk.name == "intercom" else "low"
    assert {"l2", severity} <= {t["name"] for t in task["tags"]}
    page = requests.get(bridge.world.clickup.base_url + "/", timeout=5).text
    assert "Password reset mail never arrives" in page and "Complete</button>" in page


def test_completing_the_task_in_clickup_records_the_rca_on_the_ticket(
    bridge: Bridge, desk: Desk
) -> None:
    ticket, task, _ = solved_escalation(bridge, desk)
    bridge.world.clickup.complete(task["id"])
    assert bridge.world.clickup.delivered[-1][1] == 202
    bridge.run()
    notes = [n for n in desk.notes(ticket) if "Root-cause task completed in ClickUp" in n]
    assert len(notes) == 1 and "by Ana Ruiz" in notes[0] and task["url"] in notes[0]
    # Recorded: the RCA deadline passes without an overdue reminder.
    requests_before = [n for n in desk.notes(ticket) if n.startswith("[RCA]")]
    bridge.clock.advance(hours=49)
    bridge.run()
    assert [n for n in desk.notes(ticket) if n.startswith("[RCA]")] == requests_before
    assert not [n for n in desk.notes(ticket) if "Root-cause write-up is overdue" in n]


def test_an_rca_written_on_the_ticket_completes_the_task(bridge: Bridge, desk: Desk) -> None:
    ticket, task, _ = solved_escalation(bridge, desk)
    bridge.clock.advance(hours=3)
    desk.agent_note(ticket, "[RCA] A config push disabled checkout; rollback and a canary.")
    # A note changes nothing Freshdesk's webhook body shows (stored once): sync sees it.
    bridge.jobs.sync()
    bridge.run()
    [done] = [t for t in bridge.world.clickup.task_list() if t["id"] == task["id"]]
    assert done["status"] == {**done["status"], "status": "complete", "type": "closed"}
    # ClickUp's webhook about the bridge's own change is no news: no note about it.
    assert bridge.world.clickup.delivered[-1][1] == 202
    bridge.run()
    assert not [n for n in desk.notes(ticket) if "Root-cause task completed" in n]


def test_a_lost_create_answer_makes_no_second_task(bridge: Bridge, desk: Desk) -> None:
    """ClickUp made the task but its answer never came (a crash or a gateway timeout): the
    retry finds the task by its marker; every effect exists exactly once."""
    bridge.world.clickup.lose_answer("createTask")
    ticket, task, _ = solved_escalation(bridge, desk)  # asserts exactly one task
    assert bridge.world.clickup.calls["createTask"] == 1
    assert bridge.world.clickup.calls["getTasks"] == 1
    counted = assert_exactly_once(runtime(bridge.app).db, bridge.world, teams_repeats=0)
    assert counted["task.create"] == 1
    with runtime(bridge.app).db.connect() as connection:
        assert sentlog.incident_ticket(connection, "clickup", task["id"]) == TicketKey(
            desk.name, ticket
        )


def test_a_duplicate_or_replayed_webhook_is_stored_once(bridge: Bridge, desk: Desk) -> None:
    ticket, task, _ = solved_escalation(bridge, desk)
    world = bridge.world.clickup
    world.complete(task["id"])
    [hook] = [h for h in world.hooks() if h.endpoint.endswith("/webhooks/clickup")]
    before = {"status": "to do", "color": "#d3d3d3", "orderindex": 0, "type": "open"}
    after = {"status": "complete", "color": "#6bc950", "orderindex": 3, "type": "closed"}
    replay = wire.status_changed(
        webhook_id=hook.id,
        task_id=task["id"],
        history_id="1",
        list_id=world.list_id,
        date_ms=0,
        before=before,
        after=after,
        user={"id": 1, "username": "Mallory"},
    )
    assert world.send_webhook(hook, replay) == 202
    assert world.send_webhook(hook, replay) == 202  # the same signed ids: a duplicate
    bridge.run()
    notes = [n for n in desk.notes(ticket) if "Root-cause task completed" in n]
    assert len(notes) == 1 and "Mallory" not in notes[0]


def signed(body: bytes, secret: str = CLICKUP_WEBHOOK_SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Signature": wire.signature(secret, body)}


def test_the_webhook_endpoint_refuses_bad_input(bridge: Bridge, desk: Desk) -> None:
    endpoint = f"{bridge.url}/webhooks/clickup"
    body = json.dumps({"event": "taskStatusUpdated", "task_id": "x", "webhook_id": "w"}).encode()
    cases = [
        (body, {"Content-Type": "application/json"}, 401),  # no signature
        (body, signed(body, "another secret"), 401),
        (body, {**signed(body), "X-Signature": "zz"}, 401),
        (b"{not json", signed(b"{not json"), 400),
        (b'{"event": 1}', signed(b'{"event": 1}'), 400),
        (b"[]", signed(b"[]"), 400),
        (body, {**signed(body), "Content-Type": "text/plain"}, 415),
    ]
    for data, headers, expected in cases:
        answer = requests.post(endpoint, data=data, headers=headers, timeout=5)
        assert answer.status_code == expected, (data, headers, answer.status_code)
    # A signed event about a task the bridge never made, or another event: stored, ignored.
    other = json.dumps({"event": "taskCreated", "task_id": "y", "webhook_id": "w"}).encode()
    for data in (body, other):
        assert (
            requests.post(endpoint, data=data, headers=signed(data), timeout=5).status_code == 202
        )
    bridge.run()
