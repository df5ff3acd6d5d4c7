"""Salesforce shapes (recorded from the documentation, ``tests/fixtures/salesforce``) mapped to
the shared model."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.salesforce.mapping import (
    CaseRecords,
    OrgTerms,
    case_to_ticket,
    describe_to_fields,
    milestone_times,
)
from connectors.salesforce.settings import (
    DEFAULT_PRIORITIES,
    DEFAULT_STATUSES,
    picklist_map,
)
from policies.fields import field_key, lookup
from policies.model import AuthorRole, Priority, Source, Status, StatusChange
from tests.conftest import fixture_json

BRIDGE_USER = "0055e000003BridGAAS"
TERMS = OrgTerms(
    statuses=picklist_map(DEFAULT_STATUSES, Status),
    priorities=picklist_map(DEFAULT_PRIORITIES, Priority),
    vip_field="Tier__c",
    csat_field="CSAT__c",
    fields=describe_to_fields(
        {"fields": [{"name": "Refund_amount__c", "label": "Refund amount", "custom": True}]}
    ),
)


def records(**changes: object) -> CaseRecords:
    case = {**fixture_json("salesforce/case.json"), **changes}
    return CaseRecords(
        case=case,
        comments=tuple(fixture_json("salesforce/case_comments.json")["records"]),
        milestones=tuple(fixture_json("salesforce/case_milestones.json")["records"]),
        history=tuple(fixture_json("salesforce/case_history.json")["records"]),
        account=fixture_json("salesforce/account.json"),
        contact={"Id": "0035e00000Q1w2eAAB", "Name": "Peter Gibbons", "Email": "p@acme.example"},
        topics=({"Id": "0FT1", "Topic": {"Name": "billing"}},),
    )


def test_a_case_maps_status_priority_owner_and_people() -> None:
    ticket = case_to_ticket(records(), TERMS, bridge_user_id=BRIDGE_USER, web_url="https://x")
    assert (ticket.source, ticket.id, ticket.subject) == (
        Source.SALESFORCE,
        "5005e00000AbCdEAAV",
        "Checkout fails for every card",
    )
    assert ticket.status is Status.HOLD and ticket.priority is Priority.HIGH
    assert ticket.group_id == "00G5e000001QueUEAS" and ticket.assignee_id is None  # a queue
    assert ticket.url == "https://x/lightning/r/Case/5005e00000AbCdEAAV/view"
    assert ticket.requester is not None and ticket.requester.email == "p@acme.example"
    assert ticket.organization is not None
    assert ticket.organization.fields["account_tier"] == "enterprise"
    assert ticket.organization.fields["Industry"] == "Manufacturing"
    assert ticket.tags == frozenset({"billing"})
    assert ticket.custom_fields["IsEscalated"] is True


def test_a_user_owner_is_the_assignee() -> None:
    ticket = case_to_ticket(records(OwnerId="0055e000003AgenTAA"), TERMS)
    assert (ticket.assignee_id, ticket.group_id) == ("0055e000003AgenTAA", None)


def test_comments_by_author_and_visibility() -> None:
    ticket = case_to_ticket(records(), TERMS, bridge_user_id=BRIDGE_USER)
    roles = [(c.body.split("\n")[0], c.author_role, c.public) for c in ticket.comments]
    assert roles == [
        ("Since this morning no card payment goes through.", AuthorRole.CUSTOMER, True),
        ("Still failing.", AuthorRole.CUSTOMER, True),  # a portal user
        ("Looks like the gateway, checking.", AuthorRole.AGENT, False),  # an internal note
        ("Escalated to L2.", AuthorRole.BRIDGE, False),
    ]


def test_an_email_to_case_case_reads_its_emails_not_the_description_twice() -> None:
    email = {
        "Id": "02s1",
        "Incoming": True,
        "TextBody": "Since this morning no card payment goes through.",
        "FromAddress": "p@acme.example",
        "MessageDate": "2026-03-02T08:00:00.000+0000",
    }
    base = records()
    ticket = case_to_ticket(CaseRecords(case=base.case, emails=(email,)), TERMS)
    assert [(c.author_role, c.author_id) for c in ticket.comments] == [
        (AuthorRole.CUSTOMER, "p@acme.example")
    ]


def test_open_milestones_are_the_desks_sla_times() -> None:
    rows = fixture_json("salesforce/case_milestones.json")["records"]
    assert milestone_times(rows) == {"resolution": datetime(2026, 3, 3, 8, 0, tzinfo=UTC)}


def test_status_history_says_when_the_hold_began() -> None:
    ticket = case_to_ticket(records(), TERMS)
    assert ticket.status_history[-1] == StatusChange(
        datetime(2026, 3, 2, 8, 40, tzinfo=UTC), Status.HOLD
    )
    assert case_to_ticket(records(Status="Working"), TERMS).status_history == ()  # not trusted


def test_unknown_statuses_follow_is_closed_and_csat_comes_from_the_field() -> None:
    closed = case_to_ticket(records(Status="Resolved by customer", IsClosed=True), TERMS)
    assert closed.status is Status.SOLVED
    assert case_to_ticket(records(Status="Triage"), TERMS).status is Status.OPEN
    assert closed.satisfaction is not None
    assert (closed.satisfaction.score, closed.satisfaction.label) == (2, "bad")
    assert case_to_ticket(records(CSAT__c=9), TERMS).satisfaction is None


def test_custom_fields_are_named_by_label() -> None:
    ticket = case_to_ticket(records(), TERMS)
    found = lookup(ticket, field_key("Refund amount"))
    assert found is not None and found[1] == 1200.5
