"""Every trigger of the default policy, on both help desks, through the real clients over HTTP:
a signed webhook in, the right tier and route out, in Slack, PagerDuty and the ticket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bridge.runtime import runtime
from bridge.store import tickets as records
from policies.model import Tier
from tests.e2e.conftest import Bridge
from tests.support.drivers import Desk


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Bridge, Desk], str]  # returns the ticket id, webhook not yet sent
    tier: Tier
    group: str | None
    channels: tuple[str, ...]  # where a message about this ticket must appear
    paged: bool = False
    customer_ack: bool = True
    follow_up: bool = False  # a solved ticket's follow-up: the team gets it, no hand-over


def critical_unanswered(b: Bridge, d: Desk) -> str:
    with b.clock.ago(minutes=20):
        return d.create("Checkout is down", priority="urgent")


def critical_two_hours(b: Bridge, d: Desk) -> str:
    with b.clock.ago(hours=2, minutes=5):
        return d.create("Payments API answers 500", priority="urgent")


def vip(b: Bridge, d: Desk) -> str:
    return d.create("Invoice layout question", priority="low", vip=True)


def three_replies(b: Bridge, d: Desk) -> str:
    with b.clock.ago(minutes=30):
        ticket = d.create("Export misses columns")
    for text in ("Any news?", "Still waiting.", "Third time: when?"):
        d.comment(ticket, text)
    return ticket


def angry(b: Bridge, d: Desk) -> str:
    ticket = d.create("Sync fails")
    d.comment(ticket, "This is terrible, useless and awful. I am furious, worst service ever.")
    return ticket


def low_csat(b: Bridge, d: Desk) -> str:
    ticket = d.create("Password reset mail missing", priority="low")
    d.set(ticket, status="solved")
    d.csat(ticket, 2)
    return ticket


def warranty(b: Bridge, d: Desk) -> str:
    ticket = d.create("My blender broke after two weeks", priority="low")
    d.field(ticket, "Category", "Warranty")
    return ticket


def refund(b: Bridge, d: Desk) -> str:
    ticket = d.create("Refund for the cancelled order", priority="low")
    d.field(ticket, "Refund amount", "750.00")
    return ticket


def compliance(b: Bridge, d: Desk) -> str:
    ticket = d.create("Vendor review", priority="low")
    d.comment(ticket, "Our procurement needs your SOC 2 report and a signed DPA, please.")
    return ticket


def manager(b: Bridge, d: Desk) -> str:
    ticket = d.create("Duplicate charge")
    d.comment(ticket, "I want to speak to a manager, please!")
    return ticket


def legal(b: Bridge, d: Desk) -> str:
    ticket = d.create("Data export request")
    d.comment(ticket, "Under the GDPR I demand this; my lawyer is in copy.")
    return ticket


def bug_tag(b: Bridge, d: Desk) -> str:
    return d.create("Report totals are wrong", tags=("bug",))


def impact_tag(b: Bridge, d: Desk) -> str:
    return d.create("Nothing loads", priority="normal", tags=("system_down",))


def manual_tag(b: Bridge, d: Desk) -> str:
    return d.create("Please look at this", tags=("escalate_l3",))


def no_update(b: Bridge, d: Desk) -> str:
    # Created on Saturday: a Low ticket's business-hours matrix clock has not started by
    # Monday 09:00, so only the 24 h silence can move it.
    with b.clock.ago(hours=50):
        return d.create("Feature question", priority="low")


CASES = [
    Case(
        "critical past 15 min at L1",
        critical_unanswered,
        Tier.L2,
        "senior-support",
        ("#support-escalations", "#support-management"),
    ),
    Case(
        "critical 2 h old is L3 and paged",
        critical_two_hours,
        Tier.L3,
        "engineering-support",
        ("#support-engineering", "#support-management"),
        paged=True,
    ),
    Case(
        "VIP customer",
        vip,
        Tier.L2,
        "senior-support",
        ("#support-escalations", "#customer-success"),
    ),
    Case(
        "three customer replies",
        three_replies,
        Tier.L2,
        "senior-support",
        ("#support-escalations",),
    ),
    Case("negative sentiment", angry, Tier.L2, "senior-support", ("#support-escalations",)),
    Case(
        "CSAT below 3 on a solved ticket",
        low_csat,
        Tier.L1,
        "senior-support",
        ("#support-escalations",),
        customer_ack=False,
        follow_up=True,
    ),
    Case(
        "warranty category, at once",
        warranty,
        Tier.L2,
        "warranty-claims",
        ("#support-specialists",),
    ),
    Case(
        "refund above the agent's limit, at once",
        refund,
        Tier.L2,
        "support-managers",
        ("#support-management",),
    ),
    Case("compliance request", compliance, Tier.L2, "compliance", ("#support-compliance",)),
    Case("asks for a manager", manager, Tier.L2, "senior-support", ("#support-escalations",)),
    Case("legal words", legal, Tier.L4, "support-management", ("#support-management",)),
    Case("bug tag", bug_tag, Tier.L3, "engineering-support", ("#support-engineering",)),
    Case(
        "impact tag raises severity",
        impact_tag,
        Tier.L1,
        None,
        ("#support-management",),
        customer_ack=False,
    ),
    Case("manual tag", manual_tag, Tier.L3, "engineering-support", ("#support-engineering",)),
    Case("no update for 24 h", no_update, Tier.L2, "senior-support", ("#support-escalations",)),
]


def tier_of(bridge: Bridge, desk: Desk, ticket: str) -> Tier:
    with runtime(bridge.app).db.connect() as connection:
        state = records.load_state(connection, desk.name, ticket)
    assert state is not None
    return state.tier


def slack_mentions(bridge: Bridge, channel: str, desk: Desk, ticket: str) -> list[str]:
    needle = f"#{ticket}"
    return [
        m["text"]
        for m in bridge.world.slack.channels[bridge.world.slack.channel_id(channel)]
        if needle in m["text"]
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_trigger_end_to_end(bridge: Bridge, desk: Desk, case: Case) -> None:
    ticket = case.setup(bridge, desk)
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()

    assert tier_of(bridge, desk, ticket) == case.tier
    assert desk.group_of(ticket) == case.group
    for channel in case.channels:
        assert slack_mentions(bridge, channel, desk, ticket), f"nothing in {channel}"
    incidents = bridge.world.pagerduty.incidents_for(f"{desk.name}:{ticket}")
    assert len(incidents) == (1 if case.paged else 0)
    if case.follow_up:
        assert "follow_up" in desk.tags_of(ticket)
        assert [n for n in desk.notes(ticket) if n.startswith("FOLLOW-UP: #")]
        assert desk.replies(ticket) == []
    elif case.group:
        assert "escalated" in desk.tags_of(ticket)
        [handoff] = [n for n in desk.notes(ticket) if n.startswith("ESCALATION: #")]
        assert handoff.splitlines()[0].endswith(f"({case.tier})")
        replies = desk.replies(ticket)
        assert len(replies) == (1 if case.customer_ack else 0)
        for text in [handoff, *replies]:
            assert "None" not in text and "[missing:" not in text
        assert all(case.group not in reply for reply in replies)  # a team, never a group slug


def test_on_hold_ticket_waits_with_its_clock_paused(bridge: Bridge, desk: Desk) -> None:
    with bridge.clock.ago(minutes=10):
        ticket = desk.create("Waiting for the vendor", priority="urgent")
    desk.set(ticket, status="hold")
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    bridge.clock.advance(hours=3)
    bridge.run()
    assert tier_of(bridge, desk, ticket) == Tier.L1
    assert desk.group_of(ticket) is None
    assert not slack_mentions(bridge, "#support-escalations", desk, ticket)


def test_time_spent_pending_stays_paused_after_the_customer_answers(
    bridge: Bridge, desk: Desk
) -> None:
    ticket = desk.create("Checkout is failing", priority="urgent")
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    bridge.clock.advance(minutes=5)
    desk.set(ticket, status="pending")
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    bridge.clock.advance(hours=3)
    desk.comment(ticket, "Here are the logs you asked for.")
    desk.set(ticket, status="open")
    # The webhook, and the sync (Freshdesk's webhook body can repeat an earlier one word for
    # word, and is then stored once: the sync is what notices the change).
    assert desk.notify(bridge.url, ticket) == 202
    bridge.jobs.sync()
    bridge.run()
    assert tier_of(bridge, desk, ticket) == Tier.L1  # 5 of its 15 minutes have run
    bridge.clock.advance(minutes=10)
    bridge.run()
    assert tier_of(bridge, desk, ticket) == Tier.L2


def test_breach_found_by_the_timer_without_any_webhook(bridge: Bridge, desk: Desk) -> None:
    ticket = desk.create("Checkout is down", priority="urgent")
    assert desk.notify(bridge.url, ticket) == 202
    bridge.run()
    assert tier_of(bridge, desk, ticket) == Tier.L1
    bridge.clock.advance(minutes=15)
    bridge.run()
    assert tier_of(bridge, desk, ticket) == Tier.L2
    assert slack_mentions(bridge, "#support-escalations", desk, ticket)
