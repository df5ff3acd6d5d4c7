"""Every message kind, rendered from decisions the engine makes on example tickets with the
default policy and the shipped templates, against golden files read by eye
(``tests/fixtures/golden/messages``; ``UPDATE_GOLDEN=1`` rewrites them), and checked field by
field: nothing empty, ``None``, a placeholder or a group slug."""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import datetime
from pathlib import Path

import pytest

from bridge.policy_files import load_policy, load_templates
from policies import apply_decisions, evaluate
from policies.messages import message_context, owner_label
from policies.model import (
    AuthorRole,
    Comment,
    DecisionKind,
    EscalationState,
    ManualRequest,
    Party,
    Priority,
    Satisfaction,
    Status,
    StatusChange,
    Ticket,
    Tier,
)
from policies.templates import TemplateRenderer
from tests.policies.factory import MON, D, H, M, default_policy, ticket

GOLDEN = Path(__file__).parent.parent / "fixtures" / "golden" / "messages"
AGENT = AuthorRole.AGENT
SLUGS = ("senior-support", "engineering-support", "support-management", "frontline", "_")


def say(
    at: datetime, body: str, role: AuthorRole = AuthorRole.CUSTOMER, public: bool = True
) -> Comment:
    return Comment(f"c{int(at.timestamp())}{role.value}", role, public, at, body)


def acme(**kw: object) -> Ticket:
    """A Critical checkout outage for an enterprise customer, with an L1 agent's work on it."""
    base: dict[str, object] = {
        "subject": "Checkout fails for every EU card",
        "description": "Since 09:40 every EU card is declined at checkout.\n"
        "Our EU shop takes no orders at all.\nError: PAYMENT_DECLINED_3DS",
        "requester": Party("7", "Ana Ruiz", "ana@acme.example"),
        "organization": Party("8", "Acme GmbH", fields={"account_tier": "enterprise"}),
        "comments": (
            say(MON - 20 * M, "Since 09:40 every EU card is declined at checkout."),
            say(
                MON - 15 * M,
                "Checked the payment provider's status page: all green.",
                AuthorRole.AGENT,
                False,
            ),
            say(
                MON - 10 * M,
                "We are looking into it and will update you shortly.",
                AuthorRole.AGENT,
            ),
            say(MON - 5 * M, "We need orders flowing again before our 14:00 campaign."),
        ),
    }
    base.update(kw)
    priority = base.pop("priority", Priority.URGENT)
    return ticket(priority, created=MON - 20 * M, **base)  # type: ignore[arg-type]


def rendered(
    renderer: TemplateRenderer,
    t: Ticket,
    now: datetime,
    kind: DecisionKind,
    state: EscalationState | None = None,
    rule: str | None = None,
) -> str:
    """The message the bridge would post for the engine's first ``kind`` decision at ``now``."""
    policy = default_policy()
    before = state or EscalationState()
    evaluation = evaluate(t, before, policy, now)
    after = apply_decisions(before, evaluation, now)
    decision = next(d for d in evaluation.decisions if d.action is kind and rule in (None, d.rule))
    context = message_context(policy, decision, t, after, now)
    return renderer.render(decision.template or "", context)


def escalated(t: Ticket, at: datetime) -> EscalationState:
    policy = default_policy()
    evaluation = evaluate(t, EscalationState(), policy, at)
    return apply_decisions(EscalationState(), evaluation, at)


def handoff(r: TemplateRenderer) -> str:
    return rendered(r, acme(), MON, DecisionKind.INTERNAL_NOTE)


def ack(r: TemplateRenderer) -> str:
    return rendered(r, acme(), MON, DecisionKind.CUSTOMER_ACK)


def ack_assigned(r: TemplateRenderer) -> str:
    t = acme(assignee_id="99", assignee_name="Priya Shah")
    return rendered(r, t, MON, DecisionKind.CUSTOMER_ACK)


def status_reminder(r: TemplateRenderer) -> str:
    t = acme(priority=Priority.HIGH, comments=(*acme().comments[:3],))
    return rendered(r, t, MON + 5 * H, DecisionKind.REMIND_OWNER, escalated(t, MON + 3 * H))


def first_response(r: TemplateRenderer) -> str:
    t = acme(comments=(say(MON - 20 * M, "Checkout is down."),))
    return rendered(r, t, MON + 20 * M, DecisionKind.REMIND_OWNER)


def follow_up(r: TemplateRenderer) -> str:
    t = acme(status=Status.SOLVED, updated_at=MON + H)
    t = dataclasses.replace(t, satisfaction=Satisfaction(2, "bad", "Too slow", MON + 2 * H))
    return rendered(r, t, MON + 3 * H, DecisionKind.FOLLOW_UP, escalated(acme(), MON))


def rca(r: TemplateRenderer) -> str:
    state = escalated(acme(), MON)
    t = acme(status=Status.SOLVED, updated_at=MON + H)
    return rendered(r, t, MON + D + 3 * H, DecisionKind.REQUEST_RCA, state)


def diagnosis(r: TemplateRenderer) -> str:
    t = acme(comments=(say(MON - 20 * M, "Checkout is down."),))
    state = EscalationState(tier=Tier.L3, tier_since=MON)
    return rendered(r, t, MON + H, DecisionKind.REMIND_OWNER, state, rule="diagnosis")


def resolution_check(r: TemplateRenderer) -> str:
    history = (StatusChange(MON - 20 * M, Status.NEW), StatusChange(MON + H, Status.SOLVED))
    t = acme(status=Status.SOLVED, updated_at=MON + H, status_history=history)
    return rendered(r, t, MON + H + M, DecisionKind.RESOLUTION_CHECK, escalated(acme(), MON))


KINDS = {
    "diagnosis_reminder": diagnosis,
    "resolution_check": resolution_check,
    "handoff_note": handoff,
    "customer_ack": ack,
    "customer_ack_assigned": ack_assigned,
    "status_reminder": status_reminder,
    "first_response_reminder": first_response,
    "follow_up": follow_up,
    "rca_request": rca,
}


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    return load_templates()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_message_matches_its_golden_file(renderer: TemplateRenderer, kind: str) -> None:
    text = KINDS[kind](renderer)
    golden = GOLDEN / f"{kind}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_field_is_empty_none_or_a_slug(renderer: TemplateRenderer, kind: str) -> None:
    text = KINDS[kind](renderer)
    assert "[missing:" not in text
    assert not re.search(r"\b(None|none)\b", text), text
    for slug in SLUGS:
        assert slug not in text.replace("PAYMENT_DECLINED_3DS", ""), slug
    for line in text.splitlines():
        # A label with nothing after it, or a list item with no text (the RCA form's questions
        # and the list headings are meant to be followed by lines).
        if line.startswith(("**Steps taken:**", "- **")):
            continue
        assert not re.fullmatch(r"(\*\*[^*]+:\*\*|-|>)\s*", line), line
        assert not re.search(r"(:|\bby|\bat|\bdue)\s*[.,]?$", line) or line.endswith(
            ("answering:",)
        ), line


def test_handoff_note_has_every_part_the_process_lists(renderer: TemplateRenderer) -> None:
    text = handoff(renderer)
    assert text.startswith("ESCALATION: #42 - Critical - to Senior Support (L2)")
    assert "**Customer:** Ana Ruiz - Acme GmbH - Enterprise" in text
    assert "> Our EU shop takes no orders at all." in text  # opening message's lines
    assert "**Impact:** Critical: system down, data loss or a security problem" in text
    assert "ongoing for 20 minutes" in text
    assert "Frontline (L1) → Senior support (L2)" in text
    assert "(note): Checked the payment provider's status page" in text
    assert "**Why escalating:** the customer is a VIP or enterprise account" in text
    assert "**Customer expectation:** We need orders flowing again before our 14:00" in text


def test_acknowledgement_names_team_time_case_and_signature(renderer: TemplateRenderer) -> None:
    text = ack(renderer)
    assert "Hello Ana Ruiz" in text and "case #42" in text
    assert "our Senior Support team" in text
    # Critical: the policy's status updates every hour, from now.
    assert "within 1 hour (by 2025-03-03 11:00 UTC)" in text
    assert text.rstrip().endswith("Kind regards,\nSenior Support team")
    assigned = ack_assigned(renderer)
    assert "Priya Shah is now looking after it" in assigned
    assert assigned.rstrip().endswith("Kind regards,\nPriya Shah")


def test_the_previous_tiers_agent_is_not_named_as_the_new_owner(renderer: TemplateRenderer) -> None:
    t = acme(assignee_id="5", assignee_name="Lee Frontline")
    policy = default_policy()
    evaluation = evaluate(t, EscalationState(), policy, MON)
    state = dataclasses.replace(
        apply_decisions(EscalationState(), evaluation, MON), handed_from="5"
    )
    for decision in evaluation.decisions:
        if decision.template in ("customer_ack", "handoff_note"):
            text = renderer.render(
                decision.template, message_context(policy, decision, t, state, MON)
            )
            assert "Lee Frontline" not in text


def test_chat_user_names_stay_out_of_public_replies(renderer: TemplateRenderer) -> None:
    taken = ManualRequest("take_ownership", "dana.slack", MON - M)
    state = dataclasses.replace(escalated(acme(), MON - 2 * M), manual=(taken,), owner="dana.slack")
    policy = default_policy()
    evaluation = evaluate(acme(), EscalationState(), policy, MON)
    decision = next(d for d in evaluation.decisions if d.action is DecisionKind.CUSTOMER_ACK)
    public = renderer.render("customer_ack", message_context(policy, decision, acme(), state, MON))
    assert "dana.slack" not in public
    note = next(d for d in evaluation.decisions if d.action is DecisionKind.INTERNAL_NOTE)
    internal = renderer.render("handoff_note", message_context(policy, note, acme(), state, MON))
    assert "**New owner:** dana.slack" in internal


def test_reminders_show_the_real_due_time(renderer: TemplateRenderer) -> None:
    # Opened 09:40, first response within 30 minutes; last public reply 09:50, High: every 4 h.
    assert "the first response was due 2025-03-03 10:10 UTC" in first_response(renderer)
    assert "the next one was due 2025-03-03 13:50 UTC" in status_reminder(renderer)


@pytest.mark.parametrize(
    ("rule", "what", "expected"),
    [
        (
            "matrix",
            "15m at L1 ran out",
            "within the 15 minutes the policy allows at Frontline",
        ),
        ("asks_for_manager", "phrase list escalation_request", "asked for a manager"),
        ("route:compliance", "phrase list compliance_request", "compliance material"),
        ("tag:escalate_l3", "tag escalate_l3", "an agent tagged it escalate_l3"),
        ("x", "phrase list legal", "the customer mentioned legal action or lawyers"),
        ("x", "CSAT 2", "the customer rated the support 2 (of 5)"),
        ("x", "party field account_tier=enterprise", "the customer's account tier is enterprise"),
        ("x", "requested by dana: customer on the phone", "dana: customer on the phone asked"),
        ("x", "the help desk's resolution SLA was breached", "resolution SLA was breached"),
    ],
)
def test_reasons_read_in_plain_words(rule: str, what: str, expected: str) -> None:
    from policies.model import Tier
    from policies.reasons import plain_reason

    text = plain_reason(default_policy(), rule, what, Tier.L2)
    assert expected in text
    assert "phrase list" not in text and "route:" not in text


@pytest.mark.parametrize(
    ("owner", "tier", "label"),
    [
        ("senior-support", Tier.L2, "Senior Support"),  # the tier's group
        ("L3", Tier.L3, "Technical Support"),  # the tier's own route, by name
        ("warranty-claims", Tier.L2, "Warranty Claims"),  # a route's group
        ("management", Tier.L2, "Support Management"),  # a notify route
        ("lead@example.com", Tier.L2, "lead@example.com"),  # a person stays as recorded
    ],
)
def test_owner_label_names_teams_by_display_name(owner: str, tier: Tier, label: str) -> None:
    assert owner_label(load_policy(), owner, tier) == label
