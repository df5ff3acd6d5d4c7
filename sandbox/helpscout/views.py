"""The Help Scout stand-in's inbox page: every conversation with its threads, for people."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, redirect

from sandbox.desk_html import ticket_page

if TYPE_CHECKING:
    from sandbox.helpscout.routes import HelpScoutSandbox


def register_views(sb: HelpScoutSandbox) -> None:
    @sb.app.get("/")
    def index() -> str:
        with sb.lock:
            rows = [
                (
                    {
                        **c,
                        "group": sb.mailboxes.get(str(c["mailboxId"]), {}).get("name"),
                        "assignee": (c.get("assignee") or {}).get("email"),
                        "priority": "-",
                        "tags": [t["tag"] for t in c["tags"]],
                    },
                    [
                        {
                            "author": f"{t['createdBy']['type']} {t['createdBy']['id']}",
                            "public": t["type"] not in ("note", "lineitem"),
                            "text": t["body"] or (t.get("action") or {}).get("text", ""),
                            "created_at": t["createdAt"],
                        }
                        for t in sb.threads[i]
                    ],
                )
                for i, c in sorted(sb.conversations.items())
            ]
        return ticket_page("Help Scout sandbox", rows)

    @sb.app.get("/conversation/<conversation_id>/<number>")
    def conversation(conversation_id: str, number: str) -> Response:
        """A ticket link (``…/conversation/<id>/<number>``) opens its place on the inbox page."""
        anchor = conversation_id if conversation_id.isdigit() else ""
        return redirect(f"/#ticket-{anchor}", code=302)  # type: ignore[return-value]
