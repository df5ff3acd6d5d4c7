"""``bridge report``: the report's content, its three formats, and the command."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import click
import pytest
from flask import Flask
from sqlalchemy import Engine

from bridge.cli.report import parse_since
from bridge.metrics import DEFAULT_TARGETS, Filters, Metrics
from bridge.metrics.report import build_report, recommendations, render
from bridge.policy_files import load_policy
from tests.conftest import FrozenClock
from tests.support.sample import Rows, decision_row, insert, state_row, ticket_row


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30d", timedelta(days=30)), ("12h", timedelta(hours=12)), ("2w", timedelta(weeks=2))],
)
def test_parse_since(text: str, expected: timedelta) -> None:
    assert parse_since(text) == expected


@pytest.mark.parametrize("text", ["", "30", "0d", "d30", "30m"])
def test_parse_since_refuses(text: str) -> None:
    with pytest.raises(click.BadParameter):
        parse_since(text)


RCA_NOTES = {
    1: "[RCA]\n- **Root cause:** Expired card token at the payment provider\n"
    "- **Knowledge-base update:** KB-120 card token refresh\n"
    "- **Systemic follow-up:** refresh tokens a week before expiry",
    2: "[RCA]\n- **Root cause:** expired card token at the payment provider again\n"
    "- **Knowledge-base update:** none",
    3: "[RCA] a customer mistake in the invoice address",
}


def _history(engine: Engine, clock: FrozenClock) -> None:
    """Four tickets by acme in one category; three escalated by "vip" and solved at once, each
    with a root-cause note (two of the same theme, one naming an article)."""
    rows = Rows()
    for n in range(4):
        created = clock.now - timedelta(days=3, hours=n)
        row = ticket_row(
            str(n),
            created,
            status="solved" if n else "open",
            organization="acme",
            category="billing",
        )
        if n:
            row["data"]["comments"].append(
                {
                    "id": f"rca{n}",
                    "author_role": "agent",
                    "public": False,
                    "created_at": (created + timedelta(hours=2)).isoformat(),
                    "body": RCA_NOTES[n],
                    "author_id": "a1",
                    "signals": None,
                }
            )
        rows.tickets.append(row)
        if n:
            at = created + timedelta(hours=1)
            rows.decisions.append(decision_row(str(n), at, "escalate", "vip"))
            rows.states.append(
                state_row(
                    str(n),
                    2,
                    at,
                    history=[(at, "vip", "L1", "L2")],
                    solved_at=at + timedelta(minutes=10),
                    rca_recorded=True,
                )
            )
    with engine.begin() as connection:
        insert(connection, rows)


def test_report_lists_triggers_organizations_and_recommendations(
    engine: Engine, clock: FrozenClock
) -> None:
    _history(engine, clock)
    report = build_report(engine, load_policy(None), clock.now, timedelta(days=30))
    assert report.triggers == [("vip", "the customer is a VIP or enterprise account", 3, 3)]
    assert report.organizations == [("Acme", 3)]
    assert report.categories == [("billing", 3)]
    assert report.recommendations[0].startswith("Trigger 'vip': 3 of 3 escalations (100.0 %)")
    assert any("Category 'billing'" in text for text in report.recommendations)
    # Over-escalations and RCA themes are named.
    assert len(report.over_examples) == 3 and report.over_examples[0].startswith("zendesk #")
    assert any("e.g. zendesk #" in text for text in report.recommendations)
    assert report.rca.written == 3 and report.rca.kb_updates == 1
    assert report.rca.themes[0] == ("expired card token at the payment", 2)
    assert report.rca.follow_ups == ["refresh tokens a week before expiry"]
    assert any("came up in 2 RCAs" in text for text in report.recommendations)
    assert any(
        "2 of 3 root-cause analyses name no knowledge-base" in t for t in report.recommendations
    )

    markdown = render(report, "md")
    assert "| Escalation rate | 75.0 % | &lt; 15.0 % | missed |" in markdown
    assert "| vip | the customer is a VIP or enterprise account | 3 | 3 |" in markdown
    html = render(report, "html")
    assert "<td>Acme</td>" in html
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    assert rows[0] == ["section", "name", "value", "target", "status", "detail", "definition"]
    assert all(len(row) == 7 for row in rows)
    assert all(row[6] for row in rows if row[0] == "metric")  # every metric defined
    assert ["category", "billing", "3", "", "", "", ""] in rows


def test_html_report_escapes(engine: Engine, clock: FrozenClock) -> None:
    rows = Rows()
    created = clock.now - timedelta(days=1)
    rows.tickets.append(ticket_row("1", created, organization="<b>x</b>"))
    rows.decisions.append(decision_row("1", created, "escalate", "vip"))
    rows.states.append(state_row("1", 2, created))
    with engine.begin() as connection:
        insert(connection, rows)
    html = render(build_report(engine, load_policy(None), clock.now, timedelta(days=7)), "html")
    assert "<B>X</B>" not in html and "&lt;B&gt;X&lt;/B&gt;" in html


def _hostile_report(engine: Engine, clock: FrozenClock, fmt: str) -> str:
    rows = Rows()
    created = clock.now - timedelta(days=1)
    names = ['=HYPERLINK("https://evil.example","x")', "@SUM(1)", "+1", "-1", "\tx"]
    for n, name in enumerate(names):
        category = "<!everyone> | *bold* [x](https://evil.example)\x1b[31m\nline"
        rows.tickets.append(ticket_row(str(n), created, organization=name, category=category))
        rows.decisions.append(decision_row(str(n), created, "escalate", "vip"))
        rows.states.append(state_row(str(n), 2, created))
    with engine.begin() as connection:
        insert(connection, rows)
    return render(build_report(engine, load_policy(None), clock.now, timedelta(days=7)), fmt)


def test_csv_report_never_starts_a_cell_like_a_formula(engine: Engine, clock: FrozenClock) -> None:
    rows = list(csv.reader(io.StringIO(_hostile_report(engine, clock, "csv"))))
    organizations = {row[1] for row in rows if row[0] == "organization"}
    assert organizations == {
        '\'=Hyperlink("Https://Evil.Example","X")',
        "'@Sum(1)",
        "'+1",
        "'-1",
        "'\tX",
    }
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
            assert "\x1b" not in cell


def test_markdown_report_shows_desk_text_as_typed(engine: Engine, clock: FrozenClock) -> None:
    markdown = _hostile_report(engine, clock, "md")
    assert "<!everyone>" not in markdown and "\x1b" not in markdown
    category = "&lt;!everyone&gt; \\| \\*bold\\* \\[x\\](https://evil.example) line"
    [row] = [line for line in markdown.splitlines() if line.startswith(f"| {category} |")]
    # Still two cells: the desk's "|" does not split the row.
    assert row == f"| {category} | 5 |" and row.replace("\\|", "").count("|") == 3


def test_on_target_means_no_recommendation(clock: FrozenClock) -> None:
    assert recommendations(Metrics(clock.now, clock.now, Filters()), DEFAULT_TARGETS) == []


def test_report_command(app: Flask, clock: FrozenClock, tmp_path: object) -> None:
    _history(app.extensions["bridge"].db, clock)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["bridge", "report", "--since", "7d", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "metric,Escalation rate,75.0 %" in result.output
    bad = runner.invoke(args=["bridge", "report", "--since", "soon"])
    assert bad.exit_code == 2
