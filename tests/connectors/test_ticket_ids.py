"""Ticket ids as each desk writes them: numbers, Salesforce's 15/18-character record ids for
Salesforce only, and Intercom's ``t``-ticket ids (beside its conversation numbers) for Intercom
only."""

from __future__ import annotations

import pytest

from connectors.base import TicketKey, record_id, resolve_ticket, ticket_number
from connectors.slack.inbound import TicketRef

CASE = "5005e00000AbCdEAAV"


@pytest.mark.parametrize(
    "value", ["5005e00000AbCdE", CASE, f" {CASE} "], ids=["15", "18", "padded"]
)
def test_record_ids_have_15_or_18_letters_and_digits(value: str) -> None:
    assert record_id(value) == value.strip()


@pytest.mark.parametrize(
    "value",
    [
        "5005e00000AbCd",
        "5005e00000AbCdEAA",
        "500' OR Id != '",
        "\uff15\uff10\uff10\uff15e00000AbCdE",
        500,
    ],
)
def test_anything_else_is_not_a_record_id(value: object) -> None:
    assert record_id(value) is None


def test_each_desk_reads_its_own_kind_of_id() -> None:
    assert ticket_number(CASE, "salesforce") == CASE
    assert ticket_number("123", "salesforce") is None
    assert ticket_number(CASE, "zendesk") is None
    assert ticket_number("123", "zendesk") == "123"
    assert ticket_number("t490", "intercom") == "t490"
    assert ticket_number("123", "intercom") == "123"
    assert ticket_number("t490", "zendesk") is None
    assert ticket_number("t", "intercom") is None
    assert ticket_number("t\u0664\u0669\u0660", "intercom") is None  # Arabic-Indic digits
    assert ticket_number("tt490", "intercom") is None


def test_a_person_names_a_case_as_salesforce_id_or_bare_with_one_desk() -> None:
    assert resolve_ticket(f"salesforce:{CASE}", ["zendesk", "salesforce"]) == TicketKey(
        "salesforce", CASE
    )
    assert resolve_ticket(CASE, ["salesforce"]) == TicketKey("salesforce", CASE)
    with pytest.raises(ValueError, match="not a ticket number"):
        resolve_ticket(f"zendesk:{CASE}", ["zendesk", "salesforce"])


def test_a_person_or_a_slack_button_names_an_intercom_ticket() -> None:
    assert resolve_ticket("intercom:t490", ["zendesk", "intercom"]) == TicketKey("intercom", "t490")
    assert TicketRef.parse("intercom:t490").ticket_id == "t490"
    with pytest.raises(ValueError):
        TicketRef.parse("zendesk:t490")
