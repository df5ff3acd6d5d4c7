"""Zendesk mapping over every recorded fixture, and webhook parsing."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors._desk.common import marker_for
from connectors.zendesk.mapping import ticket_from_api_bundle
from policies.model import AuthorRole, Priority, Source, Status

FIXTURES = Path(__file__).parents[2] / "fixtures" / "zendesk"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded_tickets() -> list[tuple[str, dict[str, Any]]]:
    """Every ticket object in every recorded body: single shows, lists, exports."""
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        body = load(path.name)
        if isinstance(body, dict) and isinstance(body.get("ticket"), dict):
            found.append((path.name, body["ticket"]))
        if isinstance(body, dict) and isinstance(body.get("tickets"), list):
            found += [(f"{path.name}[{i}]", t) for i, t in enumerate(body["tickets"])]
    return found


TICKETS = recorded_tickets()


def test_every_recorded_ticket_body_is_covered() -> None:
    names = {name.split("[")[0] for name, _ in TICKETS}
    assert names == {
        "incremental_tickets_cursor_page_end_of_stream.json",
        "incremental_tickets_cursor_page_per_page1.json",
        "incremental_tickets_time_based_page.json",
        "ticket_show.json",
        "ticket_show_new_api_created.json",
        "ticket_update_response_ticket_and_audit.json",
        "tickets_list_cursor_page.json",
        "tickets_show_many_offset_page.json",
    }
    assert len(TICKETS) > 90


@pytest.mark.parametrize(("name", "raw"), TICKETS, ids=[n for n, _ in TICKETS])
def test_recorded_ticket_maps(name: str, raw: dict[str, Any]) -> None:
    ticket = ticket_from_api_bundle({"ticket": raw})
    assert ticket.source is Source.ZENDESK
    assert ticket.id == str(raw["id"])
    expected = Status.CLOSED if raw["status"] == "deleted" else Status(raw["status"])
    assert ticket.status is expected
    assert ticket.priority == (Priority(raw["priority"]) if raw["priority"] else None)
    assert ticket.tags == frozenset(raw["tags"])
    assert ticket.created_at.tzinfo is not None
    assert ticket.url.endswith(f"/agent/tickets/{raw['id']}")
    assert ticket.requester is not None and ticket.requester.id == str(raw["requester_id"])


def test_full_bundle_with_sideloads() -> None:
    ticket_raw = dict(load("ticket_show_new_api_created.json")["ticket"])
    user = load("user_show.json")["user"]
    org = load("organization_show.json")["organization"]
    comments = load("ticket_comments_cursor_page.json")["comments"]
    ticket = ticket_from_api_bundle(
        {"ticket": ticket_raw, "users": [user], "organizations": [org], "comments": comments}
    )
    assert ticket.status is Status.NEW and ticket.priority is None
    assert ticket.requester is not None and ticket.requester.email == "automationsqa@z3nmail.com"
    assert ticket.requester.fields["role"] == "admin"
    assert ticket.organization is not None and ticket.organization.name.startswith("Z3n Tests")
    (comment,) = ticket.comments
    assert comment.body == "Some comment" and comment.public
    # The author is neither the requester nor a known end-user: an agent.
    assert comment.author_role is AuthorRole.AGENT
    assert ticket.description == "test"


def test_assignee_name_from_the_users_sideload() -> None:
    raw = {**load("ticket_show.json")["ticket"], "assignee_id": 4242}
    agent = {"id": 4242, "role": "agent", "name": "Priya Shah"}
    assert ticket_from_api_bundle({"ticket": raw, "users": [agent]}).assignee_name == "Priya Shah"
    # Without the record the id stays and no name is made up.
    unnamed = ticket_from_api_bundle({"ticket": raw})
    assert unnamed.assignee_id == "4242" and unnamed.assignee_name == ""


def test_comment_roles_customer_agent_bridge() -> None:
    raw = {**load("ticket_show.json")["ticket"]}
    requester = raw["requester_id"]
    comments = [
        {
            "id": 1,
            "author_id": requester,
            "body": "help",
            "public": True,
            "created_at": "2024-01-01T10:00:00Z",
        },
        {
            "id": 2,
            "author_id": 77,
            "body": "looking",
            "public": True,
            "created_at": "2024-01-01T10:05:00Z",
        },
        {
            "id": 3,
            "author_id": 77,
            "body": f"note\n\n{marker_for('k')}",
            "public": False,
            "created_at": "2024-01-01T10:06:00Z",
        },
        {
            "id": 4,
            "author_id": 99,
            "body": "escalated",
            "public": False,
            "created_at": "2024-01-01T10:07:00Z",
        },
        {
            "id": 5,
            "author_id": 55,
            "body": "me too",
            "public": True,
            "created_at": "2024-01-01T10:08:00Z",
        },
    ]
    users = [{"id": 55, "role": "end-user", "name": "CC"}]
    ticket = ticket_from_api_bundle(
        {"ticket": raw, "comments": comments, "users": users}, bridge_user_id="99"
    )
    roles = [(c.id, c.author_role, c.public) for c in ticket.comments]
    assert roles == [
        ("1", AuthorRole.CUSTOMER, True),
        ("2", AuthorRole.AGENT, True),
        ("3", AuthorRole.BRIDGE, False),
        ("4", AuthorRole.BRIDGE, False),
        ("5", AuthorRole.CUSTOMER, True),
    ]


@pytest.mark.parametrize(
    ("rating", "score", "label"),
    [
        ({"score": "good", "comment": "thanks"}, 5, "good"),
        ({"score": "bad"}, 1, "bad"),
        ({"score": 2}, 2, "bad"),
        ({"score": "3"}, 3, None),
        ({"score": 4}, 4, "good"),
        ({"score": "offered"}, None, None),
        (None, None, None),
    ],
)
def test_satisfaction(rating: dict[str, Any] | None, score: int | None, label: str | None) -> None:
    raw = {**load("ticket_show.json")["ticket"], "satisfaction_rating": rating}
    satisfaction = ticket_from_api_bundle({"ticket": raw}).satisfaction
    if score is None:
        assert satisfaction is None
    else:
        assert satisfaction is not None
        assert (satisfaction.score, satisfaction.label) == (score, label)


def test_slas_sideload_and_custom_fields() -> None:
    raw = {
        **load("ticket_show.json")["ticket"],
        "custom_fields": [{"id": 360001, "value": "enterprise"}],
        "slas": {
            "policy_metrics": [
                {
                    "breach_at": "2026-05-14T09:03:29Z",
                    "stage": "active",
                    "metric": "first_reply_time",
                },
                {"breach_at": None, "stage": "paused", "metric": "next_reply_time"},
                {
                    "breach_at": "2026-05-10T00:00:00Z",
                    "stage": "achieved",
                    "metric": "total_resolution_time",
                },
                {
                    "breach_at": "2026-05-15T00:00:00Z",
                    "stage": "active",
                    "metric": "periodic_update_time",
                },
            ]
        },
    }
    ticket = ticket_from_api_bundle({"ticket": raw})
    assert ticket.desk_sla == {
        "first_response": datetime(2026, 5, 14, 9, 3, 29, tzinfo=UTC),
        "periodic_update_time": datetime(2026, 5, 15, tzinfo=UTC),
    }
    assert ticket.custom_fields == {"360001": "enterprise"}


def test_unknown_status_maps_to_open_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    raw = {**load("ticket_show.json")["ticket"], "status": "archived_zz"}
    with caplog.at_level(logging.WARNING):
        first = ticket_from_api_bundle({"ticket": raw})
        ticket_from_api_bundle({"ticket": raw})
    assert first.status is Status.OPEN
    assert sum("archived_zz" in r.message for r in caplog.records) == 1


def test_bundle_without_ticket_is_rejected() -> None:
    with pytest.raises(ValueError, match="ticket"):
        ticket_from_api_bundle({"tickets": []})
