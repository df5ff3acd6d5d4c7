"""The process document is rendered from the policy itself."""

from __future__ import annotations

from policies.render_doc import render_html, render_markdown
from tests.policies.factory import default_policy


def test_markdown_has_every_section_and_the_matrix() -> None:
    text = render_markdown(default_policy())
    for heading in (
        "## Tiers",
        "## Escalation matrix",
        "## Automatic triggers",
        "## Routes",
        "## Response targets and warnings",
        "## Communication",
    ):
        assert heading in text
    assert "| Critical | 24/7 | 15 min | 1 hour | 2 hours | immediately |" in text
    assert (
        "| Low | business hours (business) | 1 business day | 2 business days "
        "| never (management on request) | on request only |" in text
    )
    assert "handoff_note" in text and "rca_request" in text
    assert "#support-escalations" in text


def test_html_escapes_and_has_tables() -> None:
    html = render_html(default_policy())
    assert html.startswith("<!doctype html>")
    assert html.count("<table>") >= 4
    assert "<td>Critical</td>" in html
