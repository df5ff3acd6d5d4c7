"""Intercom ticket shapes -> the shared ticket, on the documented ticket (API 2.11)."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.intercom.tickets import api_id, bridge_id, ticket_to_ticket
from policies.model import AuthorRole, Priority, Source, Status
from tests.conftest import fixture_json


def ticket(**changes: Any) -> Any:
    return ticket_to_ticket(
        {**fixture_json("intercom/ticket.json"), **changes},
        bridge_admin_id="991267600",
        contact=fixture_json("intercom/contact.json"),
        company=fixture_json("intercom/company.json"),
        web_url="https://app.intercom.com/a/inbox/_/inbox/conversation",
    )


def test_the_ticket_becomes_a_shared_ticket_with_an_id_of_its_own() -> None:
    mapped = ticket()
    assert (mapped.source, mapped.id) == (Source.INTERCOM, "t490")
    assert mapped.subject == "Checkout fails for EU cards"
    assert mapped.description == "Every EU card is declined since this morning."
    assert mapped.custom_fields == {"Impact": "major_feature_broken"}
    assert (mapped.assignee_id, mapped.group_id) == ("991267883", None)
    assert mapped.priority is Priority.NORMAL
    assert mapped.requester is not None and mapped.requester.email
    assert mapped.organization is not None


def test_parts_are_the_customer_comment_and_the_internal_note() -> None:
    comment, note = ticket().comments
    assert (comment.author_role, comment.public) == (AuthorRole.CUSTOMER, True)
    assert comment.body == "It still fails & we lose orders."
    assert (note.author_role, note.public) == (AuthorRole.AGENT, False)


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("submitted", Status.OPEN),
        ("in_progress", Status.OPEN),
        ("waiting_on_customer", Status.PENDING),
        ("resolved", Status.SOLVED),
    ],
)
def test_states(state: str, status: Status) -> None:
    assert ticket(ticket_state=state).status is status


def test_the_state_parts_are_the_history_when_they_end_in_the_state() -> None:
    history = ticket().status_history
    assert [c.status for c in history] == [Status.OPEN, Status.PENDING]
    assert ticket(ticket_state="resolved").status_history == ()


@pytest.mark.parametrize(
    ("given", "expected"), [("t490", "490"), ("490", None), ("t", None), ("tx1", None)]
)
def test_ticket_ids_are_t_and_the_api_id(given: str, expected: str | None) -> None:
    assert api_id(given) == expected
    if expected is not None:
        assert bridge_id(expected) == given
