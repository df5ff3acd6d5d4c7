"""Slack messages made of plain sentences: operational alerts, a line only one person sees, and
the answers to slash commands.

Their text is assembled elsewhere (the worker, the web layer) from ticket subjects, names and
error texts, so all of it is treated as untrusted: escaped for mrkdwn and capped, never
interpreted. A subject saying ``<!channel>`` shows as typed and pings nobody.
https://docs.slack.dev/messaging/formatting-message-text#escaping
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connectors.slack.blocks import SECTION_TEXT_MAX, SlackMessage, fit_mrkdwn

# A plain message is one readable paragraph; Slack itself cuts only at 40,000 characters.
PLAIN_TEXT_MAX = SECTION_TEXT_MAX
# What a slash command shows of a ticket's subject.
SUBJECT_SHOWN = 200


def build_plain(text: str) -> SlackMessage:
    """A message whose whole text is shown as typed (alerts, ephemeral lines, answers)."""
    return SlackMessage(text=fit_mrkdwn(text, PLAIN_TEXT_MAX))


def build_command_answer(text: str) -> dict[str, str]:
    """The JSON a slash command answers with: shown only to the person who typed it."""
    return {"response_type": "ephemeral", "text": build_plain(text)["text"]}


@dataclass(frozen=True)
class TicketStanding:
    """What ``/escalation status`` tells about a ticket; every field may hold desk text."""

    ticket: str
    subject: str
    tier: str
    since: datetime | None
    owner: str | None
    page_open: bool
    status: str


def status_line(standing: TicketStanding) -> str:
    subject = standing.subject
    if len(subject) > SUBJECT_SHOWN:
        subject = subject[: SUBJECT_SHOWN - 1] + "…"
    since = f" since {standing.since:%Y-%m-%d %H:%M} UTC" if standing.since else ""
    page = "a page is open" if standing.page_open else "no page open"
    return (
        f"{standing.ticket} “{subject}” is at {standing.tier}{since}, "
        f"owner {standing.owner or 'nobody'}, {page}, status {standing.status}."
    )
