from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jinja2 import TemplateSyntaxError

import policies.templates as templates_module
from bridge.policy_files import load_templates
from policies.templates import RCA_MARKER, TEMPLATE_NAMES, TemplateRenderer

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

FULL: dict[str, Any] = {
    "customer": {"name": "Ana Ruiz", "company": "Acme GmbH", "tier": "Enterprise", "vip": True},
    "tier": "L2",
    "tier_name": "Senior support",
    "severity": "Critical",
    "team": "Senior Support",
    "owner": "Priya Shah",
    "owner_public": "Priya Shah",
    "signature": "Priya Shah",
    "issue": "Checkout fails for EU cards",
    "issue_lines": ["Every EU card is declined since 08:10."],
    "impact": "No EU orders since 08:10",
    "ongoing": "50 minutes",
    "opened_at": datetime(2026, 3, 2, 8, 10, tzinfo=UTC),
    "timeline": [
        {"at": datetime(2026, 3, 2, 8, 10, tzinfo=UTC), "text": "Ticket opened"},
        {"at": datetime(2026, 3, 2, 8, 25, tzinfo=UTC), "text": "L1 reproduced"},
    ],
    "steps": [
        {"at": datetime(2026, 3, 2, 8, 20, tzinfo=UTC), "kind": "note", "text": "Cleared cache"},
        {
            "at": datetime(2026, 3, 2, 8, 30, tzinfo=UTC),
            "kind": "reply",
            "text": "Checked payment provider status",
        },
    ],
    "reason": "Critical ticket unresolved for 15 min at L1",
    "expectation": "Orders flowing again today",
    "case_number": "#123",
    "timeframe": "within 1 hour",
    "next_update_at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    "last_update": datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
    "due": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    "cadence": "1 hour",
    "resolved_at": NOW,
}


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    return load_templates()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "handoff_note",
            [
                "ESCALATION: #123 - Critical - to Senior Support (L2)",
                "**Customer:** Ana Ruiz - Acme GmbH - Enterprise (VIP)",
                "**Issue:** Checkout fails for EU cards",
                "**Impact:** No EU orders since 08:10",
                "- 2026-03-02 08:10 UTC: Ticket opened",
                "- 2026-03-02 08:30 UTC (reply): Checked payment provider status",
                "**Why escalating:** Critical ticket unresolved for 15 min at L1",
                "**Customer expectation:** Orders flowing again today",
            ],
        ),
        (
            "customer_ack",
            [
                "Hello Ana Ruiz",
                "case #123 to our Senior Support team, and Priya Shah",
                "within 1 hour (by 2026-03-02 10:00 UTC)",
                "Kind regards,\nPriya Shah",
            ],
        ),
        ("status_reminder", ["#123", "was 2026-03-02 07:00 UTC", "every 1 hour"]),
        ("first_response_reminder", ["#123", "Ana Ruiz opened", "due 2026-03-02 09:00 UTC"]),
        ("rca_request", ["#123", "resolved 2026-03-02 09:00 UTC", "Root cause"]),
    ],
)
def test_templates_render_their_content(
    renderer: TemplateRenderer, name: str, expected: list[str]
) -> None:
    text = renderer.render(name, FULL)
    for piece in expected:
        assert piece in text
    assert "[missing:" not in text


def test_rca_request_starts_with_the_marker(renderer: TemplateRenderer) -> None:
    assert renderer.render("rca_request", {}).splitlines()[0].startswith(RCA_MARKER)


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_missing_values_render_as_placeholders(renderer: TemplateRenderer, name: str) -> None:
    text = renderer.render(name, {})
    assert "[missing: " in text


def test_placeholders_name_the_full_path(renderer: TemplateRenderer) -> None:
    text = renderer.render("handoff_note", {"customer": {"name": "Ana"}})
    assert "[missing: customer.company]" in text
    assert "[missing: timeline]" in text and "[missing: steps]" in text
    text = renderer.render("handoff_note", {})
    assert "[missing: customer.name]" in text


def test_empty_lists_read_naturally(renderer: TemplateRenderer) -> None:
    text = renderer.render("handoff_note", {**FULL, "timeline": [], "steps": []})
    assert "- ticket opened 2026-03-02 08:10 UTC" in text
    assert "- no agent reply or note on the ticket yet" in text


def test_values_are_not_evaluated_as_templates(renderer: TemplateRenderer) -> None:
    text = renderer.render("handoff_note", {**FULL, "issue": "{{ 7 * 7 }} <b>"})
    assert "{{ 7 * 7 }} <b>" in text


def write(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.md.j2").write_text(body, encoding="utf-8")


def test_override_folder_wins_by_file_name(tmp_path: Path) -> None:
    write(tmp_path, "customer_ack", "Hi {{ customer.name }}, {{ owner.first }} has it. {{ x.y.z }}")
    renderer = load_templates(tmp_path)
    text = renderer.render("customer_ack", {"customer": {"name": "Ana"}, "owner": {"id": 1}})
    assert text.startswith("Hi Ana, [missing: owner.first] has it. [missing: x.y.z]")
    assert "Root-cause" in renderer.render("rca_request", {})  # others stay shipped


@pytest.mark.parametrize(
    "body",
    [
        "{{ count + 1 }} {{ missing() }} {{ a.b['c'].d }} {{ n < 3 }} {{ x | upper }}",
        "{% for s in steps %}{{ s }}{% endfor %}{{ steps | length }}{{ steps | join(',') }}",
        "{{ ''.__class__.__mro__ }}",
    ],
)
def test_odd_overrides_never_crash_on_missing_values(tmp_path: Path, body: str) -> None:
    write(tmp_path, "status_reminder", body)
    load_templates(tmp_path).render("status_reminder", {})


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("{{ ticket.items }}", "[missing: ticket.items]"),
        ("{{ ticket.get }}", "[missing: ticket.get]"),
        ("{{ ticket.items() }}", "[missing: ticket.items]"),
        ("{{ ticket.subject.upper }}", "[missing: upper]"),
        ("{{ ticket.subject.upper() }}", "REFUND"),
        ("{{ ticket }}", "[missing: ticket]"),
        ("{{ ticket.tags }}", "vip, billing"),
        ("{{ ticket.tags | join('/') }}", "vip/billing"),
        ("{{ x.path }}", "[missing: x.path]"),
        ("{{ ticket.subject.path }}", "[missing: path]"),
        ("{{ range }}", "[missing: safe_range]"),
    ],
)
def test_no_value_renders_as_a_python_repr(tmp_path: Path, body: str, shown: str) -> None:
    write(tmp_path, "status_reminder", body)
    context = {"ticket": {"subject": "refund", "tags": ["vip", "billing"]}}
    assert load_templates(tmp_path).render("status_reminder", context) == shown + "\n"


def test_rca_override_without_marker_still_gets_it(tmp_path: Path) -> None:
    write(tmp_path, "rca_request", "Please write the RCA for {{ case_number }}.")
    text = load_templates(tmp_path).render("rca_request", {"case_number": "#9"})
    assert text == f"{RCA_MARKER}\nPlease write the RCA for #9.\n"


def test_broken_override_fails_at_construction(tmp_path: Path) -> None:
    write(tmp_path, "handoff_note", "{% if %}")
    with pytest.raises(TemplateSyntaxError):
        load_templates(tmp_path)


def test_unknown_template_name(renderer: TemplateRenderer) -> None:
    with pytest.raises(ValueError, match="unknown template"):
        renderer.render("nope", {})


def test_module_stays_pure() -> None:
    source = Path(templates_module.__file__).read_text(encoding="utf-8")
    imported = {
        (node.module or "").split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "collections", "datetime", "typing", "jinja2", "policies"}
    assert "now(" not in source and "today(" not in source
