"""The plain HTML overview both help-desk sandboxes serve at ``/`` (the demo shows it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any


def ticket_page(
    title: str, tickets: Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]]
) -> str:
    """``tickets``: (ticket fields, its comments/notes with author, public flag and text)."""
    sections = []
    for ticket, comments in tickets:
        items = "".join(
            f'<li class="{"public" if c.get("public") else "private"}">'
            f"<b>{escape(str(c.get('author', '')))}</b> "
            f"<i>{'public' if c.get('public') else 'internal'}</i> "
            f"<span>{escape(str(c.get('created_at', '')))}</span>"
            f"<pre>{escape(str(c.get('text', '')))}</pre></li>"
            for c in comments
        )
        tags = ", ".join(escape(str(t)) for t in ticket.get("tags") or ())
        sections.append(
            f'<section id="ticket-{escape(str(ticket["id"]))}">'
            f"<h2>#{escape(str(ticket['id']))} {escape(str(ticket.get('subject', '')))}</h2>"
            f"<p>status <b>{escape(str(ticket.get('status')))}</b>, "
            f"priority <b>{escape(str(ticket.get('priority')))}</b>, "
            f"group {escape(str(ticket.get('group')))}, "
            f"assignee {escape(str(ticket.get('assignee')))}"
            f", tags [{tags}]</p><ol>{items}</ol></section>"
        )
    body = "".join(sections) or "<p>No tickets yet.</p>"
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:auto}"
        "li.private{background:#fff6d5}pre{white-space:pre-wrap}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
