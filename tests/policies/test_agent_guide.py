"""The agent guide: its examples are the engine's answers with the policy, so they change when
the policy does; Markdown and HTML carry the same content, escaped."""

from __future__ import annotations

import pytest

from policies.agent_guide import (
    EXAMPLES,
    outcome,
    render_guide_html,
    render_guide_markdown,
)
from tests.policies.factory import default_policy, policy_with

BY_TITLE = {example.title: example for example in EXAMPLES}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("An urgent outage nobody has solved", "Escalates to L2 (Senior Support)"),
        ("The customer asks for a manager", "asked for a manager"),
        ("A negated outage", "No escalation yet"),
        ("A compliance request", "Escalates to L2 (Compliance)"),
        ("An agent finds a bug", "Escalates to L3 (Technical Support)"),
        ("A VIP customer", "Customer Success is told in chat"),
        ("A solved ticket rated badly", "A follow-up for Senior Support"),
    ],
)
def test_examples_are_computed_by_the_engine(title: str, expected: str) -> None:
    assert expected in " ".join(outcome(BY_TITLE[title], default_policy()))


def test_the_guide_follows_the_policy() -> None:
    # Give L1 an hour for Critical tickets: the 20-minute outage no longer escalates.
    import yaml

    from bridge.policy_files import DEFAULT_POLICY_PATH

    matrix = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))["matrix"]
    matrix["Critical"]["L1"] = "1h"
    slower = policy_with(matrix=matrix)
    outage = BY_TITLE["An urgent outage nobody has solved"]
    assert "No escalation yet" in " ".join(outcome(outage, slower))
    assert "No escalation yet" not in " ".join(outcome(outage, default_policy()))


def test_markdown_has_every_part() -> None:
    text = render_guide_markdown(default_policy())
    for heading in (
        "## When to escalate",
        "## How to escalate",
        "## What happens next",
        "## Worked examples",
        "## Self-check",
    ):
        assert heading in text
    assert "add the tag escalate_l2: to L2" in text
    assert "/escalate TICKET [reason]" in text
    assert text.count("**Q:**") == 5 and text.count("**A:**") == 5
    assert "None" not in text and "[missing" not in text
    assert "previous tier's agent is removed as the assignee" in text


def test_the_guide_names_tiers_that_keep_the_agent() -> None:
    import yaml

    from bridge.policy_files import DEFAULT_POLICY_PATH

    tiers = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))["tiers"]
    tiers["L3"]["keep_assignee"] = True
    text = render_guide_markdown(policy_with(tiers=tiers))
    assert "(except at L3, which keep the agent)" in text
    assert "except at" not in render_guide_markdown(default_policy())


def test_html_hides_the_answers_and_escapes() -> None:
    html = render_guide_html(default_policy())
    assert html.startswith("<!doctype html>")
    assert html.count("<details>") == 5
    assert "“" in html and "<script" not in html
