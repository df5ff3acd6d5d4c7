"""The RCA note's answers read back for the report."""

from __future__ import annotations

import pytest

from bridge.metrics.rca import Rca, parse_note, summarize_rcas, theme
from policies.templates import RCA_MARKER

TEMPLATE_ANSWERED = f"""{RCA_MARKER} Root-cause analysis requested

- **What happened:** EU cards declined for 40 minutes
- **Root cause:** A 3DS certificate expired at the payment provider
- **Why it reached L2:** enterprise customer
- **Fix:** certificate renewed
- **Knowledge-base update:** KB-311 "3DS declines"
- **Systemic follow-up:** alert 30 days before certificates expire
"""


def test_the_template_answers_are_read() -> None:
    rca = parse_note(TEMPLATE_ANSWERED)
    assert rca.root_cause == "A 3DS certificate expired at the payment provider"
    assert rca.kb_update == 'KB-311 "3DS declines"' and rca.has_kb_update
    assert rca.follow_up == "alert 30 days before certificates expire" and rca.has_follow_up


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The unanswered template's hints are no answers.
        (
            f"{RCA_MARKER}\n- **Knowledge-base update:** (the article written or changed)",
            Rca(),
        ),
        (f"{RCA_MARKER} config push without review", Rca(root_cause="config push without review")),
        ("[RCA]\nRoot cause: DNS\nKnowledge base update: none", Rca("DNS", kb_update="none")),
    ],
)
def test_odd_notes(text: str, expected: Rca) -> None:
    assert parse_note(text) == expected
    assert not expected.has_kb_update


def test_themes_group_root_causes_by_their_first_words() -> None:
    assert theme("Expired card token, at the payment provider!") == (
        "expired card token at the payment"
    )
    summary = summarize_rcas(
        [
            Rca("Expired card token at the payment provider"),
            Rca("expired card token at the payment gateway"),
        ]
    )
    assert summary.themes == [("expired card token at the payment", 2)]
    assert summary.written == 2 and summary.kb_updates == 0
