"""JSON request bodies, read the same way by every inbound. Pure."""

from __future__ import annotations

import json
from typing import Any

from connectors.base import WebhookParseError


def json_document(body: bytes | str) -> Any:
    """The parsed body; ``WebhookParseError`` (a 400) for anything else: invalid UTF-8 or JSON,
    an integer longer than Python reads (4,300 digits), or nesting deeper than the parser's
    recursion limit (about 1,000 levels), which ``json`` reports as a ``RecursionError``."""
    try:
        return json.loads(body)
    except RecursionError:
        raise WebhookParseError("body is not JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise WebhookParseError(f"body is not JSON: {exc}") from None
