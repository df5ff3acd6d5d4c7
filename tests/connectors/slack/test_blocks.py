from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from connectors.actions import EscalationView, TicketCard, ViewChange
from connectors.slack import blocks as sb
from connectors.slack.blocks import (
    build_escalation_message,
    build_thread_reply,
    escape_mrkdwn,
    fit_mrkdwn,
)
from policies.model import Severity, Tier
from sandbox.slack.blocks import block_problems

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_ticket(**changes: Any) -> TicketCard:
    return TicketCard(
        source="zendesk",
        ticket_id="123",
        url="https://acme.zendesk.com/agent/tickets/123",
        subject="Checkout fails for EU customers",
        status="open",
        priority="urgent",
        customer_name="Ana Ruiz",
        customer_org="Acme GmbH",
    ).model_copy(update=changes)


def make_message(customer_name: str | None = None, **changes: Any) -> EscalationView:
    message = EscalationView(
        ticket=make_ticket(),
        severity=Severity.CRITICAL,
        tier=Tier.L3,
        reason="Critical ticket unresolved for 2 h; L2 → L3 after 1 h.",
        owner="U024BE7LH",
        inputs=(("age", "2h"), ("priority", "urgent")),
        next_deadline=datetime(2026, 3, 2, 11, 0, tzinfo=UTC),
        vip=True,
    )
    if customer_name is not None:
        changes["ticket"] = changes.get("ticket", message.ticket).model_copy(
            update={"customer_name": customer_name}
        )
    return message.model_copy(update=changes)


def build_parent_update(message: EscalationView, **change: Any) -> dict[str, Any]:
    return build_escalation_message(ViewChange(**change).apply(message))


def assert_valid(message: dict[str, Any]) -> None:
    assert message["text"]
    assert len(message["blocks"]) <= sb.MAX_BLOCKS
    assert block_problems(message["blocks"]) == []
    for block in message["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
    json.dumps(message)  # plain JSON, ready for chat.postMessage


def texts(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a & b", "a &amp; b"),
        ("<script>", "&lt;script&gt;"),
        ("&lt; already", "&amp;lt; already"),
        ("<@U123> ping", "&lt;@U123&gt; ping"),
        ("plain *bold* _it_", "plain *bold* _it_"),
    ],
)
def test_escape_mrkdwn_escapes_ampersand_first(raw: str, escaped: str) -> None:
    assert escape_mrkdwn(raw) == escaped


@pytest.mark.parametrize("limit", [5, 10, 11, 12, 100])
def test_fit_mrkdwn_never_splits_an_entity(limit: int) -> None:
    fitted = fit_mrkdwn("&&&&&&&&&&&&&&&&&&&&", limit)
    assert len(fitted) <= limit
    assert fitted.rstrip("…").replace("&amp;", "") == ""


def test_escalation_message_shows_what_the_channel_needs() -> None:
    message = build_escalation_message(make_message())
    assert_valid(message)
    header = message["blocks"][0]
    assert header["type"] == "header"
    assert "Critical" in header["text"]["text"] and "L3" in header["text"]["text"]
    body = texts(message)
    assert "<https://acme.zendesk.com/agent/tickets/123|Zendesk #123>" in body
    assert "Checkout fails for EU customers" in body
    assert "Ana Ruiz (Acme GmbH)" in body and "VIP" in body
    assert "<@U024BE7LH>" in body
    assert "Critical ticket unresolved for 2 h" in body
    assert "<!date^1772449200^" in body and "2026-03-02 11:00 UTC" in body
    assert "Critical" in message["text"] and "Zendesk #123" in message["text"]


def test_buttons_carry_action_ids_and_ticket_reference() -> None:
    message = build_escalation_message(make_message(ticket=make_ticket(source="freshdesk")))
    assert [b["action_id"] for b in buttons(message)] == [
        "bridge.ack",
        "bridge.own",
        "bridge.escalate",
        "bridge.resolve",
    ]
    assert {b["value"] for b in buttons(message)} == {"freshdesk:123"}
    assert [b["text"]["text"] for b in buttons(message)][2] == "Escalate ↑"


LONG = "Ünïcödé & <angle> " * 2000


@pytest.mark.parametrize(
    "changes",
    [
        {"ticket": make_ticket(subject=LONG)},
        {"reason": LONG},
        {"ticket": make_ticket(customer_name=LONG, customer_org=LONG)},
        {"owner": LONG},
        {"acknowledged_by": LONG},
        {"inputs": tuple((f"k{i}", LONG) for i in range(50))},
        {"ticket": make_ticket(subject="", url="", customer_name=""), "reason": ""},
        {"severity": Severity.LOW, "tier": Tier.L4, "next_deadline": None, "owner": None},
    ],
    ids=["subject", "reason", "customer", "owner", "ack", "inputs", "empty", "minimal"],
)
def test_long_or_missing_text_stays_within_limits(changes: dict[str, Any]) -> None:
    message = build_escalation_message(make_message(**changes))
    assert_valid(message)
    for block in message["blocks"]:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= sb.SECTION_TEXT_MAX
        for field in block.get("fields", []):
            assert len(field["text"]) <= sb.SECTION_FIELD_MAX


def test_long_text_is_truncated_with_an_ellipsis() -> None:
    message = build_escalation_message(make_message(reason=LONG))
    reason_block = message["blocks"][3]
    assert reason_block["text"]["text"].endswith("…")
    assert "&lt;angle&gt;" in reason_block["text"]["text"]


def test_customer_text_is_escaped_not_interpreted() -> None:
    message = build_escalation_message(
        make_message(
            ticket=make_ticket(subject="<!channel> refund > $500 & more"),
            customer_name="<@U999|boss>",
            reason="asked for a <manager>",
        )
    )
    body = texts(message)
    assert "<!channel>" not in body and "<@U999|boss>" not in body
    assert "&lt;!channel&gt; refund &gt; $500 &amp; more" in body
    assert "&lt;manager&gt;" in body
    assert "<!channel>" not in message["text"]


def test_acknowledged_parent_drops_the_acknowledge_button() -> None:
    message = build_parent_update(make_message(), acknowledged_by="U0ACKER")
    assert_valid(message)
    assert "Acknowledged by" in texts(message) and "<@U0ACKER>" in texts(message)
    assert "bridge.ack" not in [b["action_id"] for b in buttons(message)]


def test_resolve_page_button_only_while_a_page_is_open() -> None:
    message = build_escalation_message(make_message(page_open=False))
    assert [b["action_id"] for b in buttons(message)] == [
        "bridge.ack",
        "bridge.own",
        "bridge.escalate",
    ]


def test_updated_parent_shows_new_owner_by_name() -> None:
    message = build_parent_update(make_message(), owner="Priya (L3 on-call)")
    assert "Priya (L3 on-call)" in texts(message)
    assert "<@U024BE7LH>" not in texts(message)


def test_resolved_parent_has_no_buttons_and_says_resolved() -> None:
    message = build_parent_update(make_message(), resolved=True)
    assert_valid(message)
    assert buttons(message) == []
    assert "Resolved" in message["blocks"][0]["text"]["text"]
    assert message["text"].startswith("Resolved")


@pytest.mark.parametrize(
    ("event", "actor", "expected"),
    [
        ("Acknowledged", "U0ACKER", "Acknowledged by <@U0ACKER>"),
        ("Paged on-call", None, "Paged on-call"),
        ("Note from PagerDuty: a < b & c", "Ben", "Note from PagerDuty: a &lt; b &amp; c by Ben"),
    ],
)
def test_thread_reply_is_one_escaped_line(event: str, actor: str | None, expected: str) -> None:
    reply = build_thread_reply(event, actor=actor)
    assert_valid(reply)
    assert reply["text"] == expected
    assert reply["blocks"][0]["elements"][0]["text"] == expected


def test_thread_reply_is_truncated_within_limits() -> None:
    reply = build_thread_reply(LONG, actor="U0ACKER")
    assert_valid(reply)
    assert reply["text"].endswith("… by <@U0ACKER>")


EMOJI_LONG = "🔥" * 4000  # one code point, two UTF-16 units each


@pytest.mark.parametrize("field", ["subject", "customer_name"])
def test_texts_are_cut_by_the_conservative_count(field: str) -> None:
    """Slack says "characters"; counted as UTF-16 units a long emoji subject still fits."""
    message = build_escalation_message(make_message(ticket=make_ticket(**{field: EMOJI_LONG})))
    assert block_problems(message["blocks"]) == []
    for block in message["blocks"]:
        for text in [block.get("text") or {}, *block.get("fields", [])]:
            if text:
                assert sb.slack_length(text["text"]) <= sb.SECTION_TEXT_MAX


def test_slack_length_counts_utf16_units() -> None:
    assert sb.slack_length("abc") == 3
    assert sb.slack_length("🔥é") == 3
    assert sb.fit_plain("🔥" * 100, 10) == "🔥" * 4 + "…"
