"""The Zendesk stand-in's search export (``GET /api/v2/search/export``), the way an agent finds
changed tickets when the incremental export ("Allowed For: Admins") is closed to it.

OAS search: ``query`` required, ``filter[type]`` names the object type (a ``type:`` in the query
is an error), cursor pagination with ``page[size]`` up to 1000, results "ordered only by the
``created_at`` attribute", ``links.next`` and ``meta.has_more``/``meta.after_cursor``, no
``count``. Of the query syntax the stand-in understands ``updated>TIME``, ``updated<TIME`` (ISO
8601, as the Zendesk Support search reference shows) and ignores other words; the reference is
not vendored, so this is a subset.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Flask, jsonify, request

from sandbox.zendesk.wire import (
    EXPORT_PAGE_MAX,
    Json,
    decode_cursor,
    encode_cursor,
    error_body,
    ticket_json,
)

_UPDATED = re.compile(r"updated([<>])(\S+)")


def register_search(app: Flask, sb: Any) -> None:
    @app.get("/api/v2/search/export.json")
    @app.get("/api/v2/search/export")
    def search_export() -> Any:
        if (stop := sb._enter("search.export")) is not None:
            return stop
        query = request.args.get("query", "")
        kind = request.args.get("filter[type]", "")
        if not query or kind not in ("ticket", "user", "organization", "group"):
            return jsonify(error_body("InvalidSearch", "query and filter[type] are required")), 400
        if "type:" in query:
            return jsonify(error_body("InvalidSearch", "type belongs in filter[type]")), 400
        size = min(EXPORT_PAGE_MAX, int(request.args.get("page[size]", 100)))
        start = max(0, decode_cursor(request.args.get("page[after]", encode_cursor(0))))
        rows = matching(sb, query) if kind == "ticket" else []
        page, more = rows[start : start + size], start + size < len(rows)
        after = encode_cursor(start + size)
        base = f"{sb.request_base_url()}/api/v2/search/export"
        next_url = (
            f"{base}?query={query}&filter%5Btype%5D=ticket&page%5Bsize%5D={size}"
            f"&page%5Bafter%5D={after}"
        )
        return jsonify(
            {
                "results": page,
                "facets": None,
                "meta": {"has_more": more, "after_cursor": after if more else None},
                "links": {"prev": None, "next": next_url if more else None},
            }
        )


def matching(sb: Any, query: str) -> list[Json]:
    bounds = [(op, _moment(value)) for op, value in _UPDATED.findall(query)]
    with sb.lock:
        tickets = sorted(sb.tickets.values(), key=lambda t: (t["created_at"], t["id"]))
        found = []
        for ticket in tickets:
            updated = _moment(ticket["updated_at"])
            if all(updated > at if op == ">" else updated < at for op, at in bounds):
                found.append(
                    {**ticket_json(ticket, sb.request_base_url()), "result_type": "ticket"}
                )
        return found


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
