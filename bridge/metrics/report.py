"""The process-improvement report: the metrics against their targets, top triggers,
organizations and categories, and recommendations derived from the numbers. Rendered as
Markdown, HTML or CSV (``bridge report``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine

from bridge.metrics import Metrics, Row, Targets, compute_metrics, percent, scorecard, targets_for
from bridge.metrics.rca import RcaSummary, parse_note, summarize_rcas
from bridge.store import db
from bridge.store.metric_facts import load_rca_notes, under_examples
from connectors.text import csv_cell, markdown_cell
from policies import Policy
from policies.model import Tier
from policies.reasons import plain_reason

TEMPLATES = Path(__file__).parent / "templates"
MIN_TRIGGER_ESCALATIONS = 3
OVER_TRIGGER_RATE = 0.3
SYSTEMIC_SHARE = 0.2


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    policy: str
    metrics: Metrics
    card: list[Row]
    triggers: list[tuple[str, str, int, int]]  # rule, why in words, escalations, over-escalated
    organizations: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    recommendations: list[str]
    over_examples: list[str]  # "zendesk #12 (rule)"
    under_examples: list[str]  # "zendesk #15"
    rca: RcaSummary


def build_report(engine: Engine, policy: Policy, now: datetime, since: timedelta) -> Report:
    start = now - since
    rca = policy.doc.targets.rca
    with db.reading(engine) as connection:
        metrics = compute_metrics(connection, policy, start, now)
        under = under_examples(connection, start, now)
        notes = load_rca_notes(connection, metrics.rca_written, rca.field if rca else None)
    targets = targets_for(policy)
    triggers = [
        (rule, rule_words(policy, rule), count, metrics.over_by_trigger[rule])
        for rule, count in metrics.triggers.most_common(10)
    ]
    summary = summarize_rcas(parse_note(text) for text in notes.values())
    over = [f"{source} #{ticket_id} ({rule})" for source, ticket_id, rule in metrics.over_examples]
    under_named = [f"{source} #{ticket_id}" for source, ticket_id in under]
    return Report(
        since=start,
        until=now,
        policy=policy.doc.name,
        metrics=metrics,
        card=scorecard(metrics, targets),
        triggers=triggers,
        organizations=metrics.organizations.most_common(10),
        categories=metrics.categories.most_common(10),
        recommendations=recommendations(metrics, targets, over, under_named, summary),
        over_examples=over,
        under_examples=under_named,
        rca=summary,
    )


def rule_words(policy: Policy, rule: str) -> str:
    """A trigger as a support lead reads it: the policy's reason, else the condition in words."""
    return plain_reason(policy, rule, "", Tier.L2) or rule


def recommendations(
    m: Metrics,
    t: Targets,
    over_named: list[str] | None = None,
    under_named: list[str] | None = None,
    rca: RcaSummary | None = None,
) -> list[str]:
    """What to look at, derived from the numbers; the strongest signals first. Examples name
    tickets to open; categories are the desk's option labels."""
    out: list[str] = []
    for rule, total in m.last_trigger.most_common():
        over = m.over_by_trigger[rule]
        if total >= MIN_TRIGGER_ESCALATIONS and over / total >= OVER_TRIGGER_RATE:
            out.append(
                f"Trigger '{rule}': {over} of {total} escalations ({percent(over / total)}) were "
                "solved within 1 h without further agent work. Raise its threshold or let L1 "
                "handle these."
            )
    if m.over and over_named:
        out.append(
            f"{m.over} escalations looked unnecessary (solved within 1 h, no further agent "
            f"work), e.g. {', '.join(over_named)}: read them with the L1 team."
        )
    if m.escalation_rate is not None and m.escalation_rate >= t.escalation_rate_max:
        named = [(name, n) for name, n in m.categories.most_common() if name != "(none)"][:3]
        top = ", ".join(f"{name} ({n})" for name, n in named)
        out.append(
            f"Escalation rate {percent(m.escalation_rate)} is above "
            f"{percent(t.escalation_rate_max)}: give L1 runbooks or training for "
            + (
                f"the top categories: {top}."
                if named
                else "the top reasons; set the category field on tickets to see which."
            )
        )
    if m.tte_p90 is not None and m.tte_p90 >= t.time_to_escalate_max:
        out.append(
            "One escalation in ten takes longer than the time-to-escalate target: shorten the L1 "
            "column of the matrix or add an earlier pre-breach warning."
        )
    if m.l2_resolution_rate is not None and m.l2_resolution_rate <= t.l2_resolution_min:
        out.append(
            f"L2 solves only {percent(m.l2_resolution_rate)} without L3: review what L3 fixed and "
            "turn it into L2 knowledge or tooling."
        )
    if m.csat is not None and m.csat <= t.csat_min:
        out.append(
            f"CSAT of escalated tickets is {m.csat:.2f}: check the acknowledgement and status "
            "update cadence for escalated customers."
        )
    if m.repeat_rate is not None and m.repeat_rate >= t.repeat_max:
        out.append(
            f"{percent(m.repeat_rate)} of escalations repeat: open problem records for the top "
            "organizations and fix the root causes, not the tickets."
        )
    if m.rca_rate is not None and m.rca_rate <= t.rca_completion_min:
        out.append(
            f"Only {percent(m.rca_rate)} of root causes were written within 48 h: make the RCA "
            "owner explicit at solve time."
        )
    if m.under:
        examples = f", e.g. {', '.join(under_named)}" if under_named else ""
        out.append(
            f"{m.under} tickets breached the help desk's resolution SLA without escalating"
            f"{examples}: check that the matrix and triggers cover them."
        )
    if rca is not None and rca.written:
        for theme, times in rca.themes:
            if times >= 2:
                out.append(
                    f"Root cause “{theme}…” came up in {times} RCAs: fix it at the source and "
                    "teach L1 to recognise it."
                )
        missing = rca.written - rca.kb_updates
        if missing:
            out.append(
                f"{missing} of {rca.written} root-cause analyses name no knowledge-base update: "
                "ask for the article when the RCA is written."
            )
    for name, count in m.categories.most_common(3):
        if m.escalated and name != "(none)" and count / m.escalated >= SYSTEMIC_SHARE:
            out.append(
                f"Category '{name}' accounts for {percent(count / m.escalated)} of escalations: "
                "a systemic issue worth a problem ticket with product or engineering."
            )
    return out


def render(report: Report, fmt: str) -> str:
    if fmt == "csv":
        return render_csv(report)
    # Organisation names, categories and rule ids come from the desks: in HTML autoescaped,
    # in Markdown every value goes through markdown_cell.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=None if fmt == "html" else markdown_cell,
    )
    name = "report/report.html" if fmt == "html" else "report/report.md"
    return env.get_template(name).render(r=report).rstrip("\n") + "\n"


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows: list[list[object]] = [
        ["section", "name", "value", "target", "status", "detail", "definition"]
    ]
    for row in report.card:
        rows.append(
            ["metric", row.name, row.current, row.target, row.status, row.detail, row.definition]
        )
    for rule, words, count, over in report.triggers:
        rows.append(["trigger", rule, count, "", "", f"{over} over-escalated", words])
    for name, count in report.organizations:
        rows.append(["organization", name, count, "", "", "", ""])
    for name, count in report.categories:
        rows.append(["category", name, count, "", "", "", ""])
    for theme, count in report.rca.themes:
        rows.append(["rca theme", theme, count, "", "", "", ""])
    for text in report.recommendations:
        rows.append(["recommendation", "", "", "", "", text, ""])
    # Every cell, not only the desk's: a spreadsheet must never run one as a formula.
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()
