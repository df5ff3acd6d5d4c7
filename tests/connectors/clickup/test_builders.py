"""The Create Task body and the readers of ClickUp's answers, against the documented fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.actions import FollowUpTask, TicketCard
from connectors.clickup.builders import (
    MARKER,
    NAME_MAX,
    assignee_for,
    build_task,
    description,
    done_status,
    escape,
    made_by,
    task_name,
    ticket_link,
)
from policies.model import Severity

CARD = TicketCard(
    source="zendesk",
    ticket_id="123",
    url="https://acme.zendesk.com/agent/tickets/123",
    subject="Checkout down",
    customer_org="Initech",
)
DUE = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def task(**changes: Any) -> FollowUpTask:
    values: dict[str, Any] = {
        "ticket": CARD,
        "request": "[RCA] Root-cause analysis requested\n\n- **Root cause:**",
        "severity": Severity.CRITICAL,
        "due": DUE,
        "owner": "L3 engineering",
        "tags": ("rca", "l3", "critical"),
    }
    return FollowUpTask(**{**values, **changes})


def test_the_create_body_has_the_documented_fields() -> None:
    body = build_task(task(), key="zendesk:123:rca:x", assignees=[184, 184])
    assert body["name"] == "Root cause: Checkout down (Zendesk #123)"
    assert body["due_date"] == 1772614800000  # milliseconds
    assert body["due_date_time"] is True
    assert body["assignees"] == [184]
    assert body["tags"] == ["escalation-bridge", "rca", "l3", "critical"]
    assert body["priority"] == 1
    assert body["notify_all"] is False
    assert "[RCA] Root-cause analysis requested" in body["markdown_content"]
    assert body["markdown_content"].endswith(f"{MARKER} `zendesk:123:rca:x`")
    assert body["description"] == body["markdown_content"]


def test_no_due_date_and_no_assignee_leave_the_fields_out_or_empty() -> None:
    body = build_task(task(due=None), key="k", assignees=[])
    assert "due_date" not in body and "due_date_time" not in body
    assert body["assignees"] == []


@pytest.mark.parametrize(
    ("severity", "priority"),
    [(Severity.CRITICAL, 1), (Severity.HIGH, 2), (Severity.MEDIUM, 3), (Severity.LOW, 4)],
)
def test_priority_follows_severity(severity: Severity, priority: int) -> None:
    assert build_task(task(severity=severity), key="k", assignees=[])["priority"] == priority


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Checkout down", "Root cause: Checkout down (Zendesk #123)"),
        ("  two\n lines\t", "Root cause: two lines (Zendesk #123)"),
        ("", "Root cause: (no subject) (Zendesk #123)"),
    ],
)
def test_task_names(subject: str, expected: str) -> None:
    assert task_name(CARD.model_copy(update={"subject": subject})) == expected


def test_a_long_subject_is_cut_and_keeps_the_ticket_number() -> None:
    name = task_name(CARD.model_copy(update={"subject": "x" * 1000}))
    assert len(name) == NAME_MAX and name.endswith("… (Zendesk #123)")


def test_ticket_text_cannot_inject_markdown() -> None:
    hostile = CARD.model_copy(
        update={"subject": "[click](https://evil.example) **now** <img>", "customer_org": "`x`"}
    )
    text = description(task(ticket=hostile), "k")
    assert "[click](https://evil.example)" not in text
    assert r"\[click\]\(https://evil\.example\)" in text
    assert r"\*\*now\*\* \<img\>" in text and r"\`x\`" in text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://acme.zendesk.com/t/1", "[Zendesk #123](https://acme.zendesk.com/t/1)"),
        ("javascript:alert(1)", "Zendesk #123"),
        ("https://x.example/a) [y](https://evil", "Zendesk #123"),
        ("", "Zendesk #123"),
    ],
)
def test_the_ticket_link_is_only_the_desks_http_url(url: str, expected: str) -> None:
    assert ticket_link(CARD.model_copy(update={"url": url})) == expected


def test_escape_keeps_text_readable() -> None:
    assert escape("a_b *c*\nd") == r"a\_b \*c\* d"


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ({"markdown_description": f"…\n{MARKER} `k1`"}, True),
        ({"description": f"…\n{MARKER} k1"}, True),  # plain text: code ticks dropped
        ({"text_content": f"{MARKER} k1"}, True),
        ({"description": f"{MARKER} k10"}, False),  # another key that starts alike
        ({"description": f"{MARKER} `k2`"}, False),
        ({"name": f"{MARKER} k1"}, False),
        ({}, False),
    ],
)
def test_made_by_reads_the_marker(found: dict[str, Any], expected: bool) -> None:
    assert made_by(found, "k1") is expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (
            [{"status": "to do", "type": "open"}, {"status": "complete", "type": "closed"}],
            "complete",
        ),
        ([{"status": "shipped", "type": "done"}, {"status": "closed", "type": "closed"}], "closed"),
        ([{"status": "to do", "type": "open"}, {"status": "shipped", "type": "done"}], "shipped"),
        ([{"status": "to do", "type": "open"}, {"status": "doing", "type": "custom"}], None),
        ([], None),
    ],
)
def test_the_status_that_completes_a_task(
    statuses: list[dict[str, Any]], expected: str | None
) -> None:
    assert done_status(statuses) == expected


MEMBERS = [
    {"id": 183, "username": "Ana Ruiz", "email": "ana@example.com"},
    {"id": 184, "username": "Lee Park", "email": "lee@example.com"},
]


@pytest.mark.parametrize(
    ("owner", "mapping", "expected"),
    [
        ("ANA@example.com", {}, 183),
        ("Lee Park", {}, 184),
        ("L3 engineering", {"l3 engineering": 185}, 185),
        ("ana@example.com", {"ana@example.com": 999}, 999),  # the mapping wins
        ("nobody@example.com", {}, None),
        (None, {"l3 engineering": 185}, None),
    ],
)
def test_the_owner_is_mapped_to_a_clickup_user(
    owner: str | None, mapping: dict[str, int], expected: int | None
) -> None:
    assert assignee_for(owner, mapping, MEMBERS) == expected
