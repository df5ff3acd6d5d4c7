"""Outside text made safe to show: control characters and direction overrides removed, and
cells for spreadsheets and Markdown tables neutralised.

Ticket text is hostile. Terminal escape sequences (``ESC [ …``), other C0/C1 controls and the
Unicode bidirectional overrides (which make ``exe.txt`` read as ``txt.exe``) have no business in a
chat message, a report or a terminal; line breaks and tabs stay.
"""

from __future__ import annotations

import re

# ESC-introduced sequences first (CSI "ESC [ … final", OSC "ESC ] … BEL/ST", two-byte ones), so
# their parameters go with them; then any remaining C0/C1 control, DEL and bidi control.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, ended by BEL or ST
    r"|\x1b[@-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without escape sequences, control characters (but ``\\n``, ``\\t``) or bidi
    overrides."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Markdown's inline markup and table separator; < > & become entities, so that a report pasted
# into Slack or rendered on GitHub shows "<!everyone>" as typed instead of pinging or tagging.
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")


def csv_cell(value: object) -> object:
    """A CSV cell: text starting like a formula gets a leading ``'``; numbers stay numbers."""
    if not isinstance(value, str):
        return value
    value = printable(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def markdown_cell(value: object) -> str:
    """Any value as inline Markdown text that renders as typed, on one line."""
    text = printable(str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))
