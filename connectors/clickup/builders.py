"""Pure builders of ClickUp requests (API v2, developer.clickup.com) and readers of its answers.

Create Task (``POST /list/{list_id}/task``, its OpenAPI definition): ``name`` required,
``markdown_content`` ("If both ``markdown_content`` and ``description`` are provided,
``markdown_content`` will be used"), ``assignees`` (user ids), ``tags`` (names), ``priority``
1 urgent … 4 low, ``due_date`` in Unix **milliseconds** with ``due_date_time`` to keep the time
of day. Everything taken from a
ticket is hostile: Markdown punctuation is escaped and links only ever point at the ticket's URL
from the desk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from connectors.actions import FollowUpTask, TicketCard
from policies.model import Severity

BRIDGE_TAG = "escalation-bridge"  # on every task the bridge makes; lookups filter by it
NAME_MAX = 200  # ClickUp documents no limit; long names are unreadable in its list view
MARKER = "Escalation bridge key:"  # the description's last line: finds a task after a crash
PRIORITY = {Severity.CRITICAL: 1, Severity.HIGH: 2, Severity.MEDIUM: 3, Severity.LOW: 4}
DONE_TYPES = ("closed", "done")  # status types that mean finished, in order of preference
ELLIPSIS = "…"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<])")
_DESK = {"zendesk": "Zendesk", "freshdesk": "Freshdesk"}


def escape(text: str) -> str:
    """Ticket text as typed: Markdown punctuation backslash-escaped, on one line."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def task_name(ticket: TicketCard) -> str:
    """Plain text (ClickUp shows names as typed): the subject, cut, and the ticket's number."""
    label = f" ({_DESK.get(ticket.source, ticket.source)} #{ticket.ticket_id})"
    subject = " ".join(ticket.subject.split()) or "(no subject)"
    return fit(f"Root cause: {subject}", NAME_MAX - len(label)) + label


def ticket_link(ticket: TicketCard) -> str:
    """A Markdown link to the ticket, only for an http(s) URL the desk gave."""
    label = f"{_DESK.get(ticket.source, ticket.source)} #{escape(ticket.ticket_id)}"
    url = ticket.url.strip()
    if urlsplit(url).scheme not in ("http", "https") or any(c in url for c in " ()<>"):
        return label
    return f"[{label}]({url})"


def description(task: FollowUpTask, key: str) -> str:
    ticket = task.ticket
    lines = [
        f"**Ticket:** {ticket_link(ticket)}: {escape(ticket.subject) or '(no subject)'}",
        f"**Customer:** {escape(ticket.customer_org or ticket.customer_name) or 'unknown'}",
        f"**Severity:** {task.severity.value}",
        f"**Owner:** {escape(task.owner or 'unassigned')}",
        "",
        task.request.strip(),
        "",
        "---",
        f"{MARKER} `{key}`",
    ]
    return "\n".join(lines)


def build_task(task: FollowUpTask, *, key: str, assignees: Iterable[int]) -> dict[str, Any]:
    text = description(task, key)
    body: dict[str, Any] = {
        "name": task_name(task.ticket),
        # The same text twice: Markdown where ClickUp renders it, else shown as typed.
        "markdown_content": text,
        "description": text,
        "assignees": sorted(set(assignees)),
        "tags": [BRIDGE_TAG, *(t for t in task.tags if t != BRIDGE_TAG)],
        "priority": PRIORITY[task.severity],
        "notify_all": False,
    }
    if task.due is not None:
        body["due_date"] = int(task.due.timestamp() * 1000)
        body["due_date_time"] = True
    return body


def made_by(task: Mapping[str, Any], key: str) -> bool:
    """Whether ``task`` is the one the action ``key`` created: a line of its description is the
    marker (compared without code ticks: ClickUp's plain-text copies drop them)."""
    wanted = f"{MARKER} {key}"
    for name in ("markdown_description", "description", "text_content"):
        text = task.get(name)
        if isinstance(text, str) and any(
            line.replace("`", "").strip() == wanted for line in text.splitlines()
        ):
            return True
    return False


def done_status(statuses: Iterable[Mapping[str, Any]]) -> str | None:
    """The list's status that completes a task: its ``closed`` one, else a ``done`` one."""
    found = list(statuses)
    for wanted in DONE_TYPES:
        for status in found:
            if status.get("type") == wanted and status.get("status"):
                return str(status["status"])
    return None


def assignee_for(
    owner: str | None, mapping: Mapping[str, int], members: Iterable[Mapping[str, Any]]
) -> int | None:
    """The ClickUp user for the write-up's owner: the configured mapping first, then a member
    of the list with that e-mail or user name (case-insensitive)."""
    if not owner:
        return None
    wanted = owner.strip().casefold()
    if wanted in mapping:
        return mapping[wanted]
    for member in members:
        names = (str(member.get("email") or ""), str(member.get("username") or ""))
        if wanted in (n.casefold() for n in names if n) and str(member.get("id", "")).isdigit():
            return int(member["id"])
    return None
