"""Pure Adaptive Card builders for Teams: an escalation view in, a Workflows webhook message out.

Cards are version 1.4: Teams documents 1.5, but cards posted by the Workflows bot with version
1.5 show "We're sorry, this card couldn't be displayed" (MicrosoftDocs/msteams-docs#9801,
microsoft/AdaptiveCards#8965), and nothing here needs more than 1.4 (TextBlock, FactSet,
Container, Action.OpenUrl). Message body: learn.microsoft.com/microsoftteams/platform/
webhooks-and-connectors/how-to/connectors-using ("Send adaptive cards using an incoming
webhook"); the message must stay under Teams' 28 KB (add-incoming-webhook, note at the top).

Ticket text is hostile: TextBlock and FactSet text is Markdown in Teams, so every character
Markdown gives meaning to is backslash-escaped, and links come only from our own URLs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from connectors.actions import ChatPrompt, EscalationView, TicketCard
from connectors.base import PersonRequestKind
from connectors.text import printable
from policies.model import Severity

CARD_VERSION = "1.4"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_MESSAGE_BYTES = 28 * 1024
SUBJECT_MAX = 300
REASON_MAX = 2000
LINE_MAX = 2000
FACT_MAX = 300
ELLIPSIS = "…"
_MAX_INPUTS_SHOWN = 6

Card = dict[str, Any]
Message = dict[str, Any]
# (what the person asks) -> the signed URL of its confirmation page, or None without one
LinkFor = Callable[[PersonRequestKind], str | None]

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")
_COLOR = {
    Severity.CRITICAL: "Attention",
    Severity.HIGH: "Warning",
    Severity.MEDIUM: "Accent",
    Severity.LOW: "Default",
}
_DESK_LABEL = {"zendesk": "Zendesk", "freshdesk": "Freshdesk"}
_BUTTONS = (
    (PersonRequestKind.ACKNOWLEDGE, "Acknowledge"),
    (PersonRequestKind.TAKE_OWNERSHIP, "Take ownership"),
    (PersonRequestKind.ESCALATE, "Escalate ↑"),
    (PersonRequestKind.RESOLVE_PAGE, "Resolve page"),
)


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown's punctuation so ticket text shows as typed."""
    return _MARKDOWN.sub(r"\\\1", text)


def fit(text: str, limit: int) -> str:
    """Cut ``text`` (before escaping) to ``limit`` characters with an ellipsis, without control
    characters."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def safe(text: str, limit: int) -> str:
    return escape_markdown(fit(text, limit))


def message(card: Card) -> Message:
    """The webhook body: one Adaptive Card attachment."""
    attachment = {"contentType": CONTENT_TYPE, "contentUrl": None, "content": card}
    return {"type": "message", "attachments": [attachment]}


def tagged(body: Message, key: str) -> Message:
    """The message with the outbox key as its first element's ``id``: invisible in Teams,
    and it lets whoever reads the channel's messages tell which action posted a card."""
    content = body["attachments"][0]["content"]
    first = {**content["body"][0], "id": f"bridge:{key}"[:255]}
    card = {**content, "body": [first, *content["body"][1:]]}
    return message(card)


def size(body: Message) -> int:
    return len(json.dumps(body, ensure_ascii=False).encode())


def escalation_card(view: EscalationView, links: LinkFor, *, headline: str | None = None) -> Card:
    """The ticket's card: severity and tier, ticket, customer, owner, deadline, reason, inputs,
    and the buttons (links). ``headline`` is what just happened, for cards after the first."""
    ticket = view.ticket
    state = "✅ Resolved · " if view.resolved else ""
    body: list[dict[str, Any]] = []
    if headline:
        body.append(_text(safe(headline, LINE_MAX), weight="Bolder"))
    body += [
        _text(
            f"{state}{view.severity.value} · {view.tier} escalation",
            size="Large",
            weight="Bolder",
            color="Good" if view.resolved else _COLOR[view.severity],
        ),
        _about(ticket, ticket.subject or "(no subject)", SUBJECT_MAX),
        {"type": "FactSet", "facts": _facts(view)},
        _text("**Why it escalated**"),
        _text(safe(view.reason or "(no reason recorded)", REASON_MAX)),
    ]
    if view.inputs:
        shown = ", ".join(f"{k}={v}" for k, v in view.inputs[:_MAX_INPUTS_SHOWN])
        body.append(_text(safe(f"Inputs: {shown}", LINE_MAX), size="Small", isSubtle=True))
    actions = [] if view.resolved else _buttons(view, links)
    return _card(body, actions + _open_ticket(ticket))


def line_card(ticket: TicketCard, line: str, *, actor: str | None = None) -> Card:
    """A one-line update about a ticket (a thread reply in Slack's terms)."""
    by = f" by {actor}" if actor else ""
    body = [_about(ticket, line + by, LINE_MAX)]
    return _card(body, _open_ticket(ticket))


def alert_card(text: str) -> Card:
    return _card([_text(safe(text, LINE_MAX))], [])


def prompt_card(prompt: ChatPrompt, link: str | None) -> Card:
    ticket = prompt.ticket
    body = [_about(ticket, prompt.text, LINE_MAX)]
    actions = [_open_url(prompt.label, link, style="positive")] if link else []
    return _card(body, actions + _open_ticket(ticket))


def fitted(build: Callable[[int], Card]) -> Message:
    """The message of the largest card under Teams' limit: ``build(shrink)`` is asked again
    with a growing ``shrink`` (0, 1, 2) for smaller texts; a card that never fits is refused."""
    for shrink in range(3):
        body = message(build(shrink))
        if size(body) <= MAX_MESSAGE_BYTES:
            return body
    raise ValueError("the card is over Teams' 28 KB limit even with its texts cut")


def shrunk(view: EscalationView, shrink: int) -> EscalationView:
    """The view with shorter texts: no inputs at 1, a short reason and subject at 2."""
    if shrink == 0:
        return view
    ticket = view.ticket
    if shrink >= 2:
        ticket = ticket.model_copy(update={"subject": fit(ticket.subject, 80)})
    reason = fit(view.reason, 300) if shrink >= 2 else view.reason
    return view.model_copy(update={"inputs": (), "reason": reason, "ticket": ticket})


def _about(ticket: TicketCard, text: str, limit: int) -> dict[str, Any]:
    """ "**Zendesk #4821**: text", the text escaped."""
    return _text(f"**{escape_markdown(_label(ticket))}**: {safe(text, limit)}")


def _label(ticket: TicketCard) -> str:
    desk = _DESK_LABEL.get(ticket.source, ticket.source.title())
    return fit(f"{desk} #{ticket.ticket_id}", 100)


def _facts(view: EscalationView) -> list[dict[str, str]]:
    ticket = view.ticket
    customer = ticket.customer_name or "(unknown)"
    if ticket.customer_org:
        customer = f"{customer} ({ticket.customer_org})"
    deadline = (
        view.next_deadline.strftime("%Y-%m-%d %H:%M UTC") if view.next_deadline else "not scheduled"
    )
    facts = [
        ("Customer", safe(customer, FACT_MAX) + (" ⭐ VIP" if view.vip else "")),
        ("Tier", f"{view.tier} · {view.severity.value}"),
        ("Owner", safe(view.owner, FACT_MAX) if view.owner else "_unassigned_"),
        ("Next deadline", deadline),
    ]
    if view.acknowledged_by:
        facts.append(("Acknowledged by", safe(view.acknowledged_by, FACT_MAX)))
    return [{"title": title, "value": value} for title, value in facts]


def _buttons(view: EscalationView, links: LinkFor) -> list[dict[str, Any]]:
    actions = []
    for kind, title in _BUTTONS:
        if kind is PersonRequestKind.ACKNOWLEDGE and view.acknowledged_by:
            continue
        if kind is PersonRequestKind.RESOLVE_PAGE and not view.page_open:
            continue
        url = links(kind)
        if url:
            actions.append(_open_url(title, url))
    return actions


def _open_ticket(ticket: TicketCard) -> list[dict[str, Any]]:
    if not ticket.url.startswith(("https://", "http://")):
        return []
    return [_open_url("Open ticket", ticket.url)]


def _open_url(title: str, url: str, *, style: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.OpenUrl", "title": title, "url": url}
    if style:
        action["style"] = style
    return action


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> Card:
    card: Card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        # Teams' own extension: use the channel's full width (cards-format, "Full width").
        "msteams": {"width": "Full"},
    }
    if actions:
        card["actions"] = actions
    return card
