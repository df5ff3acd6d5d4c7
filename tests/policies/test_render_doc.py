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


def test_process_document_lists_roles_phrases_workflow_templates_and_targets() -> None:
    templates = {"customer_ack": "Hello {{ customer.name }}", "handoff_note": "ESCALATION: x"}
    text = render_markdown(default_policy(), templates)
    assert text.index("## Roles and responsibilities") < text.index("## Tiers")
    roles = text.split("## Roles and responsibilities")[1].split("## ")[0]
    assert roles.count("\n| ") == 7  # the header and the six roles of the process
    assert "## Phrase lists" in text and "- soc (2|ii|two|1|i|3)?" in text
    assert "escalation_request: the customer asked to escalate" in text
    assert "Used by trigger asks_for_manager" in text
    workflow = text.split("## Workflow")[1].split("## ")[0]
    for step in ("First response", "Acknowledge", "Initial diagnosis", "Resolution", "Follow-up"):
        assert step in workflow
    assert "```text\nHello {{ customer.name }}\n```" in text
    assert "| L2 resolution rate | above 80% |" in text
    assert "| Senior Support |" in text  # the team's display name
