"""Replays: a captured, validly signed PagerDuty delivery sent again cannot act twice, and one
sent late is not acted on at all (V3 signatures carry no timestamp)."""

from __future__ import annotations

from sandbox.pagerduty.wire import webhook_body
from tests.e2e.conftest import Bridge
from tests.e2e.test_flows_back import ENGINEERING, paged_ticket
from tests.support.drivers import Desk
from tests.support.store import count_inbound


def test_a_signed_note_replayed_with_new_webhook_ids_makes_one_note(
    bridge: Bridge, desk: Desk
) -> None:
    ticket, parent_ts = paged_ticket(bridge, desk)
    pagerduty = bridge.world.pagerduty
    [incident] = pagerduty.incidents_for(f"{desk.name}:{ticket}")
    body = webhook_body(
        incident, "incident.annotated", "Olu", "Rolled back the deploy", occurred_at=bridge.clock()
    )
    url = f"{bridge.url}/webhooks/pagerduty"
    # Each send carries a new X-Webhook-Id, as a replay can: the signature does not cover it.
    answers = [pagerduty.send_webhook(url, body) for _ in range(5)]
    assert [a.status_code for a in answers] == [202] * 5
    assert [a.json()["duplicate"] for a in answers] == [False, True, True, True, True]
    bridge.run()

    notes = [n for n in desk.notes(ticket) if "Rolled back the deploy" in n]
    assert len(notes) == 1
    thread = bridge.world.slack.thread(ENGINEERING, parent_ts)
    assert len([m for m in thread if "Rolled back the deploy" in m["text"]]) == 1


def test_a_signed_event_older_than_the_window_is_answered_and_ignored(
    bridge: Bridge, desk: Desk
) -> None:
    ticket, _parent_ts = paged_ticket(bridge, desk)
    pagerduty = bridge.world.pagerduty
    [incident] = pagerduty.incidents_for(f"{desk.name}:{ticket}")
    body = webhook_body(
        incident, "incident.annotated", "Eve", "Replayed note", occurred_at=bridge.clock()
    )
    engine = bridge.app.extensions["bridge"].db
    before = count_inbound(engine)
    bridge.clock.advance(minutes=6)  # PAGERDUTY_WEBHOOK_MAX_AGE_MINUTES defaults to 5
    answer = pagerduty.send_webhook(f"{bridge.url}/webhooks/pagerduty", body)
    # 2xx: PagerDuty disables a subscription after 3 deliveries dropped with a 4xx.
    assert answer.status_code == 202 and answer.json()["status"] == "ignored"
    assert count_inbound(engine) == before
    bridge.run()
    assert not [n for n in desk.notes(ticket) if "Replayed note" in n]
