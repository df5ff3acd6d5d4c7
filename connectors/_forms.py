"""Form-encoded request bodies (Slack's interactivity, Teams' confirmation page). Pure."""

from __future__ import annotations

from urllib.parse import parse_qs

FORM = "application/x-www-form-urlencoded"


def form_fields(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not a form-encoded body: {exc}") from None
    return {key: values[0] for key, values in fields.items()}
