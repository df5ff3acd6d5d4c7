"""The demo's scenario driver: tickets that each show one escalation trigger of the default
policy, created in the sandboxes and announced to the bridge with signed webhooks."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox.world import (
    FRESHDESK_WEBHOOK_SECRET,
    HELPSCOUT_WEBHOOK_SECRET,
    INTERCOM_CLIENT_SECRET,
    ZENDESK_WEBHOOK_SECRET,
    SandboxWorld,
)

log = logging.getLogger(__name__)


class ShiftableClock:
    """Real time, except inside ``ago(...)``: lets the driver create tickets in the past."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.RLock()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self._offset

    @contextmanager
    def ago(self, **delta: float) -> Iterator[None]:
        with self._lock:
            self._offset = -timedelta(**delta)
            try:
                yield
            finally:
                self._offset = timedelta(0)


@dataclass(frozen=True)
class Scenario:
    title: str
    expect: str
    run: Callable[[SandboxWorld, ShiftableClock, str], str]


def _zendesk_hook(world: SandboxWorld, bridge: str, ticket_id: int) -> None:
    world.zendesk.deliver_webhook(
        f"{bridge}/webhooks/zendesk", {"ticket_id": str(ticket_id)}, ZENDESK_WEBHOOK_SECRET
    )


def _freshdesk_hook(world: SandboxWorld, bridge: str, ticket_id: int) -> None:
    world.freshdesk.deliver_webhook(
        f"{bridge}/webhooks/freshdesk", ticket_id, FRESHDESK_WEBHOOK_SECRET
    )


def intercom_priority(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    """A conversation marked priority (urgent in the demo world) from a VIP company."""
    company = world.intercom.add_company("Umbrella Corp", tags=["vip"], plan="Enterprise")
    contact = world.intercom.add_contact(
        "Alice Abernathy", "alice@umbrella.example", company_id=company
    )
    with clock.ago(minutes=20):
        conversation = world.intercom.create_conversation(
            "Our whole team is locked out of the admin console", contact_id=contact, priority=True
        )
    world.intercom.deliver_webhook(
        f"{bridge}/webhooks/intercom", conversation, INTERCOM_CLIENT_SECRET
    )
    return f"intercom #{conversation}"


def helpscout_urgent(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    """A conversation tagged priority-urgent from an enterprise-tier customer."""
    customer = world.helpscout.add_customer(
        "Jill", "Valentine", "jill@stars.example", properties={"account_tier": "enterprise"}
    )
    with clock.ago(minutes=20):
        conversation = world.helpscout.create_conversation(
            "Password resets never arrive",
            "None of our agents can reset their passwords since this morning.",
            customer_id=customer,
            tags=["priority-urgent"],
        )
    world.helpscout.deliver_webhook(
        f"{bridge}/webhooks/helpscout", conversation, HELPSCOUT_WEBHOOK_SECRET
    )
    return f"helpscout #{conversation}"


def salesforce_vip_case(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    """A Critical Case from a VIP account, 20 minutes without an answer, announced by an
    Outbound Message."""
    account = world.salesforce.add_account("Cyberdyne Systems", tier="VIP")
    contact = world.salesforce.add_contact(
        "Miles Dyson", "miles@cyberdyne.example", account_id=account
    )
    with clock.ago(minutes=20):
        case = world.salesforce.create_case(
            "Payment API answers 500 for every EU customer", priority="Critical", contact_id=contact
        )
    world.salesforce.deliver_outbound(f"{bridge}/webhooks/salesforce", [case])
    return f"salesforce #{case}"


def critical_unanswered(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    with clock.ago(minutes=20):
        ticket = world.zendesk.create_ticket(
            "Checkout is down for all our shoppers", priority="urgent"
        )
    _zendesk_hook(world, bridge, ticket)
    return f"zendesk #{ticket}"


def critical_two_hours(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    with clock.ago(hours=2, minutes=10):
        ticket = world.zendesk.create_ticket(
            "Payments API answers 500 to every call", priority="urgent"
        )
    _zendesk_hook(world, bridge, ticket)
    return f"zendesk #{ticket}"


def vip_low_priority(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    company = world.freshdesk.add_company("Globex Corporation", account_tier="vip")
    contact = world.freshdesk.add_contact("Hank Scorpio", "hank@globex.example", company_id=company)
    ticket = world.freshdesk.create_ticket(
        "Question about invoice layout",
        priority=1,
        requester_id=contact,
        company_id=company,
        description="Could the invoice show our PO number?",
    )
    _freshdesk_hook(world, bridge, ticket)
    return f"freshdesk #{ticket}"


def three_customer_replies(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    with clock.ago(minutes=50):
        ticket = world.zendesk.create_ticket("Export to CSV misses columns", priority="normal")
    for minutes, text in (
        (40, "Any news on this?"),
        (25, "Hello? Still waiting."),
        (5, "Third time asking: when will the export work?"),
    ):
        with clock.ago(minutes=minutes):
            world.zendesk.add_customer_comment(ticket, text)
    _zendesk_hook(world, bridge, ticket)
    return f"zendesk #{ticket}"


def angry_comment(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    ticket = world.freshdesk.create_ticket(
        "Sync keeps failing", priority=2, description="Sync fails every night."
    )
    world.freshdesk.add_customer_comment(
        ticket,
        "This is terrible. Your product is useless and I am furious, absolutely awful "
        "service, worst experience ever.",
    )
    _freshdesk_hook(world, bridge, ticket)
    return f"freshdesk #{ticket}"


def low_csat(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    with clock.ago(hours=3):
        ticket = world.zendesk.create_ticket("Password reset mail never arrives", priority="low")
    world.zendesk.change(ticket, status="solved")
    world.zendesk.set_csat(ticket, 2, "Took far too long and nobody explained anything.")
    _zendesk_hook(world, bridge, ticket)
    return f"zendesk #{ticket}"


def asks_for_manager(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    ticket = world.freshdesk.create_ticket(
        "Refund for duplicate charge", priority=2, description="I was charged twice."
    )
    world.freshdesk.add_customer_comment(
        ticket, "I have explained this twice now. I want to speak to a manager, please."
    )
    _freshdesk_hook(world, bridge, ticket)
    return f"freshdesk #{ticket}"


def warranty_claim(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    ticket = world.zendesk.create_ticket("Blender stopped working after two weeks", priority="low")
    option = next(
        o["value"]
        for f in world.zendesk.ticket_fields
        if f["title"] == "Category"
        for o in f["custom_field_options"]
        if o["name"] == "Warranty"
    )
    world.zendesk.set_field(ticket, "Category", option)
    _zendesk_hook(world, bridge, ticket)
    return f"zendesk #{ticket}"


def large_refund(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    ticket = world.freshdesk.create_ticket(
        "Refund for the annual plan",
        priority=1,
        description="Please refund the annual plan we cancelled.",
        custom_fields={"cf_refund_amount": "1,200.50"},
    )
    _freshdesk_hook(world, bridge, ticket)
    return f"freshdesk #{ticket}"


def compliance_request(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    ticket = world.freshdesk.create_ticket(
        "Vendor review",
        priority=1,
        description="Our procurement team needs your SOC 2 report and a signed DPA.",
    )
    _freshdesk_hook(world, bridge, ticket)
    return f"freshdesk #{ticket}"


def not_down(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    ticket = world.freshdesk.create_ticket(
        "Dashboard slow",
        priority=1,
        description="The site is not down, just slow since this morning.",
    )
    _freshdesk_hook(world, bridge, ticket)
    return f"freshdesk #{ticket}"


def pending_then_answered(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    with clock.ago(hours=3):
        ticket = world.zendesk.create_ticket("Checkout fails for one card type", priority="urgent")
    # First seen now: Zendesk's audits tell when the pause began and ended.
    with clock.ago(hours=2, minutes=55):
        world.zendesk.change(ticket, status="pending")
    world.zendesk.add_customer_comment(ticket, "Here are the logs you asked for.")
    world.zendesk.change(ticket, status="open")
    _zendesk_hook(world, bridge, ticket)
    return f"zendesk #{ticket}"


def on_hold(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    with clock.ago(minutes=10):
        ticket = world.zendesk.create_ticket(
            "Waiting for the vendor's firmware fix", priority="urgent"
        )
    world.zendesk.change(ticket, status="hold")
    _zendesk_hook(world, bridge, ticket)
    return f"zendesk #{ticket}"


def checkout_outage(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    with clock.ago(hours=3, minutes=30):
        ticket = world.zendesk.create_ticket(
            "Checkout down for every customer in Europe",
            priority="urgent",
            tags=["outage", "outage_checkout"],
        )
    _zendesk_hook(world, bridge, ticket)
    return f"zendesk #{ticket}"


# The demo's policy is the shipped one plus this section (``bridge.cli.demo``): an outage's
# tickets, linked to a Zendesk problem ticket or alike in subject, signal as one group.
DEMO_GROUPING = """
grouping:
  group_wait: 10s
  group_interval: 30s
  severities: [Critical]
  channel: senior
  group_by:
    - problem
    - similar_subject: {window: 30m, threshold: 0.5}
"""


def login_storm(world: SandboxWorld, clock: ShiftableClock, bridge: str) -> str:
    """A small outage storm: a Zendesk problem ticket, its incidents, and Freshdesk tickets
    about the same thing, all Critical and past their 15 minutes at L1."""
    with clock.ago(minutes=20):
        problem = world.zendesk.create_ticket(
            "Login fails with error 503", priority="urgent", ticket_type="problem"
        )
        incidents = [
            world.zendesk.create_ticket(
                subject, priority="urgent", ticket_type="incident", problem_id=problem
            )
            for subject in (
                "Cannot sign in: 503",
                "Our whole team is locked out",
                "<b>Login page</b> says Service Unavailable",
            )
        ]
        alike = [
            world.freshdesk.create_ticket(subject, priority=4)
            for subject in ("Login fails with error 503 since 9am", "login fails, error 503")
        ]
    for ticket in (problem, *incidents):
        _zendesk_hook(world, bridge, ticket)
    for ticket in alike:
        _freshdesk_hook(world, bridge, ticket)
    return f"zendesk #{problem} and {len(incidents) + len(alike)} more"


SCENARIOS = (
    Scenario(
        "Critical ticket unanswered for 20 minutes", "L2, management told", critical_unanswered
    ),
    Scenario("Critical ticket open for 2 h 10 min", "L3 and a PagerDuty page", critical_two_hours),
    Scenario(
        "Intercom priority conversation, VIP company, 20 minutes unanswered",
        "L2, management told",
        intercom_priority,
    ),
    Scenario(
        "Help Scout urgent conversation, enterprise customer, 20 minutes unanswered",
        "L2; Customer Success and management told",
        helpscout_urgent,
    ),
    Scenario(
        "Salesforce Critical Case, VIP account, 20 minutes unanswered",
        "L2, management told",
        salesforce_vip_case,
    ),
    Scenario("VIP customer, low priority", "L2, Customer Success told", vip_low_priority),
    Scenario("Customer replied three times", "L2", three_customer_replies),
    Scenario("Angry customer comment", "L2 (negative sentiment)", angry_comment),
    Scenario("CSAT 2 of 5 on a solved ticket", "a follow-up for L2, no hand-over", low_csat),
    Scenario("Customer asks for a manager", "L2", asks_for_manager),
    Scenario("Critical ticket on hold", "nothing: the clock is paused", on_hold),
    Scenario("Warranty claim (Category field)", "L2 warranty-claims at once", warranty_claim),
    Scenario("Refund of 1,200.50 (Freshdesk field)", "L2 support-managers at once", large_refund),
    Scenario("SOC 2 report and DPA requested", "L2 compliance at once", compliance_request),
    Scenario('"The site is not down, just slow"', "nothing: Low stays Low", not_down),
    Scenario(
        "Checkout outage open for 3 h 30 min",
        "L4 and a 'Publish to Statuspage?' question in #support-management and Teams",
        checkout_outage,
    ),
    Scenario(
        "Login outage: a problem ticket, 3 linked incidents, 2 alike Freshdesk tickets",
        "one Slack message for the storm in #support-escalations (6 tickets, edited as they "
        "join), no message per ticket; a hand-off note on each ticket",
        login_storm,
    ),
    Scenario(
        "Critical ticket pending for 3 hours, then answered",
        "nothing: 5 of its 15 minutes have run",
        pending_then_answered,
    ),
)


def drive(
    world: SandboxWorld,
    clock: ShiftableClock,
    bridge: str,
    *,
    pause: float = 3.0,
    stop: threading.Event | None = None,
) -> None:
    """Play every scenario, one every ``pause`` seconds, logging what to expect."""
    halt = stop or threading.Event()
    for scenario in SCENARIOS:
        if halt.wait(pause):
            return
        try:
            ticket = scenario.run(world, clock, bridge)
        except Exception:
            log.exception("demo scenario failed", extra={"scenario": scenario.title})
            continue
        log.info("demo: %s (%s) → expect %s", scenario.title, ticket, scenario.expect)
