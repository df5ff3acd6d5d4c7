"""Intercom conversation shapes -> the shared ticket, on documented payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.intercom.mapping import (
    attributes_to_fields,
    conversation_to_ticket,
    status_history,
    text_of,
)
from policies.fields import field_key, lookup
from policies.model import AuthorRole, Priority, Source, Status, StatusChange
from tests.conftest import fixture_json

BRIDGE = "991267600"


def ticket(**changes: Any) -> Any:
    data = {**fixture_json("intercom/conversation.json"), **changes}
    return conversation_to_ticket(
        data,
        bridge_admin_id=BRIDGE,
        contact=fixture_json("intercom/contact.json"),
        company=fixture_json("intercom/company.json"),
        attributes=attributes_to_fields(fixture_json("intercom/data_attributes.json")["data"]),
        web_url="https://app.intercom.com/a/inbox/_/inbox/conversation",
    )


def test_the_conversation_becomes_a_ticket() -> None:
    mapped = ticket()
    assert (mapped.source, mapped.id) == (Source.INTERCOM, "1911149811")
    assert mapped.subject == "Checkout fails for every card"
    assert mapped.url == "https://app.intercom.com/a/inbox/_/inbox/conversation/1911149811"
    assert (mapped.assignee_id, mapped.group_id) == ("814860", "5017691")
    assert mapped.tags == frozenset({"billing"})
    assert mapped.created_at == datetime.fromtimestamp(1539897198, tz=UTC)
    assert mapped.description == "Hi, checkout fails & nobody can pay.\nPlease help."


@pytest.mark.parametrize(
    ("state", "status"),
    [("open", Status.OPEN), ("snoozed", Status.PENDING), ("closed", Status.SOLVED)],
)
def test_states(state: str, status: Status) -> None:
    assert ticket(state=state).status is status


@pytest.mark.parametrize(
    ("flag", "flagged", "priority"),
    [
        ("priority", Priority.HIGH, Priority.HIGH),
        ("priority", Priority.URGENT, Priority.URGENT),
        ("not_priority", Priority.URGENT, Priority.NORMAL),
    ],
)
def test_the_priority_flag(flag: str, flagged: Priority, priority: Priority) -> None:
    data = {**fixture_json("intercom/conversation.json"), "priority": flag}
    assert conversation_to_ticket(data, flagged=flagged).priority is priority


def test_messages_notes_and_the_bridge_are_told_apart_and_bots_left_out() -> None:
    comments = ticket().comments
    assert [(c.author_role, c.public, c.body) for c in comments] == [
        (AuthorRole.CUSTOMER, True, "Hi, checkout fails & nobody can pay.\nPlease help."),
        (AuthorRole.AGENT, True, "Could you send the logs?"),
        (AuthorRole.CUSTOMER, True, "Here they are."),
        (AuthorRole.BRIDGE, False, "Escalated to L2\n[bridge:0123456789abcdef]"),
    ]


def test_requester_and_company_carry_the_vip_signals() -> None:
    mapped = ticket()
    assert mapped.requester is not None and mapped.organization is not None
    assert mapped.requester.email == "hank@globex.example"
    assert mapped.requester.fields["account_tier"] == "gold"
    assert mapped.organization.name == "Globex Corporation"
    assert "vip" in mapped.organization.tags
    assert mapped.organization.fields["plan"] == "Enterprise"
    assert mapped.organization.fields["health_score"] == 41


def test_custom_attributes_by_their_names_and_the_rating() -> None:
    mapped = ticket()
    assert lookup(mapped, field_key("refund_amount")) == ("Refund amount", 750.0)
    assert lookup(mapped, field_key("Category")) == ("Category", "Billing")
    assert mapped.satisfaction is not None
    assert (mapped.satisfaction.score, mapped.satisfaction.label) == (2, "bad")
    assert mapped.satisfaction.comment == "Too slow"


def test_only_custom_attributes_are_fields() -> None:
    fields = attributes_to_fields(fixture_json("intercom/data_attributes.json")["data"])
    assert [f.title for f in fields] == ["Refund amount", "Category"]
    assert fields[1].options == {
        "Warranty": "Warranty",
        "Billing": "Billing",
        "Integration": "Integration",
    }


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def test_the_pause_and_the_customers_reopening_are_in_the_history() -> None:
    assert ticket().status_history == (
        StatusChange(at(1539897198), Status.OPEN),
        StatusChange(at(1539897401), Status.PENDING),
        StatusChange(at(1540393100), Status.OPEN),
    )


def test_a_history_that_does_not_end_in_the_current_state_is_not_trusted() -> None:
    parts = [{"part_type": "close", "created_at": 100}]
    assert status_history(parts, Status.PENDING, at(50)) == ()
    assert status_history(parts, Status.SOLVED, at(50))[-1] == StatusChange(at(100), Status.SOLVED)


@pytest.mark.parametrize(
    ("title", "source", "subject"),
    [
        ("Refund", {"subject": "Mail subject", "body": "<p>Hi</p>"}, "Refund"),
        (None, {"subject": "Mail subject", "body": "<p>Hi</p>"}, "Mail subject"),
        (None, {"subject": "", "body": "<p>Locked out</p><p>since 9</p>"}, "Locked out"),
        (None, {"body": "<p>" + "x" * 200 + "</p>"}, "x" * 119 + "…"),
        (None, {}, ""),
    ],
)
def test_a_chat_without_a_title_is_named_by_its_first_line(
    title: str | None, source: dict[str, str], subject: str
) -> None:
    assert ticket(title=title, source=source).subject == subject


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("<p>a</p><p>b</p>", "a\nb"),
        ("x<br>y", "x\ny"),
        ("<b>&lt;script&gt;</b>", "<script>"),
        ("", ""),
    ],
)
def test_text_of_html_bodies(body: str, text: str) -> None:
    assert text_of(body) == text


def test_odd_shapes_do_not_break_the_mapping() -> None:
    mapped = conversation_to_ticket(
        {"id": 5, "tags": None, "conversation_parts": "nope", "conversation_rating": {"rating": 9}}
    )
    assert (mapped.id, mapped.tags, mapped.comments, mapped.satisfaction) == (
        "5",
        frozenset(),
        (),
        None,
    )
