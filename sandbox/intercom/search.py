"""The search API of the Intercom stand-in: the query DSL's parts the bridge uses and the
``starting_after`` cursor pages (FACTS.md I-search)."""

from __future__ import annotations

import base64
from typing import Any

from sandbox.intercom.wire import PER_PAGE_DEFAULT, PER_PAGE_MAX, Json


def _matches(row: Json, query: Json) -> bool:
    """The search DSL's parts the stand-in knows: AND/OR of ``field``/``operator``/``value``
    on numbers (``>`` and ``<`` include the value itself, I-search)."""
    operator = query.get("operator")
    if operator in ("AND", "OR"):
        results = [_matches(row, q) for q in query.get("value") or []]
        return all(results) if operator == "AND" else any(results)
    value, actual = query.get("value"), row.get(str(query.get("field")))
    if operator == "=":
        return str(actual) == str(value)
    if not isinstance(actual, int) or not isinstance(value, int):
        return False
    return actual >= value if operator == ">" else actual <= value if operator == "<" else False


def search_page(rows: list[Json], query: Json, pagination: Json) -> Json:
    """One page of the conversations matching ``query``; no order is promised by Intercom, so
    the stand-in answers newest first (a client relying on oldest first would be caught)."""
    per_page = min(PER_PAGE_MAX, int(pagination.get("per_page") or PER_PAGE_DEFAULT))
    after = pagination.get("starting_after")
    offset = int(base64.b64decode(str(after)).decode()) if after else 0
    found = sorted(
        (r for r in rows if _matches(r, query)), key=lambda c: (-c["updated_at"], c["id"])
    )
    page = found[offset : offset + per_page]
    pages: dict[str, Any] = {
        "type": "pages",
        "page": offset // per_page + 1,
        "per_page": per_page,
        "total_pages": max(1, -(-len(found) // per_page)),
    }
    if offset + per_page < len(found):
        cursor = base64.b64encode(str(offset + per_page).encode()).decode()
        pages["next"] = {"page": pages["page"] + 1, "starting_after": cursor}
    return {
        "type": "conversation.list",
        "conversations": page,
        "total_count": len(found),
        "pages": pages,
    }
