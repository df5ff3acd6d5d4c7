"""Issue 13, item 3: a policy names a custom field by its desk id, title or key; numbers may come
as text; drop-downs match by value or label."""

from __future__ import annotations

from typing import Any

import pytest

from policies import evaluate
from policies.fields import FieldDef, as_number, field_key, index_fields
from policies.model import DecisionKind, Priority, Ticket
from tests.policies.factory import MON, STATE, H, default_policy, ticket

# Zendesk names fields by numeric id; the desk's field list gives their titles and options.
ZENDESK_FIELDS = (
    FieldDef("360001", "Refund amount"),
    FieldDef("360002", "Category", options={"cat_warranty": "Warranty", "cat_billing": "Billing"}),
)
# Freshdesk names them cf_...; the label is the title.
FRESHDESK_FIELDS = (
    FieldDef("cf_refund_amount", "Refund Amount", key="cf_refund_amount"),
    FieldDef("cf_category", "Category", key="cf_category"),
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Refund amount", "refund_amount"),
        ("refund-amount", "refund_amount"),
        ("REFUND_AMOUNT", "refund_amount"),
        ("cf_refund_amount", "refund_amount"),
        ("  Refund   Amount ", "refund_amount"),
        ("360001", "360001"),
    ],
)
def test_field_key(name: str, key: str) -> None:
    assert field_key(name) == key


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (750, 750.0),
        (750.5, 750.5),
        ("750.00", 750.0),
        ("1,200.50", 1200.5),
        (" 501 ", 501.0),
        ("-3", -3.0),
        ("12,34", None),
        ("1.200,50", None),
        ("about 600", None),
        (True, None),
        (None, None),
    ],
)
def test_as_number(value: Any, number: float | None) -> None:
    assert as_number(value) == number


def _zendesk(fields: dict[str, Any]) -> Ticket:
    names, labels = index_fields(fields, ZENDESK_FIELDS)
    return ticket(Priority.NORMAL, custom_fields=fields, field_names=names, field_labels=labels)


def _freshdesk(fields: dict[str, Any]) -> Ticket:
    names, labels = index_fields(fields, FRESHDESK_FIELDS)
    return ticket(Priority.NORMAL, custom_fields=fields, field_names=names, field_labels=labels)


def _owner(t: Ticket) -> str | None:
    result = evaluate(t, STATE, default_policy(), MON + H)
    escalate = [d for d in result.decisions if d.action is DecisionKind.ESCALATE]
    return escalate[0].route.name if escalate else None


# The default policy's routes name `refund_amount` and `category`, as a person would.
# (label, ticket, the route that takes it now)
CASES: list[tuple[str, Ticket, str | None]] = [
    (
        "zendesk: refund by title, a decimal string",
        _zendesk({"360001": "750.00"}),
        "refund-approval",
    ),
    (
        "zendesk: refund with a thousands separator",
        _zendesk({"360001": "1,200.50"}),
        "refund-approval",
    ),
    ("zendesk: refund at the limit", _zendesk({"360001": "500.00"}), None),
    ("zendesk: refund not a number", _zendesk({"360001": "n/a"}), None),
    (
        "zendesk: drop-down by its tag value",
        _zendesk({"360002": "cat_warranty"}),
        "warranty-claims",
    ),
    ("zendesk: other option", _zendesk({"360002": "cat_billing"}), None),
    (
        "freshdesk: cf_ name, prefix optional",
        _freshdesk({"cf_refund_amount": 800}),
        "refund-approval",
    ),
    (
        "freshdesk: drop-down label is the value",
        _freshdesk({"cf_category": "Warranty"}),
        "warranty-claims",
    ),
    (
        "model ticket: plain key",
        ticket(Priority.NORMAL, custom_fields={"category": "warranty"}),
        "warranty-claims",
    ),
    (
        "unknown field id, no field list",
        ticket(Priority.NORMAL, custom_fields={"360002": "x"}),
        None,
    ),
]


@pytest.mark.parametrize(("t", "route"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_default_routes_match_real_desk_fields(t: Ticket, route: str | None) -> None:
    assert _owner(t) == route


def test_index_fields_records_every_name_and_the_chosen_labels() -> None:
    names, labels = index_fields({"360002": "cat_warranty", "360001": None}, ZENDESK_FIELDS)
    assert names == {"360002": "360002", "category": "360002", "360001": "360001",
                     "refund_amount": "360001"}  # fmt: skip
    assert labels == {"360002": ("Warranty",)}
