"""Help Scout shapes (``tests/fixtures/helpscout``) -> the shared model."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from connectors.helpscout.mapping import (
    conversation_to_ticket,
    custom_field_values,
    customer_properties,
    fields_to_defs,
    html_body,
    marked_thread,
    priority_of,
    status_of,
    text_of,
)
from policies.fields import lookup
from policies.model import AuthorRole, Priority, Source, Status
from tests.conftest import fixture_bytes

LEAD = "431281"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture_bytes(f"helpscout/{name}"))
    return data


def ticket_of(**changes: Any) -> Any:
    data = {**load("conversation.json"), **changes}
    defs = fields_to_defs(load("mailbox_fields.json")["_embedded"]["fields"])
    return conversation_to_ticket(
        data,
        bridge_user_id="431280",
        customer=load("customer.json"),
        fields=defs,
        web_url="https://secure.helpscout.net",
    )


def test_a_conversation_maps_to_the_shared_ticket() -> None:
    ticket = ticket_of()
    assert (ticket.source, ticket.id, ticket.subject) == (
        Source.HELPSCOUT,
        "2391938100",
        "Checkout fails for every card",
    )
    assert ticket.url == "https://secure.helpscout.net/conversation/2391938100/340"
    assert ticket.status is Status.PENDING and ticket.priority is Priority.HIGH
    assert ticket.assignee_id == LEAD and ticket.group_id == "20000"
    assert ticket.tags == {"billing", "priority-high"}
    assert ticket.created_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_threads_become_customer_and_agent_messages_and_internal_notes() -> None:
    comments = ticket_of().comments
    assert [(c.author_role, c.public) for c in comments] == [
        (AuthorRole.CUSTOMER, True),
        (AuthorRole.AGENT, False),
        (AuthorRole.CUSTOMER, True),
    ]
    assert comments[1].body == "Looked at the logs: gateway timeouts."
    assert ticket_of().description == "Every card payment fails since 9:00."


def test_the_customer_and_company_carry_the_vip_signals() -> None:
    ticket = ticket_of()
    assert ticket.requester is not None and ticket.organization is not None
    assert (ticket.requester.name, ticket.requester.email) == ("Vernon Bear", "vbear@acme.example")
    assert ticket.requester.fields == {"account_tier": "enterprise"}
    assert ticket.organization.name == "Acme, Inc"


def test_custom_fields_are_named_and_a_drop_down_reads_as_its_label() -> None:
    ticket = ticket_of()
    found = lookup(ticket, "category")
    assert found is not None
    assert ticket.field_labels[found[0]] == ("Billing",)


def test_the_rating_is_on_the_1_to_5_scale() -> None:
    rating = ticket_of().satisfaction
    assert rating is not None and (rating.score, rating.label, rating.comment) == (3, None, "slow")


def test_status_snooze_and_spam() -> None:
    assert status_of({"status": "active"}) is Status.OPEN
    assert status_of({"status": "active", "snooze": {"snoozedUntil": "x"}}) is Status.PENDING
    assert status_of({"status": "closed"}) is Status.SOLVED
    assert status_of({"status": "spam"}) is Status.CLOSED


def test_status_history_follows_the_threads_status() -> None:
    history = ticket_of().status_history
    assert [h.status for h in history] == [Status.OPEN, Status.PENDING]


def test_priority_comes_from_the_highest_priority_tag() -> None:
    assert priority_of(["x"]) is Priority.NORMAL
    assert priority_of(["priority-low", "priority-urgent"]) is Priority.URGENT


def test_the_bridges_own_posts_are_the_bridge() -> None:
    data = load("conversation.json")
    note = {
        "id": 1,
        "type": "note",
        "body": html_body("Hand-off\n\n[bridge:0123456789abcdef]"),
        "createdBy": {"id": 431280, "type": "user"},
        "createdAt": "2026-03-02T09:05:00Z",
    }
    data["_embedded"]["threads"].insert(0, note)
    ticket = conversation_to_ticket(data, bridge_user_id="431280")
    assert ticket.comments[-1].author_role is AuthorRole.BRIDGE


def test_hostile_html_is_text_and_what_the_bridge_posts_is_escaped() -> None:
    assert text_of("<div>a &lt;b&gt;<br>c</div>") == "a <b>\nc"
    assert html_body("<script>x</script>\nline") == "&lt;script&gt;x&lt;/script&gt;<br>line"


def test_a_marked_thread_is_found_by_its_key() -> None:
    from connectors._desk.common import with_marker

    data = load("conversation.json")
    data["_embedded"]["threads"][0]["body"] = html_body(with_marker("Note", "k:1"))
    assert marked_thread(data, "k:1") == str(data["_embedded"]["threads"][0]["id"])
    assert marked_thread(data, "k:2") is None


def test_custom_field_values_skip_empty_and_malformed_entries() -> None:
    raw = [{"id": 1, "value": ""}, {"name": "x"}, "junk", {"id": 2, "value": "7"}]
    assert custom_field_values(raw) == {"2": "7"}


def test_customer_properties_are_read_at_the_top_or_embedded() -> None:
    prop = {"slug": "account_tier", "name": "Tier", "value": "vip"}
    assert customer_properties({"properties": [prop]}) == {"account_tier": "vip"}
    assert customer_properties({"_embedded": {"properties": [prop]}}) == {"account_tier": "vip"}
    assert customer_properties({"properties": "junk"}) == {}
