"""Pure Block Kit builders for escalation messages: a view in, a ``chat.postMessage`` body out.

No I/O here; ``connectors.slack.client`` sends what these functions return. Every text is
escaped for mrkdwn and cut to Slack's limits so that a long customer subject can never turn into an
``invalid_blocks`` error. Limits: https://docs.slack.dev/reference/block-kit/blocks
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from connectors.actions import ChatPrompt, EscalationView, TicketCard
from connectors.text import printable
from policies.model import Severity

MAX_BLOCKS = 50
SECTION_TEXT_MAX = 3000
SECTION_FIELD_MAX = 2000
SECTION_FIELDS_MAX = 10
HEADER_TEXT_MAX = 150
CONTEXT_ELEMENTS_MAX = 10
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ACTION_ID_MAX = 255
BLOCK_ID_MAX = 255
# The fallback ``text`` shows in notifications; Slack truncates far later (40k), keep it short.
FALLBACK_TEXT_MAX = 500
ELLIPSIS = "…"

ACTION_ACK = "bridge.ack"
ACTION_OWN = "bridge.own"
ACTION_ESCALATE = "bridge.escalate"
ACTION_RESOLVE = "bridge.resolve"
ACTION_STATUSPAGE = "bridge.statuspage"
ACTIONS_BLOCK_ID = "bridge.actions"


class SlackMessage(dict[str, Any]):
    """A ``chat.postMessage`` body made by one of this package's builders.

    The client sends nothing else, and every builder puts desk or customer text through
    ``fit_mrkdwn`` (escaped, cut to its limit): a plain ``dict`` is not a ``SlackMessage``, so
    mypy refuses a message assembled elsewhere from raw ticket text.
    """


_SEVERITY_ICON = {
    Severity.CRITICAL: "🔴",
    Severity.HIGH: "🟠",
    Severity.MEDIUM: "🟡",
    Severity.LOW: "🔵",
}
_DESK_LABEL = {"zendesk": "Zendesk", "freshdesk": "Freshdesk"}
# Slack user ids (U…, W… for Enterprise Grid) render as mentions; anything else is a plain name.
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
# Inputs shown under the reason; more would crowd the message, the full list is in the audit log.
_MAX_INPUTS_SHOWN = 6
# Room for a field's value once its bold label and the VIP badge are added.
_FIELD_ROOM = SECTION_FIELD_MAX - 40


def escape_mrkdwn(text: str) -> str:
    """Escape Slack's three control characters; ``&`` first so entities are not doubled."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_length(text: str) -> int:
    """A text's length as Slack may count it. Slack's limits say "characters" without saying
    which; counting UTF-16 code units (an emoji is 2) is never less than code points, so a text
    that fits this count fits either way."""
    return len(text.encode("utf-16-le")) // 2


def fit_mrkdwn(text: str, limit: int) -> str:
    """Escape ``text`` and cut it so the *escaped* result, with an ellipsis, fits ``limit``.

    The one way outside text enters a Slack message: control characters are dropped too.

    Cutting after escaping could split an entity such as ``&amp;``; this never does.
    """
    return _fit(text, limit, escape_mrkdwn)


def fit_plain(text: str, limit: int) -> str:
    return _fit(text, limit, lambda char: char)


def _fit(text: str, limit: int, render: Callable[[str], str]) -> str:
    text = printable(text)
    rendered = render(text)
    if slack_length(rendered) <= limit:
        return rendered
    out: list[str] = []
    used, room = 0, limit - slack_length(ELLIPSIS)
    for char in text:
        piece = render(char)
        if used + slack_length(piece) > room:
            break
        out.append(piece)
        used += slack_length(piece)
    return "".join(out) + ELLIPSIS


def ticket_ref(ticket: TicketCard) -> str:
    """The button value: ``{source}:{ticket_id}``."""
    return f"{ticket.source}:{ticket.ticket_id}"


def ticket_link(ticket: TicketCard, desk: str) -> str:
    """``<url|Desk #id>`` markup, or the escaped label alone without a web URL.

    The URL comes from the desk: only ``http(s)`` links, and a ``|`` in it (which would end the
    URL and start a label of the sender's choosing) is percent-encoded.
    """
    label = fit_mrkdwn(f"{desk} #{ticket.ticket_id}", 200).replace("|", "¦")
    if not ticket.url.startswith(("https://", "http://")):
        return label
    url = escape_mrkdwn(ticket.url.replace("|", "%7C"))
    return f"<{url}|{label}>"


def person(name_or_id: str, limit: int = SECTION_FIELD_MAX) -> str:
    """A Slack mention for a Slack user id, otherwise the escaped display name."""
    if _USER_ID.fullmatch(name_or_id) and slack_length(name_or_id) + 3 <= limit:
        return f"<@{name_or_id}>"
    return fit_mrkdwn(name_or_id, limit)


def build_escalation_message(message: EscalationView) -> SlackMessage:
    """The parent message of an escalation: header, ticket, people, reason, deadline, buttons."""
    ticket = message.ticket
    desk = _DESK_LABEL.get(ticket.source, ticket.source.title())
    link = ticket_link(ticket, desk)
    blocks: list[dict[str, Any]] = [
        _header(message),
        _section(f"*{link}*: ", ticket.subject or "(no subject)"),
        {"type": "section", "fields": _fields(message)},
        _section("*Why it escalated*\n", message.reason or "(no reason recorded)"),
    ]
    context = _context_lines(message)
    if context:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in context]}
        )
    if not message.resolved:
        blocks.append(_buttons(message))
    return SlackMessage(text=_fallback(message, desk), blocks=blocks)


def build_thread_reply(event: str, *, actor: str | None = None) -> SlackMessage:
    """A one-line thread reply such as "Acknowledged by @ana" under the parent message."""
    by = f" by {person(actor, _FIELD_ROOM)}" if actor else ""
    line = fit_mrkdwn(event, SECTION_TEXT_MAX - slack_length(by)) + by
    return SlackMessage(text=line, blocks=[{"type": "context", "elements": [_mrkdwn(line)]}])


# The button of each prompt a person can answer from Slack.
PROMPT_ACTIONS = {"publish_statuspage": ACTION_STATUSPAGE}


def build_prompt(prompt: ChatPrompt) -> SlackMessage:
    """A question about a ticket with one button (its action id says what a click asks)."""
    ticket = prompt.ticket
    prefix = f"*{ticket_link(ticket, ticket.source)}*: "
    text = prefix + fit_mrkdwn(prompt.text, SECTION_TEXT_MAX - slack_length(prefix))
    button = _button(prompt.label, PROMPT_ACTIONS[prompt.request], ticket_ref(ticket))
    button["style"] = "primary"
    return SlackMessage(
        text=fit_mrkdwn(prompt.text, FALLBACK_TEXT_MAX),
        blocks=[
            {"type": "section", "text": _mrkdwn(text)},
            {"type": "actions", "block_id": ACTIONS_BLOCK_ID, "elements": [button]},
        ],
    )


def _header(message: EscalationView) -> dict[str, Any]:
    icon = "✅" if message.resolved else _SEVERITY_ICON.get(message.severity, "")
    state = "Resolved · " if message.resolved else ""
    text = f"{icon} {state}{message.severity.value} · {message.tier} escalation"
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": fit_plain(text, HEADER_TEXT_MAX), "emoji": True},
    }


def _section(prefix: str, body: str) -> dict[str, Any]:
    """A mrkdwn section: ``prefix`` is trusted markup, ``body`` is untrusted text."""
    return {
        "type": "section",
        "text": _mrkdwn(prefix + fit_mrkdwn(body, SECTION_TEXT_MAX - slack_length(prefix))),
    }


def _field(label: str, markup: str) -> dict[str, str]:
    """A field whose ``markup`` was already escaped and fitted to ``_FIELD_ROOM``."""
    return _mrkdwn(f"*{label}*\n{markup}")


def _fields(message: EscalationView) -> list[dict[str, str]]:
    customer = message.ticket.customer_name or "(unknown)"
    if message.ticket.customer_org:
        customer = f"{customer} ({message.ticket.customer_org})"
    vip = " ⭐ VIP" if message.vip else ""
    owner = person(message.owner, _FIELD_ROOM) if message.owner else "_unassigned_"
    fields = [
        _field("Customer", fit_mrkdwn(customer, _FIELD_ROOM) + vip),
        _field("Tier", f"{message.tier} · {message.severity.value}"),
        _field("Owner", owner),
        _field("Next deadline", _deadline(message.next_deadline)),
    ]
    if message.acknowledged_by:
        fields.append(_field("Acknowledged by", person(message.acknowledged_by, _FIELD_ROOM)))
    return fields


def _deadline(when: datetime | None) -> str:
    if when is None:
        return "not scheduled"
    fallback = when.strftime("%Y-%m-%d %H:%M UTC")
    # Slack renders <!date^…> in each reader's own time zone; the fallback is UTC.
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _context_lines(message: EscalationView) -> list[str]:
    inputs = message.inputs[:_MAX_INPUTS_SHOWN]
    if not inputs:
        return []
    shown = ", ".join(f"{key}={value}" for key, value in inputs)
    return [fit_mrkdwn(f"Inputs: {shown}", SECTION_TEXT_MAX)]


def _buttons(message: EscalationView) -> dict[str, Any]:
    value = ticket_ref(message.ticket)
    if slack_length(value) > BUTTON_VALUE_MAX:
        raise ValueError(f"ticket reference longer than {BUTTON_VALUE_MAX} characters")
    elements = []
    if not message.acknowledged_by:
        elements.append(_button("Acknowledge", ACTION_ACK, value, style="primary"))
    elements += [
        _button("Take ownership", ACTION_OWN, value),
        _button("Escalate ↑", ACTION_ESCALATE, value),
    ]
    if message.page_open:
        elements.append(_button("Resolve page", ACTION_RESOLVE, value, style="danger"))
    return {"type": "actions", "block_id": ACTIONS_BLOCK_ID, "elements": elements}


def _button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": fit_plain(text, BUTTON_TEXT_MAX), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _fallback(message: EscalationView, desk: str) -> str:
    state = "Resolved: " if message.resolved else ""
    vip = " [VIP]" if message.vip else ""
    text = (
        f"{state}[{message.severity.value}] {message.tier} escalation{vip}: "
        f"{desk} #{message.ticket.ticket_id} {message.ticket.subject}. {message.reason}"
    )
    return fit_mrkdwn(text, FALLBACK_TEXT_MAX)
