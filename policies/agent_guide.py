"""The agent guide (``bridge policy doc --for agents``): when and how to escalate, worked
examples and a self-check. The examples' outcomes are computed by running the engine on example
tickets with the policy, never written by hand, so the guide cannot drift from the policy.
Pure: the example clock is fixed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from policies.doc_format import Block, Section, html_page, markdown
from policies.doc_process import workflow
from policies.doc_text import limit
from policies.engine import evaluate
from policies.loader import Policy
from policies.messages import team_name, why
from policies.model import (
    AuthorRole,
    Comment,
    DecisionKind,
    EscalationState,
    Party,
    Priority,
    Satisfaction,
    Source,
    Status,
    Ticket,
)
from policies.signals import annotate
from policies.templates import RCA_MARKER

# A Monday inside business hours: the examples read the same every time the guide is rendered.
OPENED = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)
CHAT_BUTTONS = ("Escalate", "Acknowledge", "Take ownership", "Resolve page")


@dataclass(frozen=True)
class Example:
    title: str
    priority: Priority
    subject: str
    customer: str  # what the customer writes
    after: dt.timedelta  # when the engine looks
    agent_note: str = ""
    tags: frozenset[str] = frozenset()
    solved_rating: int | None = None  # solved, then rated this
    vip: bool = False
    fields: dict[str, object] = field(default_factory=dict)


EXAMPLES = (
    Example(
        "An urgent outage nobody has solved",
        Priority.URGENT,
        "Checkout is down",
        "Our checkout is completely down, no customer can pay.",
        dt.timedelta(minutes=20),
    ),
    Example(
        "The customer asks for a manager",
        Priority.NORMAL,
        "Invoice still wrong",
        "This is the third time I write about this. I want to speak to a manager.",
        dt.timedelta(minutes=5),
    ),
    Example(
        "A negated outage",
        Priority.NORMAL,
        "Slow dashboard",
        "The site is not down, the dashboard is just slow since this morning.",
        dt.timedelta(minutes=30),
    ),
    Example(
        "A compliance request",
        Priority.NORMAL,
        "Security review",
        "Our security team needs your SOC 2 report before we renew.",
        dt.timedelta(minutes=5),
    ),
    Example(
        "An agent finds a bug",
        Priority.HIGH,
        "Export fails",
        "The CSV export fails with an error for one of our reports.",
        dt.timedelta(minutes=40),
        agent_note="Reproduced it: this is a bug, it needs a code change.",
    ),
    Example(
        "A VIP customer",
        Priority.NORMAL,
        "Question about SSO",
        "How do we set up single sign-on for a second domain?",
        dt.timedelta(minutes=5),
        vip=True,
    ),
    Example(
        "A solved ticket rated badly",
        Priority.NORMAL,
        "Password reset",
        "I still could not reset my password the way you described.",
        dt.timedelta(hours=3),
        solved_rating=2,
    ),
)


def example_ticket(example: Example, policy: Policy) -> Ticket:
    said = Comment("c1", AuthorRole.CUSTOMER, True, OPENED, example.customer, "customer")
    comments = [said]
    if example.agent_note:
        at = OPENED + example.after / 2
        comments.append(Comment("c2", AuthorRole.AGENT, False, at, example.agent_note, "agent"))
    solved = example.solved_rating is not None
    rating = (
        Satisfaction(example.solved_rating, "bad" if example.solved_rating < 3 else "good")
        if solved and example.solved_rating is not None
        else None
    )
    organization = Party(
        "org", "Example Corp", tags=frozenset({"vip"}) if example.vip else frozenset()
    )
    ticket = Ticket(
        source=Source.ZENDESK,
        id="1001",
        url="",
        subject=example.subject,
        status=Status.SOLVED if solved else Status.OPEN,
        priority=example.priority,
        created_at=OPENED,
        updated_at=OPENED + example.after / 2 if solved else OPENED,
        requester=Party("req", "Sam Example", "sam@example.com"),
        organization=organization,
        tags=example.tags,
        comments=tuple(comments),
        satisfaction=rating,
        description=example.customer,
    )
    return annotate(ticket, policy.compiled.phrases)


def outcome(example: Example, policy: Policy) -> list[str]:
    """What the bridge does with the example ticket, from the engine's decisions."""
    ticket = example_ticket(example, policy)
    result = evaluate(ticket, EscalationState(), policy, OPENED + example.after)
    said: list[str] = []
    for d in result.decisions:
        team = team_name(policy, d.route, d.tier)
        if d.action is DecisionKind.ESCALATE:
            said.append(f"Escalates to {d.tier.name} ({team}): {why(policy, d)}.")
        elif d.action is DecisionKind.FOLLOW_UP:
            said.append(f"A follow-up for {team}, without a hand-over: {why(policy, d)}.")
        elif d.action is DecisionKind.CUSTOMER_ACK:
            said.append("The customer gets an acknowledgement naming the team and the next update.")
        elif d.action is DecisionKind.PAGE:
            said.append("On-call is paged.")
        elif d.action is DecisionKind.NOTIFY:
            said.append(f"{team} is told in chat.")
    moved = (DecisionKind.ESCALATE, DecisionKind.FOLLOW_UP)
    if not any(d.action in moved for d in result.decisions):
        said.insert(0, f"No escalation yet: stays at L1 ({result.severity.value}).")
    # Reminders and warnings are the same for every ticket; the guide shows what is particular.
    return list(dict.fromkeys(said))


def _when(policy: Policy) -> Section:
    doc = policy.doc
    rows = []
    for sev, row in doc.matrix.items():
        business = row.clock != "calendar"
        rows.append(
            (
                sev,
                row.description,
                limit(row.L1, business=business),
                limit(row.L2, business=business),
                "24/7" if not business else "business hours",
            )
        )
    triggers = [
        (t.reason or t.id, t.tier or "tells a team", t.id) for t in doc.triggers if t.enabled
    ]
    routes = [
        (r.reason or r.name, r.display_name or r.name, r.escalate.replace("_", " "))
        for r in doc.routes
    ]
    blocks: list[Block] = [
        (
            "p",
            "Escalate when the time at your tier runs out (the bridge does it for you and warns "
            "before), when one of the triggers below holds, or when you know you cannot solve "
            "it at your tier. Clocks stop while a ticket is "
            + " or ".join(doc.pause_statuses)
            + ".",
        ),
        ("table", (("Severity", "Means", "At L1 for", "At L2 for", "Clock"), rows)),
        ("p", "The bridge also escalates when:"),
        ("table", (("Why", "To", "Rule"), triggers)),
        ("p", "Some tickets go to a specialist team at once:"),
        ("table", (("Why", "Team", "When"), routes)),
    ]
    return ("When to escalate", blocks)


def _how(policy: Policy) -> Section:
    doc = policy.doc
    tags = [f"add the tag {tag}: to {tier}" for tag, tier in doc.manual.tags.items()]
    return (
        "How to escalate",
        [
            ("p", "In the help desk, with a tag:"),
            ("list", tags or ["(this policy names no escalation tags)"]),
            (
                "p",
                "In chat, with the buttons on the escalation message: "
                + ", ".join(CHAT_BUTTONS)
                + ". Or type /escalate TICKET [reason] (the reason goes into the hand-off).",
            ),
            (
                "p",
                "Before you escalate, write what you tried in an internal note: the hand-off "
                "note lists your notes and replies as the steps taken. After the ticket is "
                f"solved, the owner writes the root cause in a note starting with {RCA_MARKER}.",
            ),
        ],
    )


def _examples(policy: Policy) -> Section:
    blocks: list[Block] = [
        (
            "p",
            "Each example is run through the escalation engine with this policy when the guide "
            "is rendered; what it says happens is what the bridge does.",
        )
    ]
    for example in EXAMPLES:
        lines = [
            f"Priority {example.priority.value}; the customer writes: “{example.customer}”",
            *([f"An agent notes: “{example.agent_note}”"] if example.agent_note else []),
            *(["The customer's organization is tagged vip."] if example.vip else []),
            *(
                [f"The ticket was solved and rated {example.solved_rating} of 5."]
                if example.solved_rating is not None
                else []
            ),
            f"After {limit(int(example.after.total_seconds()), business=False)}: "
            + " ".join(outcome(example, policy)),
        ]
        blocks += [("p", example.title), ("list", lines)]
    return ("Worked examples", blocks)


def _self_check(policy: Policy) -> Section:
    blocks: list[Block] = []
    for example in EXAMPLES[::-1][:5]:
        question = (
            f"A {example.priority.value} ticket: “{example.customer}”"
            + (f" An agent notes: “{example.agent_note}”" if example.agent_note else "")
            + (" The customer is a VIP." if example.vip else "")
            + (
                f" It was solved and rated {example.solved_rating} of 5."
                if example.solved_rating is not None
                else ""
            )
            + f" What happens after {limit(int(example.after.total_seconds()), business=False)}?"
        )
        blocks.append(("qa", (question, " ".join(outcome(example, policy)))))
    return ("Self-check", blocks)


def guide_sections(policy: Policy) -> list[Section]:
    return [
        _when(policy),
        _how(policy),
        ("What happens next", workflow(policy.doc)[1]),
        _examples(policy),
        _self_check(policy),
    ]


def _title(policy: Policy) -> str:
    return f"Agent guide: {policy.doc.name}"


INTRO = ["How this team escalates tickets, rendered from the escalation policy."]


def render_guide_markdown(policy: Policy) -> str:
    return markdown(_title(policy), INTRO, guide_sections(policy))


def render_guide_html(policy: Policy) -> str:
    return html_page(_title(policy), INTRO, guide_sections(policy))
