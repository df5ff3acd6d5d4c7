"""The stand-in's page: the list's tasks as ClickUp would show them, each with a button that
completes it the way a person would (which sends the signed webhook)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from markupsafe import escape

_STYLE = (
    "body{font:14px system-ui,sans-serif;margin:2rem;color:#292d34}"
    "table{border-collapse:collapse;width:100%}td,th{padding:.4rem .6rem;text-align:left;"
    "border-bottom:1px solid #e9ebf0;vertical-align:top}.status{font-weight:600}"
    "pre{white-space:pre-wrap;margin:0;font:12px ui-monospace,monospace;color:#555}"
)


def _due(value: object) -> str:
    if not value:
        return "—"
    return datetime.fromtimestamp(int(str(value)) / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def tasks_page(tasks: list[dict[str, Any]], webhooks: list[str]) -> str:
    rows = []
    for task in tasks:
        status = task["status"]
        done = status["type"] in ("done", "closed")
        button = (
            ""
            if done
            else f'<form method="post" action="/ui/tasks/{escape(task["id"])}/complete">'
            '<button type="submit">Complete</button></form>'
        )
        people = ", ".join(str(a["username"]) for a in task["assignees"]) or "unassigned"
        tags = ", ".join(str(t["name"]) for t in task["tags"])
        rows.append(
            f"<tr><td><b>{escape(task['name'])}</b><br><small>{escape(tags)}</small>"
            f"<details><summary>description</summary><pre>{escape(task['markdown_description'])}"
            f"</pre></details></td>"
            f'<td class="status" style="color:{escape(status["color"])}">'
            f"{escape(status['status'])}</td><td>{escape(people)}</td>"
            f"<td>{escape(_due(task.get('due_date')))}</td><td>{button}</td></tr>"
        )
    hooks = ", ".join(str(escape(w)) for w in webhooks) or "none yet (bridge setup clickup)"
    body = "".join(rows) or '<tr><td colspan="5">No tasks yet.</td></tr>'
    return (
        f"<!doctype html><title>ClickUp (sandbox)</title><style>{_STYLE}</style>"
        "<h1>ClickUp: Root-cause follow-ups</h1>"
        f"<p>Webhooks: {hooks}</p><table><tr><th>Task</th><th>Status</th><th>Assignees</th>"
        f"<th>Due</th><th></th></tr>{body}</table>"
    )
