"""Pure Block Kit builder for an outage storm's one message (``connectors.actions.GroupView``).

The message is edited in place as the group grows: a header with the count, what the tickets
share, and the newest examples as links. Ticket subjects are hostile text: escaped and cut like
every other text (``connectors.slack.blocks``).
"""

from __future__ import annotations

from typing import Any

from connectors.actions import GroupView, TicketCard
from connectors.slack.blocks import (
    FALLBACK_TEXT_MAX,
    HEADER_TEXT_MAX,
    SECTION_TEXT_MAX,
    SlackMessage,
    escape_mrkdwn,
    fit_mrkdwn,
    fit_plain,
    slack_length,
)

_DESK_LABEL = {"zendesk": "Zendesk", "freshdesk": "Freshdesk"}
# One example line: a link and a subject, cut so ten of them always fit one section.
_EXAMPLE_ROOM = 280
assert 10 * (_EXAMPLE_ROOM + 1) + 20 < SECTION_TEXT_MAX


def build_group_message(view: GroupView) -> SlackMessage:
    header = f"🌩️ Outage storm · {view.count} tickets · {view.severity.value} · {view.tier}"
    shared = f"*Grouped by* {fit_mrkdwn(view.title, 500)}"
    paged = " · 📟 paged on-call once for the group" if view.paged else ""
    since = (
        f"Since <!date^{int(view.opened_at.timestamp())}^{{time}}|"
        f"{view.opened_at:%H:%M} UTC>, updated <!date^{int(view.updated_at.timestamp())}^"
        f"{{time}}|{view.updated_at:%H:%M:%S} UTC>{paged}"
    )
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": fit_plain(header, HEADER_TEXT_MAX)},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": shared}},
    ]
    if view.examples:
        lines = "\n".join(_example(card) for card in view.examples)
        text = f"*Newest*\n{lines}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": since}]})
    fallback = fit_mrkdwn(
        f"Outage storm: {view.count} {view.severity.value} tickets grouped by {view.title}",
        FALLBACK_TEXT_MAX,
    )
    return SlackMessage(text=fallback, blocks=blocks)


def _example(card: TicketCard) -> str:
    desk = _DESK_LABEL.get(card.source, card.source.title())
    label = fit_plain(f"{desk} #{card.ticket_id}", 80).replace("|", "¦")
    link = f"<{escape_mrkdwn(card.url)}|{escape_mrkdwn(label)}>" if card.url else label
    room = _EXAMPLE_ROOM - slack_length(link) - 4
    return f"• {link}: {fit_mrkdwn(card.subject or '(no subject)', max(room, 20))}"
