"""The escalation process document, rendered from the policy so it cannot drift from it."""

from __future__ import annotations

from collections.abc import Mapping

from policies.doc_format import Block, Section, html_page, markdown
from policies.doc_process import process_sections
from policies.doc_text import condition, grouping_text, limit, trigger_notes
from policies.durations import human_duration
from policies.loader import Policy
from policies.routing import previous_assignee


def sections(policy: Policy) -> list[Section]:
    doc = policy.doc
    out: list[Section] = []
    tiers = [
        (
            name,
            t.name,
            t.display_name or t.name,
            t.scope,
            t.group or "",
            doc.channels.get(t.channel or "", ""),
            ", ".join(t.page) or "no",
            "yes" if t.customer_ack else "no",
            previous_assignee(t.group, t.assignee, t.keep_assignee) if name != "L1" else "",
        )
        for name, t in doc.tiers.items()
    ]
    out.append(
        (
            "Tiers",
            [
                (
                    "table",
                    (
                        (
                            "Tier",
                            "Name",
                            "Team (in messages)",
                            "Scope",
                            "Group",
                            "Slack",
                            "Pages for",
                            "Customer told",
                            "Previous assignee",
                        ),
                        tiers,
                    ),
                )
            ],
        )
    )
    rows = []
    for sev, row in doc.matrix.items():
        business = row.clock != "calendar"
        mgmt = (
            "on request only"
            if row.management is None
            else limit(row.management, business=business)
        )
        rows.append(
            (
                sev,
                "24/7" if not business else f"business hours ({row.clock})",
                limit(row.L1, business=business),
                limit(row.L2, business=business),
                limit(row.L3, business=business)
                if row.management is not None
                else "never (management on request)",
                mgmt,
            )
        )
    out.append(
        (
            "Escalation matrix",
            [
                (
                    "p",
                    "How long an unresolved ticket may stay at a tier before it moves to the next. "
                    'Management is notified, the ticket does not change tier for that; "on '
                    'request": only when the customer or an agent asks for it, and the clock '
                    "never takes the ticket to L4. Clocks stop while a ticket is "
                    f"{', '.join(doc.pause_statuses)} (the times the help desk reports).",
                ),
                (
                    "table",
                    (("Severity", "Clock", "L1 → L2", "L2 → L3", "L3 → L4", "Management"), rows),
                ),
            ],
        )
    )
    targets = doc.targets
    blocks: list[Block] = []
    if targets.first_response:
        blocks.append(
            (
                "p",
                f"First public reply to the customer within "
                f"{human_duration(targets.first_response.within)}.",
            )
        )
    cadence = ", ".join(
        f"{s}: every {limit(d, business=doc.matrix[s].clock != 'calendar')}"
        for s, d in targets.status_updates.every.items()
        if s in doc.matrix
    )
    if cadence:
        blocks.append(
            (
                "p",
                f"Status updates to the customer ({cadence}); a missed update "
                f"reminds the owner, {targets.status_updates.escalate_after_misses} "
                "missed updates escalate one tier.",
            )
        )
    if targets.rca:
        blocks.append(
            (
                "p",
                "Root-cause write-up due "
                f"{human_duration(targets.rca.due_after)} after an escalated "
                "ticket is solved.",
            )
        )
    for w in doc.warnings:
        when = (
            f"{w.at_percent:g} % of" if w.at_percent else f"{human_duration(w.before or 0)} before"
        )
        scope = " ".join(filter(None, [", ".join(w.severities or []), ", ".join(w.tiers or [])]))
        blocks.append(
            (
                "p",
                f"Warning `{w.id}`: at {when} the tier's time limit"
                + (f" ({scope})" if scope else "")
                + ".",
            )
        )
    out.append(("Response targets and warnings", blocks))
    triggers = [
        (
            t.id,
            t.reason or "",
            condition(t.when),
            t.tier or "notify only",
            ", ".join(t.notify) or "",
            trigger_notes(t),
            "on" if t.enabled else "off",
        )
        for t in doc.triggers
    ]
    overrides = [
        (o.id, condition(o.when), o.severity, ", ".join(o.notify)) for o in doc.severity.overrides
    ]
    prio = ", ".join(f"{p} → {s}" for p, s in doc.severity.from_priority.items())
    out.append(
        (
            "Severity",
            [
                ("p", f"From priority: {prio}; none → {doc.severity.default}."),
                ("table", (("Rule", "When", "Severity", "Notify"), overrides)),
            ],
        )
    )
    out.append(
        (
            "Automatic triggers",
            [
                (
                    "p",
                    "Time-based conditions (no update for) of a ticket on business hours fire at "
                    "the next open business moment, unless the trigger says otherwise. Customer "
                    "follow-ups are public customer comments after the opening message, since "
                    "the ticket last changed tier or was solved.",
                ),
                (
                    "table",
                    (("Trigger", "Why", "When", "Tier", "Notify", "Notes", "Enabled"), triggers),
                ),
            ],
        )
    )
    tags = ", ".join(f"`{tag}` → {tier}" for tag, tier in doc.manual.tags.items())
    out.append(
        (
            "Manual escalation",
            [
                (
                    "p",
                    f"Tags: {tags or 'none'}. Slack buttons and slash "
                    "commands escalate one tier or to a chosen tier.",
                )
            ],
        )
    )
    routes = [
        (
            r.name,
            r.type,
            condition(r.when),
            ", ".join(r.tiers or []) or "all",
            r.group or "",
            # A route naming no group or assignee hands to the tier's.
            previous_assignee(r.group, r.assignee, r.keep_assignee)
            if r.group or r.assignee
            else "as the tier says",
            r.escalate.replace("_", " "),
            "yes" if r.continue_ else "no",
        )
        for r in doc.routes
    ]
    out.append(
        (
            "Routes",
            [
                (
                    "p",
                    "Matched in order; the first match owns the ticket, "
                    "`continue` lets later routes be told too. A route that escalates "
                    "immediately takes the ticket as soon as its condition holds (at the first "
                    "tier it lists, L2 when it lists none). At L4 management owns the ticket "
                    "and a matching route is told. Fields are named by the help desk's id, "
                    "their title or key. At a hand-over to a group, the previous tier's agent "
                    "is removed in the help desk (the ticket waits unassigned in the group) "
                    "unless the route or tier says `keep_assignee: true`; a route naming an "
                    "assignee replaces the agent.",
                ),
                (
                    "table",
                    (
                        (
                            "Route",
                            "Type",
                            "When",
                            "Tiers",
                            "Group",
                            "Previous assignee",
                            "Escalate",
                            "Continue",
                        ),
                        routes,
                    ),
                ),
            ],
        )
    )
    templates = sorted({v for t in doc.tiers.values() for v in t.templates.model_dump().values()})
    quiet = doc.quiet_hours
    notes = [("p", f"Message templates: {', '.join(templates)}.")]
    if quiet:
        notes.append(
            (
                "p",
                f"Quiet hours {quiet.start} to {quiet.end}: pages that are not "
                "Critical wait until they end.",
            )
        )
    if doc.teams_channels:
        names = ", ".join(f"{n} ({v})" for n, v in doc.teams_channels.items())
        notes.append(("p", f"Teams channels (their webhook URLs in these variables): {names}."))
    if doc.grouping is not None:
        notes.append(("p", grouping_text(doc.grouping, doc.channels)))
    out.append(("Communication", notes))
    if doc.statuspage:
        out.append(("Public status page", _statuspage(policy)))
    return out


def _statuspage(policy: Policy) -> list[Block]:
    rows = [
        (
            rule.id,
            condition(rule.when),
            f"{rule.tier} or above",
            ", ".join(rule.severities or ()) or "any",
            f"asked in {policy.doc.channels.get(rule.channel or '', 'the tier channel')}"
            if rule.confirm
            else "at once",
            rule.components.field or "",
            ", ".join(f"{t} → {c}" for t, c in rule.components.tags.items()),
        )
        for rule in policy.doc.statuspage
    ]
    return [
        (
            "p",
            "A ticket that meets a rule gets one Statuspage incident (investigating), updated "
            "when it moves up a tier and resolved when it is solved. The page shows the "
            "policy's texts and the components the ticket names, never the ticket's words.",
        ),
        (
            "table",
            (("Rule", "When", "Tier", "Severities", "Published", "Component field", "Tags"), rows),
        ),
    ]


def render_markdown(policy: Policy, templates: Mapping[str, str] | None = None) -> str:
    """The process document; ``templates``: the message templates' texts to show."""
    return markdown(policy.doc.name, _intro(policy), _all(policy, templates))


def render_html(policy: Policy, templates: Mapping[str, str] | None = None) -> str:
    return html_page(policy.doc.name, _intro(policy), _all(policy, templates))


def _intro(policy: Policy) -> list[str]:
    return [f"Time zone: {policy.doc.timezone}."]


def _all(policy: Policy, templates: Mapping[str, str] | None) -> list[Section]:
    core = sections(policy)
    extra = process_sections(policy, templates)
    # Roles first: who does what, before the rules they follow.
    return [extra[0], *core, *extra[1:]]
