"""Freshdesk mapping over every recorded fixture, status configuration and webhooks."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors._desk.common import marker_for
from connectors.freshdesk.inbound import FreshdeskInbound
from connectors.freshdesk.mapping import parse_status_map, ticket_from_api_bundle
from policies.model import AuthorRole, Priority, Source, Status

FIXTURES = Path(__file__).parents[2] / "fixtures" / "freshdesk"
PRIORITY = {1: Priority.LOW, 2: Priority.NORMAL, 3: Priority.HIGH, 4: Priority.URGENT}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


TICKETS = [
    (name, raw)
    for name in (
        "ticket_view_include_stats_requester.json",
        "ticket_view_include_stats_live_shape.json",
        "ticket_update_response.json",
    )
    for raw in [load(name)]
] + [(f"tickets_list.json[{i}]", raw) for i, raw in enumerate(load("tickets_list.json"))]


@pytest.mark.parametrize(("name", "raw"), TICKETS, ids=[n for n, _ in TICKETS])
def test_recorded_ticket_maps(name: str, raw: dict[str, Any]) -> None:
    ticket = ticket_from_api_bundle(raw, base_url="https://acme.freshdesk.com")
    assert ticket.source is Source.FRESHDESK
    assert ticket.id == str(raw["id"])
    assert ticket.url == f"https://acme.freshdesk.com/a/tickets/{raw['id']}"
    assert ticket.status is {2: Status.OPEN, 4: Status.SOLVED}[raw["status"]]
    assert ticket.priority is PRIORITY[raw["priority"]]
    assert ticket.assignee_id == (str(raw["responder_id"]) if raw.get("responder_id") else None)
    assert ticket.custom_fields == raw.get("custom_fields", {})
    assert ticket.desk_sla["resolution"].isoformat().startswith(raw["due_by"][:19])
    if (raw.get("stats") or {}).get("first_responded_at"):
        assert "first_response" not in ticket.desk_sla  # answered: can no longer be breached
    else:
        assert ticket.desk_sla["first_response"].isoformat().startswith(raw["fr_due_by"][:19])
    assert "next_response" not in ticket.desk_sla  # null or absent in every recording


def test_include_requester_and_conversations() -> None:
    raw = load("ticket_view_include_stats_requester.json")
    bundle = {**raw, "conversations": load("conversations_list.json")}
    ticket = ticket_from_api_bundle(bundle)
    assert ticket.requester is not None
    assert (ticket.requester.name, ticket.requester.email) == ("Dummyname", "dummyname@example.com")
    assert ticket.tags == {"foo", "bar"}
    assert [(c.body[:14], c.public, c.author_role) for c in ticket.comments] == [
        ("This is a samp", True, AuthorRole.CUSTOMER),  # the description: the opening message
        ("This is a priv", False, AuthorRole.AGENT),
        ("This is a repl", True, AuthorRole.AGENT),
    ]
    assert ticket.description.startswith("This is a sample ticket")


def test_live_conversations_and_company_tier() -> None:
    raw = {**load("ticket_view_include_stats_live_shape.json"), "company_id": 1}
    bundle = {
        **raw,
        "conversations": load("conversations_list_live_shape_redacted.json"),
        "company": load("company_view.json"),
    }
    ticket = ticket_from_api_bundle(bundle)
    [opening] = [c for c in ticket.comments if c.id.endswith(":description")]
    conversation = [c for c in ticket.comments if c is not opening]
    assert (opening.author_role, opening.created_at) == (AuthorRole.CUSTOMER, ticket.created_at)
    assert [c.public for c in conversation] == [True, False, True, True]
    assert {c.author_role for c in conversation} == {AuthorRole.AGENT}
    assert ticket.organization is not None
    assert ticket.organization.name == "Super Nova"
    assert ticket.organization.fields["account_tier"] == "Premium"
    assert ticket.organization.fields["health_score"] == "Happy"
    assert ticket.desk_sla["first_response"] == datetime(2024, 12, 26, 18, 20, 14, tzinfo=UTC)


@pytest.mark.parametrize("company", load("companies_list.json"), ids=lambda c: c["name"])
def test_every_recorded_company_carries_vip_signals(company: dict[str, Any]) -> None:
    raw = {**load("tickets_list.json")[0], "company": company}
    org = ticket_from_api_bundle(raw).organization
    assert org is not None and org.fields["account_tier"] == company["account_tier"]


def test_contact_records_give_requester_tags_and_fields() -> None:
    legacy = load("contact_view_legacy_shape.json")
    created = {**load("contact_create_response.json"), "tags": ["vip"]}
    for contact in (legacy, created):
        ticket = ticket_from_api_bundle({**load("tickets_list.json")[1], "contact": contact})
        assert ticket.requester is not None and ticket.requester.email == contact["email"]
    assert ticket.requester is not None and ticket.requester.tags == {"vip"}


def test_conversation_roles() -> None:
    raw = {**load("tickets_list.json")[0]}
    created = "2024-01-01T10:00:00Z"
    conversations = [
        {
            "id": 1,
            "user_id": 5,
            "incoming": True,
            "private": False,
            "body_text": "help",
            "created_at": created,
        },
        {
            "id": 2,
            "user_id": 1,
            "incoming": False,
            "private": True,
            "body_text": f"handoff\n{marker_for('x')}",
            "created_at": created,
        },
        {
            "id": 3,
            "user_id": 9,
            "incoming": False,
            "private": True,
            "body_text": "auto",
            "created_at": created,
        },
        {
            "id": 4,
            "user_id": 1,
            "incoming": False,
            "private": False,
            "body_text": "on it",
            "created_at": created,
        },
    ]
    ticket = ticket_from_api_bundle({**raw, "conversations": conversations}, bridge_user_id="9")
    assert [c.author_role for c in ticket.comments] == [
        AuthorRole.CUSTOMER,
        AuthorRole.BRIDGE,
        AuthorRole.BRIDGE,
        AuthorRole.AGENT,
    ]


def test_note_and_reply_responses_map_as_comments() -> None:
    note = load("note_private_create_response.json")
    reply = load("reply_create_response.json")
    ticket = ticket_from_api_bundle(
        {**load("tickets_list.json")[0], "conversations": [reply, note]}
    )
    assert [(c.id, c.public) for c in ticket.comments] == [("1", False), ("2", True)]


def test_custom_status_configured_and_unknown(caplog: pytest.LogCaptureFixture) -> None:
    raw = {**load("tickets_list.json")[0], "status": 6}
    configured = ticket_from_api_bundle(raw, status_map=parse_status_map("6=pending, 7=hold"))
    assert configured.status is Status.PENDING
    with caplog.at_level(logging.WARNING):
        unknown = ticket_from_api_bundle({**raw, "status": 17})
        ticket_from_api_bundle({**raw, "status": 17})
    assert unknown.status is Status.OPEN
    assert sum("status 17" in r.message for r in caplog.records) == 1


@pytest.mark.parametrize("text", ["6", "x=open", "6=waiting"])
def test_bad_status_map_is_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        parse_status_map(text)


@pytest.mark.parametrize(
    ("rating", "score", "label"),
    [(103, 5, "good"), (101, 4, "good"), (100, 3, None), (-101, 2, "bad"), (-103, 1, "bad")],
)
def test_satisfaction_ratings(rating: int, score: int, label: str | None) -> None:
    ratings = [
        {"id": 1, "ratings": {"default_question": 100}, "updated_at": "2024-01-01T00:00:00Z"},
        {
            "id": 2,
            "ratings": {"default_question": rating},
            "feedback": "ok",
            "updated_at": "2024-02-01T00:00:00Z",
        },
    ]
    satisfaction = ticket_from_api_bundle(
        {**load("tickets_list.json")[0], "satisfaction_ratings": ratings}
    ).satisfaction
    assert satisfaction is not None
    assert (satisfaction.score, satisfaction.label, satisfaction.comment) == (score, label, "ok")


@pytest.mark.parametrize(
    ("name", "event"),
    [
        ("webhook_ticket_created.json", "{ticket_action:created}"),
        ("webhook_priority_changed.json", "{priority:{from:3,to:1}}"),
        ("webhook_status_changed_custom_status.json", "{status:{from:4,to:6}}"),
        ("webhook_note_private.json", "{note_type:private}"),
    ],
)
def test_recorded_webhooks(name: str, event: str) -> None:
    hint = FreshdeskInbound().parse((FIXTURES / name).read_bytes())
    assert (hint.ticket_id, hint.kind) == ("11", event)
