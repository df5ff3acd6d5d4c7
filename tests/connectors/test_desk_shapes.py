"""Issue 13 on both desks' raw shapes: custom fields by title through the ticket-field lists,
status history from Zendesk audits and Freshdesk stats, Freshdesk's opening message."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.freshdesk.mapping import ticket_from_api_bundle as freshdesk_ticket
from connectors.zendesk.mapping import ticket_from_api_bundle as zendesk_ticket
from policies import annotate, evaluate
from policies.model import DecisionKind, EscalationState, Status, StatusChange, Ticket, Tier
from tests.policies.factory import default_policy

FIXTURES = Path(__file__).parents[1] / "fixtures"
CREATED = "2025-03-03T10:00:00Z"
NOW = datetime(2025, 3, 3, 10, 5, tzinfo=UTC)


def load(desk: str, name: str) -> Any:
    return json.loads((FIXTURES / desk / name).read_text(encoding="utf-8"))


def zendesk(custom_fields: dict[str, Any], *, fields: bool = True, **ticket: Any) -> Ticket:
    raw = {
        "id": 42,
        "url": "https://acme.zendesk.com/api/v2/tickets/42.json",
        "subject": "Help",
        "status": "open",
        "priority": "low",
        "requester_id": 7,
        "created_at": CREATED,
        "updated_at": CREATED,
        "custom_fields": [{"id": int(k), "value": v} for k, v in custom_fields.items()],
        **ticket,
    }
    bundle: dict[str, Any] = {"ticket": raw}
    if fields:
        bundle["ticket_fields"] = load("zendesk", "ticket_fields_list.json")["ticket_fields"]
    return zendesk_ticket(bundle)


def freshdesk(custom_fields: dict[str, Any], *, fields: bool = True, **ticket: Any) -> Ticket:
    raw: dict[str, Any] = {
        "id": 9,
        "subject": "Help",
        "status": 2,
        "priority": 1,
        "requester_id": 5,
        "created_at": CREATED,
        "updated_at": CREATED,
        "custom_fields": custom_fields,
        **ticket,
    }
    if fields:
        raw["ticket_fields"] = load("freshdesk", "ticket_fields.json")
    return freshdesk_ticket(raw)


def owner(t: Ticket) -> str | None:
    result = evaluate(t, EscalationState(), default_policy(), NOW)
    escalate = [d for d in result.decisions if d.action is DecisionKind.ESCALATE]
    return escalate[0].route.name if escalate else None


# The default policy names `refund_amount`, `category` and `engineering_issue`.
CASES = [
    ("zendesk refund as a decimal string", lambda: zendesk({"360011000001": "750.00"}),
     "refund-approval"),
    ("zendesk refund below the limit", lambda: zendesk({"360011000001": "499.99"}), None),
    ("zendesk category tag", lambda: zendesk({"360011000002": "cat_warranty"}),
     "warranty-claims"),
    ("zendesk category, no field list", lambda: zendesk({"360011000002": "cat_warranty"},
                                                         fields=False), None),
    ("zendesk engineering issue linked", lambda: zendesk({"360011000003": "ENG-4711"}), "L3"),
    ("freshdesk refund with a thousands separator",
     lambda: freshdesk({"cf_refund_amount": "1,200.50"}), "refund-approval"),
    ("freshdesk category label", lambda: freshdesk({"cf_category": "Warranty"}),
     "warranty-claims"),
    ("freshdesk without the field list: cf_ still optional",
     lambda: freshdesk({"cf_category": "Warranty"}, fields=False), "warranty-claims"),
    ("freshdesk engineering issue empty", lambda: freshdesk({"cf_engineering_issue": None}),
     None),
]  # fmt: skip


@pytest.mark.parametrize(("build", "route"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_policy_field_names_match_both_desks(build: Any, route: str | None) -> None:
    assert owner(build()) == route


def test_zendesk_multiselect_matches_by_label() -> None:
    t = zendesk({"360011000004": ["prod_checkout", "prod_mobile"]})
    assert t.field_labels["360011000004"] == ("Checkout", "Mobile app")
    assert t.field_names["affected_products"] == "360011000004"


def test_zendesk_audits_give_the_status_history() -> None:
    bundle = {"ticket": {"id": 1, "status": "open", "created_at": CREATED, "updated_at": CREATED}}
    audits = load("zendesk", "ticket_audits_cursor_page.json")["audits"]
    changed = {
        "created_at": "2023-09-10T08:00:00Z",
        "events": [{"id": 1, "type": "Change", "field_name": "status", "value": "pending"}],
    }
    ticket = zendesk_ticket({**bundle, "audits": [*audits, changed]})
    assert ticket.status_history == (
        StatusChange(datetime(2023, 9, 9, 23, 52, 5, tzinfo=UTC), Status.OPEN),
        StatusChange(datetime(2023, 9, 10, 8, 0, tzinfo=UTC), Status.PENDING),
    )


# Freshdesk `stats` -> what the desk tells of the statuses.
STATS = [
    ("pending since", 3, {"pending_since": "2025-03-03T11:00:00Z",
                          "status_updated_at": "2025-03-03T11:00:00Z"},
     [("11:00", Status.PENDING)]),
    ("resolved and reopened", 2, {"resolved_at": "2025-03-03T12:00:00Z",
                                  "reopened_at": "2025-03-03T13:00:00Z",
                                  "status_updated_at": "2025-03-03T13:00:00Z"},
     [("12:00", Status.SOLVED), ("13:00", Status.OPEN)]),
    ("nothing known", 2, {}, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "stats", "want"), [c[1:] for c in STATS], ids=[c[0] for c in STATS]
)
def test_freshdesk_stats_give_the_status_history(
    status: int, stats: dict[str, str], want: list[tuple[str, Status]]
) -> None:
    ticket = freshdesk({}, status=status, stats=stats)
    assert [(f"{c.at:%H:%M}", c.status) for c in ticket.status_history] == want


def test_freshdesk_opening_message_is_a_customer_comment() -> None:
    raw = freshdesk({}, description_text="Our lawyer will contact you about the invoices.")
    ticket = annotate(raw, default_policy().compiled.phrases)
    [opening] = ticket.comments
    assert opening.signals is not None and opening.signals.phrases == {"legal"}
    assert evaluate(ticket, EscalationState(), default_policy(), NOW).tier == Tier.L4


def test_freshdesk_answered_first_response_is_no_breach() -> None:
    due = {"fr_due_by": "2025-03-03T10:30:00Z", "due_by": "2025-03-04T10:00:00Z"}
    open_ = freshdesk({}, **due, stats={})
    answered = freshdesk({}, **due, stats={"first_responded_at": "2025-03-03T10:10:00Z"})
    assert set(open_.desk_sla) == {"first_response", "resolution"}
    assert set(answered.desk_sla) == {"resolution"}
