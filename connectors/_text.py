"""Outside text made displayable: control characters and direction overrides removed.

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
