"""``bridge explain`` prints desk text: never a terminal escape sequence or control character."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from tests.conftest import FrozenClock
from tests.support.sample import Rows, decision_row, insert, state_row, ticket_row

# Clears the screen, retitles the window, hides the rest of the line, reverses the text.
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\x1b[8mhidden\x1b[0m \u202eevil\r\x08\x07 done"


def test_explain_prints_no_escape_sequence(app: Flask, clock: FrozenClock) -> None:
    at = clock.now - timedelta(hours=1)
    ticket = ticket_row("1", at)
    ticket["data"]["subject"] = f"Refund {HOSTILE}"
    rows = Rows(
        tickets=[ticket],
        states=[state_row("1", 2, at, owner=HOSTILE)],
        decisions=[decision_row("1", at, "escalate", "vip", text=HOSTILE)],
    )
    with app.extensions["bridge"].db.begin() as connection:
        insert(connection, rows)
    result = app.test_cli_runner().invoke(args=["bridge", "explain", "zendesk:1"])
    assert result.exit_code == 0, result.output
    assert "Refund hidden evil done" in result.output
    assert "owner hidden evil done" in result.output
    for control in ("\x1b", "\x07", "\x08", "\r", "\u202e"):
        assert control not in result.output
